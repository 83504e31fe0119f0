import type { JwsAlgorithm } from './algorithms';

/**
 * The narrow signing back end: a software key today, an HSM or KMS later.
 * Nothing else in the system touches private keys.
 */
export interface Signer {
  readonly algorithm: JwsAlgorithm;
  /** keyIdForCertificate of the signer certificate. */
  readonly keyId: string;
  /** DER certificates, signer first, root excluded. */
  readonly certificateChain: readonly Uint8Array[];
  /** Signature over data in the JWS form of `algorithm` (ES256: 64-byte r‖s). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}
