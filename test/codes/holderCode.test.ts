import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkHolderCode } from '../../src/codes/holderCode';
import { HolderCodeTypes, type HolderCodeTypesData } from '../../src/codes/holderCodeTypes';
import { standardsDir } from '../../src/standards/standardsDir';
import { divisionList } from './divisionList';

const data = JSON.parse(readFileSync(join(standardsDir(), 'codelists', 'holder-code-types.json'), 'utf8')) as HolderCodeTypesData;
const ctx = { types: new HolderCodeTypes(data), today: '2025-06-01', divisions: divisionList() };

describe('holder code types list', () => {
  it('marks only 111 and 001 as confirmed', () => {
    expect(data.types.filter((t) => t.confirmed).map((t) => t.code).sort()).toEqual(['001', '111']);
  });
});

describe('checkHolderCode', () => {
  it('checks 111 as a citizen ID number', () => {
    expect(checkHolderCode('111', '11010519491231002X', ctx)).toEqual({ ok: true, warnings: [] });
    expect(checkHolderCode('111', '110105194912310021', ctx)).toMatchObject({ ok: false, code: 'CITIZEN_ID_CHECK_INVALID' });
  });

  it('checks 001 as a USCC', () => {
    expect(checkHolderCode('001', '91350100M000100Y43', ctx)).toEqual({ ok: true, warnings: [] });
    expect(checkHolderCode('001', '91350100M000100Y4O', ctx)).toMatchObject({ ok: false, code: 'USCC_CHARACTER_INVALID' });
  });

  it('checks the other types by pattern only', () => {
    expect(checkHolderCode('414', 'E12345678', ctx).ok).toBe(true);
    expect(checkHolderCode('414', 'e12345678', ctx)).toMatchObject({ ok: false, code: 'HOLDER_CODE_PATTERN_MISMATCH' });
    expect(checkHolderCode('516', 'H12345678', ctx).ok).toBe(true);
    expect(checkHolderCode('516', 'X12345678', ctx)).toMatchObject({ ok: false, code: 'HOLDER_CODE_PATTERN_MISMATCH' });
    expect(checkHolderCode('999', 'R350123456', ctx).ok).toBe(true);
  });

  it('rejects unknown holder code types and non-strings', () => {
    expect(checkHolderCode('123', 'X', ctx)).toMatchObject({ ok: false, code: 'HOLDER_CODE_TYPE_UNKNOWN' });
    expect(checkHolderCode('111', 42, ctx)).toMatchObject({ ok: false, code: 'HOLDER_CODE_MALFORMED' });
  });
});
