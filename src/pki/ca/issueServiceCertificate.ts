import type { KeyObject } from 'node:crypto';
import { algorithmForKey } from '../../crypto/algorithms';
import { OID } from '../oids';
import { basicConstraintsExtension, extendedKeyUsageExtension, keyUsageExtension } from './certificateExtensions';
import type { CertificateAuthority } from './certificateAuthority';
import type { IssueOptions } from './certificateValidity';
import type { IssuedCertificate } from './issueCertificate';
import { issueUnderCa } from './issueUnderCa';
import { encodeSubjectName, type SubjectFields } from './subjectName';

/** A region service key: the trust-list signer or the timestamp authority. */
export interface ServiceCertificateRequest {
  subject: SubjectFields;
  publicKey: KeyObject;
  validityDays: number;
}

const SIGNATURE_ONLY = keyUsageExtension(['digitalSignature']);

async function issueServiceCertificate(
  issuer: CertificateAuthority,
  request: ServiceCertificateRequest,
  eku: Uint8Array,
  options: IssueOptions,
): Promise<IssuedCertificate> {
  algorithmForKey(request.publicKey);
  return issueUnderCa(
    issuer,
    {
      subject: encodeSubjectName(request.subject),
      publicKey: request.publicKey,
      validity: { days: request.validityDays },
      extensions: [basicConstraintsExtension(false), SIGNATURE_ONLY, eku],
    },
    options,
  );
}

/** Signs trust lists, status lists and recognition agreements: EKU ekuTrustListSigning (non-critical). */
export function issueTrustListSigningCertificate(issuer: CertificateAuthority, request: ServiceCertificateRequest, options: IssueOptions): Promise<IssuedCertificate> {
  return issueServiceCertificate(issuer, request, extendedKeyUsageExtension([OID.ekuTrustListSigning], false), options);
}

/** RFC 3161 2.3: a TSA certificate has exactly one EKU, id-kp-timeStamping, and it is critical. */
export function issueTimestampingCertificate(issuer: CertificateAuthority, request: ServiceCertificateRequest, options: IssueOptions): Promise<IssuedCertificate> {
  return issueServiceCertificate(issuer, request, extendedKeyUsageExtension([OID.ekuTimeStamping], true), options);
}
