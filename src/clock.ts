/** Time is passed in everywhere; tests use a fixed clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) throw new RangeError(`invalid clock time: ${String(at)}`);
  return { now: () => new Date(d.getTime()) };
}
