/** Order n of the P-256 group (SEC 2). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_ORDER = P256_ORDER / 2n;

const sOf = (signature: Uint8Array): bigint => BigInt(`0x${Buffer.from(signature.buffer, signature.byteOffset + 32, 32).toString('hex')}`);

/**
 * (r, s) and (r, n − s) both verify, so every ES256 signature has a twin
 * anyone can compute. The QR profile keeps the one with s ≤ n/2 (docs/adr/0003).
 * Takes the 64-byte r‖s form; other lengths are not ES256 signatures and are
 * left to the signature check.
 */
export function isHighS(signature: Uint8Array): boolean {
  // Big-endian bytes of equal length compare as the numbers do (no BigInt on the verification path).
  return signature.length === 64 && Buffer.compare(Buffer.from(signature.buffer, signature.byteOffset + 32, 32), HALF_ORDER_BYTES) > 0;
}

const HALF_ORDER_BYTES = Buffer.from(HALF_ORDER.toString(16).padStart(64, '0'), 'hex');

/** The low-S twin of a 64-byte ES256 r‖s signature (the signature itself when it is low-S already). */
export function toLowS(signature: Uint8Array): Uint8Array {
  if (!isHighS(signature)) return signature;
  const s = P256_ORDER - sOf(signature);
  return Buffer.concat([Buffer.from(signature.buffer, signature.byteOffset, 32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]);
}
