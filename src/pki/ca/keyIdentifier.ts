import { createHash, type KeyObject } from 'node:crypto';
import { ElicenseError } from '../../errors';
import { DerReader, contents, readDerAs } from '../certificate/DerReader';

/**
 * Subject/authority key identifier: leftmost 160 bits of SHA-256 over the
 * subjectPublicKey bits (RFC 7093 section 2, method 1); avoids SHA-1.
 */
export function keyIdentifier(publicKey: KeyObject | Uint8Array): Uint8Array {
  const spki = publicKey instanceof Uint8Array ? publicKey : new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const bits = readDerAs('KEY_INVALID', () => {
    const top = new DerReader(spki);
    const seq = top.read(0x30, 'SubjectPublicKeyInfo');
    top.expectEnd('SubjectPublicKeyInfo');
    const r = DerReader.inside(spki, seq);
    r.read(0x30, 'algorithm');
    return contents(spki, r.read(0x03, 'subjectPublicKey'));
  });
  if (bits[0] !== 0) throw new ElicenseError('KEY_INVALID', 'malformed SubjectPublicKeyInfo');
  return createHash('sha256').update(bits.subarray(1)).digest().subarray(0, 20);
}
