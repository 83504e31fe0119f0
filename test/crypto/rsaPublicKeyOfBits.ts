import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';

/**
 * An RSA public key with a modulus of exactly `bits` bits, for policy tests
 * only: the modulus is random odd bytes, not a product of primes (generating
 * a real key above the 8192-bit cap takes minutes).
 */
export function rsaPublicKeyOfBits(bits: number): KeyObject {
  const n = randomBytes(Math.ceil(bits / 8));
  n[0] = (n[0]! | 0x80) >> ((8 - (bits % 8)) % 8);
  n[n.length - 1]! |= 1;
  return createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: 'AQAB' }, format: 'jwk' });
}
