import type { KeyObject } from 'node:crypto';

/**
 * True when a and b are the same public key. KeyObject.equals is not enough
 * for SM2: Node types a key it generated on the SM2 curve as `ec` and one it
 * read from DER (a certificate's) as OpenSSL's SM2 type, and equals answers
 * false across the two; their SubjectPublicKeyInfo bytes are the same.
 */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  try {
    if (a.equals(b)) return true;
    return Buffer.from(a.export({ type: 'spki', format: 'der' })).equals(b.export({ type: 'spki', format: 'der' }));
  } catch {
    return false;
  }
}
