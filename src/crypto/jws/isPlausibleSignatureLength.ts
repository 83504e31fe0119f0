import { RSA_MAX_BITS, RSA_MIN_BITS, type JwsAlgorithm } from '../algorithms';

/** Length check before any key is known; the exact length is checked against the key in verifyBytes. */
export function isPlausibleSignatureLength(alg: JwsAlgorithm, length: number): boolean {
  if (alg === 'PS256') return length >= RSA_MIN_BITS / 8 && length <= RSA_MAX_BITS / 8;
  return length === 64;
}
