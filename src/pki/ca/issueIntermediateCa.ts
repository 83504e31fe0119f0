import { basicConstraintsExtension } from './certificateExtensions';
import { caIssuerInfo, type CertificateAuthority } from './certificateAuthority';
import { certificateValidity, type IssueOptions } from './certificateValidity';
import { issueCertificate, type IssuedCertificate } from './issueCertificate';
import { CA_KEY_USAGE, checkPathLen, type CaCertificateRequest } from './issueRootCa';
import { randomSerialNumber } from './serialNumber';
import { encodeSubjectName } from './subjectName';

/** An intermediate (province or city) CA under `issuer`: as the root's profile, plus AKI = issuer SKI. */
export async function issueIntermediateCa(issuer: CertificateAuthority, request: CaCertificateRequest, options: IssueOptions): Promise<IssuedCertificate> {
  checkPathLen(request.pathLen);
  const info = caIssuerInfo(issuer);
  const { notBefore, notAfter } = certificateValidity(options.now, { years: request.validityYears }, info.notAfter);
  return issueCertificate({
    subject: encodeSubjectName(request.subject),
    publicKey: request.publicKey,
    issuer: info,
    serialNumber: randomSerialNumber(options.randomBytes),
    notBefore,
    notAfter,
    extensions: [basicConstraintsExtension(true, request.pathLen), CA_KEY_USAGE],
  });
}
