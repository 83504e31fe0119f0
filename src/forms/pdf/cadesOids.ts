/** Object identifiers of the CAdES signature inside a PAdES PDF (RFC 5652, RFC 5035, RFC 5754, RFC 8419, RFC 4055, GM/T 0006, GB/T 35275). */
export const CADES_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha512: '2.16.840.1.101.3.4.2.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ed25519: '1.3.101.112',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  /** SM3 hash (GM/T 0006). */
  sm3: '1.2.156.10197.1.401',
  /** SM2 signature with SM3, what we write in a SignerInfo (GM/T 0006; docs/adr/0009-national-cryptography.md). */
  sm2WithSm3: '1.2.156.10197.1.501',
} as const;
