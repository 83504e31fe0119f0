import type { JwsAlgorithm } from '../../crypto/algorithms';

/** DER AlgorithmIdentifier for each algorithm's certificate signatures. */
const SIGNATURE_ALGORITHM_IDENTIFIERS: Record<JwsAlgorithm, string> = {
  // ecdsa-with-SHA256, parameters absent (RFC 5758)
  ES256: '300a06082a8648ce3d040302',
  // id-Ed25519, parameters absent (RFC 8410)
  EdDSA: '300506032b6570',
  // id-RSASSA-PSS { SHA-256, MGF1-SHA-256, saltLength 32, trailerField 1 } (RFC 4055)
  PS256:
    '304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120',
  // SM2 with SM3, 1.2.156.10197.1.501, parameters absent (GM/T 0006, GB/T 35275)
  SM2: '300a06082a811ccf55018375',
};

export function signatureAlgorithmIdentifier(algorithm: JwsAlgorithm): Uint8Array {
  return Buffer.from(SIGNATURE_ALGORITHM_IDENTIFIERS[algorithm], 'hex');
}
