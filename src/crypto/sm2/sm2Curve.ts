/**
 * The SM2 curve (GB/T 32918.5, the recommended 256-bit curve) and the
 * profile constants of elicense's SM2 signatures (docs/adr/0009-national-cryptography.md).
 */
export const SM2_CURVE = Object.freeze({
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
});

/**
 * The default distinguishing ID of GB/T 32918 / GM/T 0009, "1234567812345678"
 * (ASCII). Every elicense SM2 signature uses it; a key with another ID is not
 * accepted (an offline verifier would have no way to learn the ID).
 */
export const SM2_DEFAULT_ID = '1234567812345678';

/** SM2_DEFAULT_ID as bytes, a fresh copy (a shared buffer could be altered by a caller). */
export function sm2DefaultIdBytes(): Buffer {
  return Buffer.from(SM2_DEFAULT_ID, 'ascii');
}

/** True when id is SM2_DEFAULT_ID. */
export function isSm2DefaultId(id: Uint8Array): boolean {
  return id.length === SM2_DEFAULT_ID.length && Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('latin1') === SM2_DEFAULT_ID;
}

/** Bytes of a scalar or a coordinate. */
export const SM2_SCALAR_BYTES = 32;
/** Bytes of a signature in the JWS form, r‖s. */
export const SM2_SIGNATURE_BYTES = 64;

/** Big-endian bytes of a non-negative bigint below 2^256, left-padded to 32 bytes. */
export function scalarBytes(x: bigint): Buffer {
  return Buffer.from(x.toString(16).padStart(2 * SM2_SCALAR_BYTES, '0'), 'hex');
}

/** The bigint of big-endian bytes (empty → 0). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
}

/** x mod m in [0, m). */
export function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

/** True when (x, y) is an affine point of the SM2 curve: coordinates in [0, p) and y² = x³ + ax + b. */
export function isOnSm2Curve(x: bigint, y: bigint): boolean {
  const { p, a, b } = SM2_CURVE;
  if (x < 0n || x >= p || y < 0n || y >= p) return false;
  return mod(y * y - (x * x * x + a * x + b), p) === 0n;
}

/**
 * The last step of SM2 verification (GB/T 32918.2 7.1 B7), (e + x₁) mod n = r, for the point (x₁, y₁) in
 * homogeneous projective coordinates (X : Y : Z), x₁ = X/Z mod p, Z ≠ 0 — without inverting Z. x₁ is in
 * [0, p) and n < p < 2n, so the equation holds exactly when x₁ is v = (r − e) mod n or v + n (when below p),
 * i.e. when X = v·Z or X = (v + n)·Z mod p.
 */
export function projectiveXGivesR(X: bigint, Z: bigint, e: bigint, r: bigint): boolean {
  const { n, p } = SM2_CURVE;
  const v = mod(r - e, n);
  if (mod(X - v * Z, p) === 0n) return true;
  return v + n < p && mod(X - (v + n) * Z, p) === 0n;
}
