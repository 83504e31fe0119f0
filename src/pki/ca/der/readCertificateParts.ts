import { parseCertificate } from '../../certificate/ParsedCertificate';

/**
 * @deprecated Use parseCertificate. Kept only for src/node/features/departments
 * (DepartmentKeys.ts, regionCertificateAuthority.ts), which another helper owns;
 * delete this file once those two call parseCertificate directly.
 */
export function readCertificateParts(der: Uint8Array): { issuer: Uint8Array; subject: Uint8Array; notBefore: Date; notAfter: Date } {
  const cert = parseCertificate(der);
  return { issuer: cert.issuer.der, subject: cert.subject.der, notBefore: cert.notBefore, notAfter: cert.notAfter };
}
