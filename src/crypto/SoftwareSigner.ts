import { X509Certificate, type KeyObject } from 'node:crypto';
import { ElicenseError } from '../errors';
import type { JwsAlgorithm } from './algorithms';
import { keyIdForCertificate } from './keyIdForCertificate';
import { samePublicKey } from './samePublicKey';
import type { KeySigner, Signer } from './Signer';
import { softwareKeySigner } from './softwareKeySigner';

/**
 * A Signer over a private KeyObject held in process memory. The constructor
 * refuses a key that does not belong to the leaf certificate or does not fit
 * the algorithm, so a misconfigured department cannot produce signatures
 * that no verifier will accept.
 */
export class SoftwareSigner implements Signer {
  readonly algorithm: JwsAlgorithm;
  readonly publicKey: KeyObject;
  readonly keyId: string;
  readonly certificateChain: readonly Uint8Array[];
  readonly #key: KeySigner;

  constructor(privateKey: KeyObject, certificateChain: readonly Uint8Array[], options?: { algorithm?: JwsAlgorithm }) {
    if (privateKey.type !== 'private') throw new ElicenseError('KEY_INVALID', 'a SoftwareSigner needs a private key');
    const leafDer = certificateChain[0];
    if (leafDer === undefined) throw new ElicenseError('CERT_MALFORMED', 'the certificate chain is empty');
    const key = softwareKeySigner(privateKey, options?.algorithm);
    let leafKey: KeyObject;
    try {
      leafKey = new X509Certificate(leafDer).publicKey;
    } catch {
      throw new ElicenseError('CERT_MALFORMED', 'the signer certificate cannot be read');
    }
    if (!samePublicKey(key.publicKey, leafKey)) {
      throw new ElicenseError('KEY_INVALID', 'the private key does not belong to the signer certificate');
    }
    this.algorithm = key.algorithm;
    this.publicKey = key.publicKey;
    this.keyId = keyIdForCertificate(leafDer);
    this.certificateChain = Object.freeze(certificateChain.map((der) => Uint8Array.from(der)));
    this.#key = key;
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    return this.#key.sign(data);
  }
}
