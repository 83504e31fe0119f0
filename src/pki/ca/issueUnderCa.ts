import type { KeyObject } from 'node:crypto';
import { caIssuerInfo, type CertificateAuthority } from './certificateAuthority';
import { certificateValidity, type IssueOptions, type ValidityPeriod } from './certificateValidity';
import { policyExtensions } from './certificateExtensions';
import { issueCertificate, type IssuedCertificate } from './issueCertificate';
import { randomSerialNumber } from './serialNumber';

/**
 * What every certificate below the root shares: the issuer's name and key id,
 * a random serial, and a validity cut at the issuer's own end. The callers
 * say only what differs (subject, key, period, extensions). The demo-region
 * policy of the issuer is carried down (docs/adr/0002).
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
    // A CA of a demo region makes every certificate under it a demo one, whoever asks (ceremony or later key issuance).
    extensions: [...request.extensions, ...policyExtensions([...new Set([...(options.policies ?? []), ...info.inheritedPolicies])])],
  });
}
