import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { ElicenseError } from '../errors';
import { algorithmForKey, isAllowedAlgorithm, keyMatchesAlgorithm, type JwsAlgorithm } from './algorithms';
import { keyIdForCertificate } from './keyIdForCertificate';
import { signBytes } from './signBytes';
import type { Signer } from './Signer';

/**
 * A Signer over a private KeyObject held in process memory. The constructor
 * refuses a key that does not belong to the leaf certificate or does not fit
 * the algorithm, so a misconfigured department cannot produce signatures
 * that no verifier will accept.
 */
export class SoftwareSigner implements Signer {
  readonly algorithm: JwsAlgorithm;
  readonly keyId: string;
  readonly certificateChain: readonly Uint8Array[];
  readonly #privateKey: KeyObject;

  constructor(privateKey: KeyObject, certificateChain: readonly Uint8Array[], options?: { algorithm?: JwsAlgorithm }) {
    if (privateKey.type !== 'private') throw new ElicenseError('KEY_INVALID', 'a SoftwareSigner needs a private key');
    const leafDer = certificateChain[0];
    if (leafDer === undefined) throw new ElicenseError('CERT_MALFORMED', 'the certificate chain is empty');
    const algorithm = options?.algorithm ?? algorithmForKey(privateKey);
    if (!isAllowedAlgorithm(algorithm)) throw new ElicenseError('ALGORITHM_NOT_ALLOWED', `algorithm ${String(algorithm)} is not allowed`);
    if (!keyMatchesAlgorithm(algorithm, privateKey)) {
      throw new ElicenseError('ALGORITHM_KEY_MISMATCH', `the private key cannot be used with ${algorithm}`);
    }
    let leafKey: KeyObject;
    try {
      leafKey = new X509Certificate(leafDer).publicKey;
    } catch {
      throw new ElicenseError('CERT_MALFORMED', 'the signer certificate cannot be read');
    }
    const ours = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    if (!ours.equals(leafKey.export({ type: 'spki', format: 'der' }))) {
      throw new ElicenseError('KEY_INVALID', 'the private key does not belong to the signer certificate');
    }
    this.algorithm = algorithm;
    this.keyId = keyIdForCertificate(leafDer);
    this.certificateChain = Object.freeze(certificateChain.map((der) => Uint8Array.from(der)));
    this.#privateKey = privateKey;
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    return signBytes(this.algorithm, this.#privateKey, data);
  }
}
