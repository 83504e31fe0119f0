/**
 * Driver values to domain values. node-postgres and PGlite differ in what
 * they return (int8 as string or number, bytea as Buffer or Uint8Array, and
 * under test runners objects from another realm), so stores convert here.
 */
export function asDate(v: unknown): Date {
  return new Date(v as Date | string | number);
}

export function asOptionalDate(v: unknown): Date | null {
  return v === null || v === undefined ? null : asDate(v);
}

export function asNumber(v: unknown): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError('database returned a number outside the safe integer range');
  return n;
}

export function asBytes(v: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(v as Uint8Array));
}
