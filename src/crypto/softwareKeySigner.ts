import { createPublicKey, type KeyObject } from 'node:crypto';
import { ElicenseError } from '../errors';
import { algorithmForKey, isAllowedAlgorithm, keyMatchesAlgorithm, type JwsAlgorithm } from './algorithms';
import { signBytes } from './signBytes';
import type { KeySigner } from './Signer';

/**
 * A KeySigner over a private KeyObject held in process memory. The key must
 * pass the key policy; an explicit algorithm must be the key's own.
 */
export function softwareKeySigner(privateKey: KeyObject, algorithm?: JwsAlgorithm): KeySigner {
  if (privateKey.type !== 'private') throw new ElicenseError('KEY_INVALID', 'a signer needs a private key');
  const alg = algorithm ?? algorithmForKey(privateKey);
  if (!isAllowedAlgorithm(alg)) throw new ElicenseError('ALGORITHM_NOT_ALLOWED', `algorithm ${String(alg)} is not allowed`);
  if (!keyMatchesAlgorithm(alg, privateKey)) throw new ElicenseError('ALGORITHM_KEY_MISMATCH', `the private key cannot be used with ${alg}`);
  return Object.freeze({
    algorithm: alg,
    publicKey: createPublicKey(privateKey),
    sign: async (data: Uint8Array): Promise<Uint8Array> => signBytes(alg, privateKey, data),
  });
}
