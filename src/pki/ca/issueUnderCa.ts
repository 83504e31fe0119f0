import type { KeyObject } from 'node:crypto';
import { caIssuerInfo, type CertificateAuthority } from './certificateAuthority';
import { certificateValidity, type IssueOptions, type ValidityPeriod } from './certificateValidity';
import { issueCertificate, type IssuedCertificate } from './issueCertificate';
import { randomSerialNumber } from './serialNumber';

/**
 * What every certificate below the root shares: the issuer's name and key id,
 * a random serial, and a validity cut at the issuer's own end. The callers
 * say only what differs (subject, key, period, extensions).
 */
export function issueUnderCa(
  issuer: CertificateAuthority,
  request: { subject: Uint8Array; publicKey: KeyObject; validity: ValidityPeriod; extensions: Uint8Array[] },
  options: IssueOptions,
): Promise<IssuedCertificate> {
  const info = caIssuerInfo(issuer);
  const { notBefore, notAfter } = certificateValidity(options.now, request.validity, info.notAfter);
  return issueCertificate({
    subject: request.subject,
    publicKey: request.publicKey,
    issuer: info,
    serialNumber: randomSerialNumber(options.randomBytes),
    notBefore,
    notAfter,
    extensions: request.extensions,
  });
}
