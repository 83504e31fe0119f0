import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DivisionCodeList, type DivisionCodeListData } from '../../src/codes/divisionCode';
import { standardsDir } from '../../src/standards/standardsDir';

let cached: DivisionCodeList | undefined;

/** The committed GB/T 2260 list, loaded once per test file. */
export function divisionList(): DivisionCodeList {
  cached ??= new DivisionCodeList(
    JSON.parse(readFileSync(join(standardsDir(), 'codelists', 'division-codes.json'), 'utf8')) as DivisionCodeListData,
  );
  return cached;
}
