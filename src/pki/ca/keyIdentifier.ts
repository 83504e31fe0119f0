import { createHash, type KeyObject } from 'node:crypto';
import { ElicenseError } from '../../errors';
import { readDerChildren, readDerWhole } from './der/readDer';

/**
 * Subject/authority key identifier: leftmost 160 bits of SHA-256 over the
 * subjectPublicKey bits (RFC 7093 section 2, method 1); avoids SHA-1.
 */
export function keyIdentifier(publicKey: KeyObject | Uint8Array): Uint8Array {
  const spki = publicKey instanceof Uint8Array ? publicKey : publicKey.export({ type: 'spki', format: 'der' });
  const [, bits] = readDerChildren(readDerWhole(spki, 'KEY_INVALID'), 'KEY_INVALID');
  if (!bits || bits.tag !== 0x03 || bits.content[0] !== 0) throw new ElicenseError('KEY_INVALID', 'malformed SubjectPublicKeyInfo');
  return createHash('sha256').update(bits.content.subarray(1)).digest().subarray(0, 20);
}
