import { checkBirthDateAgainstCitizenId, checkCitizenId, citizenIdCheckCharacter, isCalendarDate } from '../../src/codes/citizenId';
import { divisionList } from './divisionList';
import { seededRandomBytes } from './seededRandom';

const TODAY = '2025-06-01';
const withCheck = (first17: string): string => first17 + citizenIdCheckCharacter(first17);

describe('checkCitizenId', () => {
  it('accepts the worked example 11010519491231002X', () => {
    expect(checkCitizenId('11010519491231002X', { today: TODAY })).toEqual({ ok: true, warnings: [] });
    expect(checkCitizenId('11010519491231002X', { today: TODAY, divisions: divisionList() })).toEqual({ ok: true, warnings: [] });
  });

  it('rejects a wrong check character', () => {
    expect(checkCitizenId('110105194912310021', { today: TODAY })).toMatchObject({ ok: false, code: 'CITIZEN_ID_CHECK_INVALID' });
  });

  it('rejects lower-case x', () => {
    expect(checkCitizenId('11010519491231002x', { today: TODAY })).toMatchObject({ ok: false, code: 'CITIZEN_ID_CHARACTER_INVALID' });
  });

  it.each(['', '11010519491231002', '11010519491231002XX', '110105491231002'])('rejects length of %p', (id) => {
    expect(checkCitizenId(id, { today: TODAY })).toMatchObject({ ok: false, code: 'CITIZEN_ID_LENGTH_INVALID' });
  });

  it('accepts 29 February only in leap years', () => {
    expect(checkCitizenId(withCheck('35010220000229001'), { today: TODAY }).ok).toBe(true); // 2000: divisible by 400
    expect(checkCitizenId(withCheck('35010219960229001'), { today: TODAY }).ok).toBe(true);
    for (const y of ['1900', '1999', '2023']) {
      expect(checkCitizenId(withCheck(`350102${y}0229001`), { today: TODAY })).toMatchObject({ ok: false, code: 'CITIZEN_ID_BIRTH_DATE_INVALID' });
    }
  });

  it.each(['19901301', '19900001', '19900431', '19900100', '17990101'])('rejects the impossible birth date %s', (date) => {
    expect(checkCitizenId(withCheck(`350102${date}001`), { today: TODAY })).toMatchObject({ ok: false, code: 'CITIZEN_ID_BIRTH_DATE_INVALID' });
  });

  it('rejects a birth date after today and accepts one on today', () => {
    expect(checkCitizenId(withCheck('35010220250602001'), { today: TODAY })).toMatchObject({ ok: false, code: 'CITIZEN_ID_BIRTH_DATE_FUTURE' });
    expect(checkCitizenId(withCheck('35010220250601001'), { today: TODAY }).ok).toBe(true);
  });

  it('reads a Date as a date in China (UTC+8)', () => {
    const id = withCheck('35010220250602001');
    expect(checkCitizenId(id, { today: new Date('2025-06-01T15:59:59Z') }).ok).toBe(false);
    expect(checkCitizenId(id, { today: new Date('2025-06-01T16:00:00Z') }).ok).toBe(true);
  });

  it('checks the division against the list: unknown province fails, an unlisted county warns', () => {
    const divisions = divisionList();
    expect(checkCitizenId(withCheck('99010219900101001'), { today: TODAY, divisions })).toMatchObject({ ok: false, code: 'CITIZEN_ID_DIVISION_INVALID' });
    expect(checkCitizenId(withCheck('00010219900101001'), { today: TODAY })).toMatchObject({ ok: false, code: 'CITIZEN_ID_DIVISION_INVALID' });
    // 110103 (Chongwen district) was merged into Dongcheng in 2010; ID numbers issued there stay valid.
    const r = checkCitizenId(withCheck('11010319800101001'), { today: TODAY, divisions });
    expect(r.ok && r.warnings.map((w) => w.code)).toEqual(['CITIZEN_ID_DIVISION_UNLISTED']);
  });

  it('accepts a foreign permanent-resident number (leading 9, province in positions 2-3)', () => {
    const id = withCheck('93515619900101001');
    expect(checkCitizenId(id, { today: TODAY, divisions: divisionList() })).toEqual({ ok: true, warnings: [] });
  });

  it('round-trips random valid numbers and catches every single-digit substitution', () => {
    const rnd = seededRandomBytes(5);
    const counties = [...divisionList().entries()].filter((d) => d.level === 'county').map((d) => d.code);
    for (let n = 0; n < 200; n++) {
      const [a, b, c] = rnd(3) as unknown as [number, number, number];
      const county = counties[(a * 256 + b) % counties.length]!;
      const day = new Date(Date.UTC(1930, 0, 1) + ((a * 65536 + b * 256 + c) % 30000) * 86400000).toISOString().slice(0, 10).replace(/-/g, '');
      const id = withCheck(`${county}${day}${String(c % 1000).padStart(3, '0')}`);
      expect([id, checkCitizenId(id, { today: TODAY, divisions: divisionList() })]).toEqual([id, { ok: true, warnings: [] }]);
      const i = 14 + (n % 4);
      const digit = String((Number(id[i] === 'X' ? 10 : id[i]) + 1 + (n % 9)) % 10);
      const mutated = id.slice(0, i) + digit + id.slice(i + 1);
      if (mutated !== id) expect(checkCitizenId(mutated, { today: TODAY }).ok).toBe(false);
    }
  });
});

describe('isCalendarDate', () => {
  it('knows month lengths', () => {
    expect(isCalendarDate('20240229')).toBe(true);
    expect(isCalendarDate('21000229')).toBe(false);
    expect(isCalendarDate('20240431')).toBe(false);
    expect(isCalendarDate('20241231')).toBe(true);
  });
});

describe('checkBirthDateAgainstCitizenId', () => {
  it('passes a matching date, warns on a contradiction, ignores numbers without the citizen ID layout', () => {
    expect(checkBirthDateAgainstCitizenId('1988-03-15', '350102198803151238', 'idNumber')).toEqual({ ok: true, warnings: [] });
    expect(checkBirthDateAgainstCitizenId('1988-03-16', '350102198803151238', 'idNumber')).toEqual({
      ok: true,
      warnings: [{ code: 'CITIZEN_ID_BIRTH_DATE_MISMATCH', message: expect.stringContaining('idNumber') }],
    });
    expect(checkBirthDateAgainstCitizenId('1988-03-16', 'E12345678', 'idNumber')).toEqual({ ok: true, warnings: [] });
    expect(checkBirthDateAgainstCitizenId(undefined, '350102198803151238', 'idNumber')).toEqual({ ok: true, warnings: [] });
  });
});
