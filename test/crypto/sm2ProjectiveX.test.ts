import { randomBytes } from 'node:crypto';
import { SM2_CURVE, bytesToBigint, mod, projectiveXGivesR } from '../../src/crypto/sm2/sm2Curve';

const { n, p } = SM2_CURVE;
const random = (below: bigint) => mod(bytesToBigint(randomBytes(40)), below - 1n) + 1n;
/** (X, Z) of an affine x under a random non-zero Z. */
const projective = (x: bigint) => {
  const Z = random(p);
  return { X: mod(x * Z, p), Z };
};

describe('projectiveXGivesR (SM2 verification, GB/T 32918.2 7.1 B7, without inverting Z)', () => {
  it('agrees with (e + X/Z) mod n = r for x₁ below n, under any Z', () => {
    for (let i = 0; i < 200; i++) {
      const x1 = random(n);
      const e = bytesToBigint(randomBytes(32)); // SM3 output: may exceed n
      const r = mod(e + x1, n);
      const { X, Z } = projective(x1);
      expect(projectiveXGivesR(X, Z, e, r)).toBe(true);
      expect(projectiveXGivesR(X, Z, e, mod(r + 1n, n))).toBe(false);
      expect(projectiveXGivesR(X, Z, mod(e + 1n, 2n ** 256n), r)).toBe(false);
      expect(projectiveXGivesR(mod(X + 1n, p), Z, e, r)).toBe(false);
    }
  });

  it('accepts x₁ in [n, p), where (e + x₁) mod n wraps once more, and only the right r', () => {
    for (const x1 of [n, n + 1n, p - 1n, n + random(p - n)]) {
      const e = bytesToBigint(randomBytes(32));
      const r = mod(e + x1, n);
      const { X, Z } = projective(x1);
      expect(projectiveXGivesR(X, Z, e, r)).toBe(true);
      expect(projectiveXGivesR(X, Z, e, mod(r - 1n, n))).toBe(false);
    }
  });

  it('refuses when v + n would be p or above (no such x₁ exists)', () => {
    // v = p − n: v + n = p is not a coordinate; the affine x₁ = 0 gives a different r.
    const e = 0n;
    const r = p - n;
    const { X, Z } = projective(0n);
    expect(projectiveXGivesR(X, Z, e, r)).toBe(false);
    expect(projectiveXGivesR(X, Z, e, 0n)).toBe(true);
  });
});
