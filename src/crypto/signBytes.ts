import { constants, sign, type KeyObject } from 'node:crypto';
import { ElicenseError } from '../errors';
import { isAllowedAlgorithm, keyMatchesAlgorithm, type JwsAlgorithm } from './algorithms';
import { sm2Sign } from './sm2/sm2Sign';

/**
 * Signs bytes with an allowed algorithm: ES256 in the JOSE (IEEE P1363 r‖s,
 * 64 bytes) form, EdDSA (Ed25519), PS256 with MGF1-SHA-256 and a 32-byte salt,
 * SM2 with SM3 and the default distinguishing ID (r‖s, 64 bytes).
 * Throws ALGORITHM_NOT_ALLOWED, KEY_INVALID (not a private key) or
 * ALGORITHM_KEY_MISMATCH.
 */
export function signBytes(alg: JwsAlgorithm, privateKey: KeyObject, data: Uint8Array): Buffer {
  if (!isAllowedAlgorithm(alg)) throw new ElicenseError('ALGORITHM_NOT_ALLOWED', `algorithm ${String(alg)} is not allowed`);
  if (privateKey.type !== 'private') throw new ElicenseError('KEY_INVALID', 'signing needs a private key');
  if (!keyMatchesAlgorithm(alg, privateKey)) throw new ElicenseError('ALGORITHM_KEY_MISMATCH', `the key cannot be used with ${alg}`);
  switch (alg) {
    case 'ES256':
      return sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return sign(null, data, privateKey);
    case 'PS256':
      return sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    case 'SM2':
      // Never node:crypto's sign(): it uses an empty distinguishing ID (docs/adr/0009-national-cryptography.md).
      return sm2Sign(privateKey, data);
  }
}
