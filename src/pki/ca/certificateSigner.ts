import { createPublicKey, constants, sign, type KeyObject } from 'node:crypto';
import { ElicenseError } from '../../errors';
import { signingAlgorithmForKey, type SigningAlgorithm } from './signingAlgorithm';

/**
 * The CA's signing back end, kept narrow so an HSM or KMS can replace the
 * software key later without touching issuance.
 */
export interface CertificateSigner {
  readonly algorithm: SigningAlgorithm;
  readonly publicKey: KeyObject;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** DER AlgorithmIdentifier for each algorithm's certificate signatures. */
const SIGNATURE_ALGORITHM_IDENTIFIERS: Record<SigningAlgorithm, string> = {
  // ecdsa-with-SHA256, parameters absent (RFC 5758)
  ES256: '300a06082a8648ce3d040302',
  // id-Ed25519, parameters absent (RFC 8410)
  EdDSA: '300506032b6570',
  // id-RSASSA-PSS { SHA-256, MGF1-SHA-256, saltLength 32, trailerField 1 } (RFC 4055)
  PS256:
    '304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120',
};

export function signatureAlgorithmIdentifier(algorithm: SigningAlgorithm): Uint8Array {
  return Buffer.from(SIGNATURE_ALGORITHM_IDENTIFIERS[algorithm], 'hex');
}

export function keyObjectSigner(privateKey: KeyObject): CertificateSigner {
  if (privateKey.type !== 'private') throw new ElicenseError('KEY_INVALID', 'a CA signer needs a private key');
  const algorithm = signingAlgorithmForKey(privateKey);
  const publicKey = createPublicKey(privateKey);
  return {
    algorithm,
    publicKey,
    sign: async (data) => {
      switch (algorithm) {
        case 'ES256':
          return sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
        case 'EdDSA':
          return sign(null, data, privateKey);
        case 'PS256':
          return sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      }
    },
  };
}
