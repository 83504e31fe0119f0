import { constants, verify, type KeyObject } from 'node:crypto';
import { signatureLengthFor, type JwsAlgorithm } from './algorithms';
import { sm2Verify } from './sm2/sm2Verify';

/**
 * Verifies a signature made by signBytes. False for anything that is not a
 * valid signature: algorithm not allowed, key of the wrong kind, signature of
 * the wrong length (ES256/EdDSA/SM2 exactly 64 bytes, PS256 exactly the modulus
 * length), or a failed check. Never throws.
 */
export function verifyBytes(alg: JwsAlgorithm, publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const expectedLength = signatureLengthFor(alg, publicKey);
  if (expectedLength === 0 || signature.byteLength !== expectedLength) return false;
  try {
    switch (alg) {
      case 'ES256':
        return verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
      case 'EdDSA':
        return verify(null, data, publicKey, signature);
      case 'PS256':
        return verify('sha256', data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
      case 'SM2':
        return sm2Verify(publicKey, data, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}
