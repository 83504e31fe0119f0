/** China Standard Time is UTC+8 all year (no daylight saving). */
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The day asked for last and its date: every verification asks for today's (its validity check). */
let lastDay = NaN;
let lastDate = '';

/** The calendar date (YYYY-MM-DD) in China at an instant: licence dates and birth dates are China dates. */
export function chinaCalendarDate(at: Date): string {
  const shifted = at.getTime() + CST_OFFSET_MS;
  const day = Math.floor(shifted / DAY_MS);
  if (day === lastDay) return lastDate;
  // An invalid Date throws here as toISOString always did (NaN never equals lastDay).
  const date = new Date(shifted).toISOString().slice(0, 10);
  lastDay = day;
  lastDate = date;
  return date;
}
