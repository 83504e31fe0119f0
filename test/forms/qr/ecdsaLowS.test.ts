import { isHighS, toLowS } from '../../../src/forms/qr/ecdsaLowS';

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF = P256_ORDER / 2n;
const sig = (s: bigint) => Buffer.concat([Buffer.alloc(32, 7), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]);

describe('low-S ES256 signatures (docs/adr/0003)', () => {
  it('s up to n/2 is low, above it high, at the byte boundaries too', () => {
    expect(isHighS(sig(1n))).toBe(false);
    expect(isHighS(sig(HALF - 1n))).toBe(false);
    expect(isHighS(sig(HALF))).toBe(false);
    expect(isHighS(sig(HALF + 1n))).toBe(true);
    expect(isHighS(sig(P256_ORDER - 1n))).toBe(true);
    expect(isHighS(sig(2n ** 255n))).toBe(true);
    expect(isHighS(sig(2n ** 255n - 1n))).toBe(true);
    expect(isHighS(sig(2n ** 254n))).toBe(false);
  });

  it('reads s from a view into a larger buffer, and leaves other lengths to the signature check', () => {
    const outer = Buffer.concat([Buffer.alloc(5), sig(HALF + 1n), Buffer.alloc(3)]);
    expect(isHighS(outer.subarray(5, 69))).toBe(true);
    expect(isHighS(Buffer.alloc(63, 0xff))).toBe(false);
  });

  it('toLowS gives the twin n − s of a high-S signature and keeps a low-S one', () => {
    const high = sig(P256_ORDER - 5n);
    expect(Buffer.from(toLowS(high))).toEqual(sig(5n));
    const low = sig(5n);
    expect(toLowS(low)).toBe(low);
  });
});
