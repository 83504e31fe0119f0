import { basicConstraintsExtension } from './certificateExtensions';
import type { CertificateAuthority } from './certificateAuthority';
import type { IssueOptions } from './certificateValidity';
import type { IssuedCertificate } from './issueCertificate';
import { CA_KEY_USAGE, checkPathLen, type CaCertificateRequest } from './issueRootCa';
import { issueUnderCa } from './issueUnderCa';
import { encodeSubjectName } from './subjectName';

/** An intermediate (province or city) CA under `issuer`: as the root's profile, plus AKI = issuer SKI. */
export async function issueIntermediateCa(issuer: CertificateAuthority, request: CaCertificateRequest, options: IssueOptions): Promise<IssuedCertificate> {
  checkPathLen(request.pathLen);
  return issueUnderCa(
    issuer,
    {
      subject: encodeSubjectName(request.subject),
      publicKey: request.publicKey,
      validity: { years: request.validityYears },
      extensions: [basicConstraintsExtension(true, request.pathLen), CA_KEY_USAGE],
    },
    options,
  );
}
