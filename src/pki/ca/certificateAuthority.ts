import { createPublicKey } from 'node:crypto';
import { ElicenseError } from '../../errors';
import type { CertificateSigner } from './certificateSigner';
import { readCertificateParts } from './der/readCertificateParts';
import { readDerChildren, readDerWhole } from './der/readDer';
import type { IssuerInfo } from './issueCertificate';

/** A CA as the issuing functions see it: its certificate and its signing back end. */
export interface CertificateAuthority {
  certificate: Uint8Array;
  signer: CertificateSigner;
}

export interface CaIssuerInfo extends IssuerInfo {
  notAfter: Date;
}

/**
 * Reads what issuing under `ca` needs (subject name, key id, expiry) and
 * checks that the certificate is a CA certificate for the signer's key.
 */
export function caIssuerInfo(ca: CertificateAuthority): CaIssuerInfo {
  const parts = readCertificateParts(ca.certificate);
  const caKey = createPublicKey({ key: Buffer.from(parts.subjectPublicKeyInfo), format: 'der', type: 'spki' });
  if (!caKey.equals(ca.signer.publicKey)) {
    throw new ElicenseError('ALGORITHM_KEY_MISMATCH', 'the CA signer key does not match the CA certificate');
  }
  const bc = parts.extensions.find((e) => e.oid === '2.5.29.19');
  const bcFields = bc ? readDerChildren(readDerWhole(bc.value)) : [];
  const isCa = bcFields[0]?.tag === 0x01 && bcFields[0].content[0] !== 0;
  if (!isCa) throw new ElicenseError('CERT_MALFORMED', 'the issuing certificate is not a CA certificate');
  const ski = parts.extensions.find((e) => e.oid === '2.5.29.14');
  if (!ski) throw new ElicenseError('CERT_MALFORMED', 'the CA certificate has no subject key identifier');
  const keyId = readDerWhole(ski.value);
  return { name: parts.subject, keyIdentifier: keyId.content, signer: ca.signer, notAfter: parts.notAfter };
}
