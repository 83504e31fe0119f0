import { chinaCalendarDate } from '../../src/chinaCalendarDate';

describe('chinaCalendarDate: the date in China (UTC+8) at an instant', () => {
  it('changes at 16:00 UTC, also when asked alternately for two days (its one-day memo)', () => {
    const before = new Date('2026-12-06T15:59:59.999Z');
    const after = new Date('2026-12-06T16:00:00.000Z');
    for (let i = 0; i < 3; i++) {
      expect(chinaCalendarDate(before)).toBe('2026-12-06');
      expect(chinaCalendarDate(after)).toBe('2026-12-07');
    }
  });

  it('reads instants before 1970 and at year ends', () => {
    expect(chinaCalendarDate(new Date('1969-12-31T16:00:00Z'))).toBe('1970-01-01');
    expect(chinaCalendarDate(new Date('1969-12-31T15:59:59.999Z'))).toBe('1969-12-31');
    expect(chinaCalendarDate(new Date('2024-12-31T16:00:00Z'))).toBe('2025-01-01');
    expect(chinaCalendarDate(new Date('2024-02-28T16:00:00Z'))).toBe('2024-02-29');
  });

  it('refuses an invalid date as toISOString does, whatever was asked before', () => {
    chinaCalendarDate(new Date('2026-12-06T00:00:00Z'));
    expect(() => chinaCalendarDate(new Date(Number.NaN))).toThrow(RangeError);
    expect(chinaCalendarDate(new Date('2026-12-06T00:00:00Z'))).toBe('2026-12-06');
  });
});
