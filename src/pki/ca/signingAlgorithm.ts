import type { KeyObject } from 'node:crypto';
import { ElicenseError } from '../../errors';

/** The JOSE names of the algorithms elicense allows for certificate keys (product brief 3.5). */
export const SIGNING_ALGORITHMS = ['ES256', 'EdDSA', 'PS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const MIN_RSA_MODULUS_BITS = 2048;

/** Which allowed algorithm a (public or private) key is for; anything else is refused. */
export function signingAlgorithmForKey(key: KeyObject): SigningAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (details.namedCurve === 'prime256v1') return 'ES256';
      throw new ElicenseError('ALGORITHM_NOT_ALLOWED', `EC curve ${String(details.namedCurve)} is not allowed; use P-256`);
    case 'ed25519':
      return 'EdDSA';
    case 'rsa':
    case 'rsa-pss':
      if ((details.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS) {
        throw new ElicenseError('KEY_INVALID', `RSA key of ${String(details.modulusLength)} bits is too small; at least ${MIN_RSA_MODULUS_BITS} required`);
      }
      return 'PS256';
    default:
      throw new ElicenseError('ALGORITHM_NOT_ALLOWED', `key type ${String(key.asymmetricKeyType)} is not allowed`);
  }
}
