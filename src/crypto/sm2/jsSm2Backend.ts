import { createECDH, randomBytes } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import type { Sm2Backend } from './Sm2Backend';
import { SM2_CURVE, bytesToBigint, isSm2DefaultId, mod, projectiveXGivesR, scalarBytes } from './sm2Curve';
import type { Sm2PrivateMaterial, Sm2PublicMaterial } from './sm2KeyMaterial';
import { sm2Za } from './sm2Za';
import { sm3 } from './sm3';

const { n } = SM2_CURVE;

/** x^(n−2) mod n: the inverse modulo the prime n (Fermat). */
function invertModN(x: bigint): bigint {
  let result = 1n;
  let base = mod(x, n);
  let e = n - 2n;
  while (e > 0n) {
    if (e & 1n) result = (result * base) % n;
    base = (base * base) % n;
    e >>= 1n;
  }
  return result;
}

/** A uniform scalar in [1, n−1] from the OS random source (rejection sampling). */
function randomScalar(): bigint {
  for (;;) {
    const v = bytesToBigint(randomBytes(32));
    if (v >= 1n && v < n) return v;
  }
}

/** e = SM3(Z_A ‖ data) as an integer (GB/T 32918.2 6.1 A1–A2 and 7.1 B3–B4). */
function digestOf(key: Sm2PublicMaterial, data: Uint8Array, id: Uint8Array): bigint {
  const za = isSm2DefaultId(id) ? key.za : sm2Za(key.x, key.y, id);
  return bytesToBigint(sm3(za, data));
}

/** The public point in sm-crypto-v2's form, with a table of multiples for repeated verifications. */
type NoblePoint = ReturnType<typeof sm2.precomputePublicKey>;
/**
 * Every key gets a small table (window 4: ~11 ms once, ~100 KB); a key used
 * HOT_AFTER times (a department's key, verified for each of its licences)
 * gets a large one (window 8: ~64 ms once, ~1 MB, ~1.4× faster verification),
 * for at most HOT_KEYS keys at a time, the least recently used dropped first.
 */
const SMALL_WINDOW = 4;
const LARGE_WINDOW = 8;
const HOT_AFTER = 16;
const HOT_KEYS = 16;
const small = new WeakMap<Sm2PublicMaterial, { point: NoblePoint; uses: number }>();
const hot = new Map<Sm2PublicMaterial, NoblePoint>();

function pointOf(key: Sm2PublicMaterial): NoblePoint {
  const large = hot.get(key);
  if (large !== undefined) {
    hot.delete(key);
    hot.set(key, large);
    return large;
  }
  let entry = small.get(key);
  if (entry === undefined) {
    entry = { point: sm2.precomputePublicKey(Buffer.from(key.point).toString('hex'), SMALL_WINDOW), uses: 0 };
    small.set(key, entry);
  }
  if (++entry.uses === HOT_AFTER) {
    const point = sm2.precomputePublicKey(Buffer.from(key.point).toString('hex'), LARGE_WINDOW);
    hot.set(key, point);
    if (hot.size > HOT_KEYS) hot.delete(hot.keys().next().value as Sm2PublicMaterial);
    return point;
  }
  return entry.point;
}

/**
 * SM2 in JavaScript. Signing: the nonce k and the point k·G come from the
 * OpenSSL that Node ships (an ephemeral ECDH key on the SM2 curve), so the
 * scalar multiplication on the secret is OpenSSL's; the rest, s = (1 + d)⁻¹ ·
 * (k − r·d) mod n, is bigint arithmetic, which is not constant time — the
 * inversion is blinded by a fresh random factor. Verification: sm-crypto-v2
 * (on @noble/curves) over e computed here; only public data is involved.
 */
export const jsSm2Backend: Sm2Backend = Object.freeze({
  name: 'js' as const,
  sign(key: Sm2PrivateMaterial, data: Uint8Array, id: Uint8Array): Uint8Array {
    const e = digestOf(key.publicKey, data, id);
    for (;;) {
      const ephemeral = createECDH('SM2');
      const kG = ephemeral.generateKeys();
      const k = bytesToBigint(ephemeral.getPrivateKey());
      const x1 = bytesToBigint(kG.subarray(1, 33));
      const r = mod(e + x1, n);
      if (r === 0n || r + k === n) continue;
      const blind = randomScalar();
      const inverse = (blind * invertModN(blind * (1n + key.d))) % n;
      const s = mod(inverse * (k - r * key.d), n);
      if (s === 0n) continue;
      return Buffer.concat([scalarBytes(r), scalarBytes(s)]);
    }
  },
  /**
   * GB/T 32918.2 7.1 B1–B7: t = (r + s) mod n ≠ 0, (x₁, y₁) = s·G + t·P_A, accept when (e + x₁) mod n = r.
   * The point arithmetic is @noble/curves' (through sm-crypto-v2's curve and our per-key tables); the sum is
   * left in projective coordinates and compared without the field inversion that converting it to affine
   * coordinates costs (`projectiveXGivesR`).
   */
  verify(key: Sm2PublicMaterial, data: Uint8Array, signature: Uint8Array, id: Uint8Array): boolean {
    // 64 bytes with r and s in [1, n − 1]: checked by sm2Verify (the Sm2Backend contract).
    const r = bytesToBigint(signature.subarray(0, 32));
    const s = bytesToBigint(signature.subarray(32));
    const t = (r + s) % n;
    if (t === 0n) return false;
    const publicPoint = pointOf(key);
    const sum = baseOf(publicPoint).multiply(s).add(publicPoint.multiply(t));
    if (sum.is0()) return false;
    return projectiveXGivesR(sum.X, sum.Z, digestOf(key, data, id), r);
  },
});

/** The generator G of the curve a point belongs to (noble keeps it, with its precomputed table, on the class). */
function baseOf(point: NoblePoint): NoblePoint {
  return (point.constructor as unknown as { BASE: NoblePoint }).BASE;
}
