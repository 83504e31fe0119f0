import type { KeyObject } from 'node:crypto';
import type { JwsAlgorithm } from './algorithms';

/**
 * The one narrow signing back end: a software key today, an HSM or KMS later.
 * Nothing else in the system touches private keys. The CA signs certificates
 * with a KeySigner (a root signs before it has a certificate); licences,
 * documents and timestamps are signed with a Signer, the same back end with
 * its certificate chain.
 */
export interface KeySigner {
  /** The key's one algorithm under the key policy (algorithmForKey). */
  readonly algorithm: JwsAlgorithm;
  readonly publicKey: KeyObject;
  /** Signature over data in the JWS form of `algorithm` (ES256: 64-byte r‖s). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** A KeySigner with its certificate: what signs licences, federation documents and timestamps. */
export interface Signer extends KeySigner {
  /** keyIdForCertificate of the signer certificate. */
  readonly keyId: string;
  /** DER certificates, signer first, root excluded. */
  readonly certificateChain: readonly Uint8Array[];
}
