import { createPublicKey } from 'node:crypto';
import { samePublicKey } from '../../crypto/samePublicKey';
import { ElicenseError } from '../../errors';
import { parseCertificate } from '../certificate/ParsedCertificate';
import { OID } from '../oids';
import type { KeySigner } from '../../crypto/Signer';
import type { IssuerInfo } from './issueCertificate';

/** A CA as the issuing functions see it: its certificate and its signing back end. */
export interface CertificateAuthority {
  certificate: Uint8Array;
  signer: KeySigner;
}

export interface CaIssuerInfo extends IssuerInfo {
  notAfter: Date;
  /** The CA's certificate policies that every certificate under it inherits: the demo-region policy (docs/adr/0002). */
  inheritedPolicies: string[];
}

/**
 * Reads what issuing under `ca` needs (subject name, key id, expiry) and
 * checks that the certificate is a CA certificate for the signer's key.
 */
export function caIssuerInfo(ca: CertificateAuthority): CaIssuerInfo {
  const cert = parseCertificate(ca.certificate);
  const caKey = createPublicKey({ key: Buffer.from(cert.spki), format: 'der', type: 'spki' });
  if (!samePublicKey(caKey, ca.signer.publicKey)) {
    throw new ElicenseError('ALGORITHM_KEY_MISMATCH', 'the CA signer key does not match the CA certificate');
  }
  if (!cert.ext.basicConstraints?.ca) throw new ElicenseError('CERT_MALFORMED', 'the issuing certificate is not a CA certificate');
  const ski = cert.ext.subjectKeyId;
  if (!ski) throw new ElicenseError('CERT_MALFORMED', 'the CA certificate has no subject key identifier');
  const inheritedPolicies = (cert.ext.certificatePolicies?.policies ?? []).filter((p) => p === OID.policyDemoRegion);
  return { name: cert.subject.der, keyIdentifier: new Uint8Array(Buffer.from(ski.keyId, 'hex')), signer: ca.signer, notAfter: cert.notAfter, inheritedPolicies };
}
