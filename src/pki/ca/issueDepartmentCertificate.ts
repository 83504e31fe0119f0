import type { KeyObject } from 'node:crypto';
import { algorithmForKey } from '../../crypto/algorithms';
import { ElicenseError } from '../../errors';
import { OID } from '../oids';
import { basicConstraintsExtension, extendedKeyUsageExtension, keyUsageExtension } from './certificateExtensions';
import type { CertificateAuthority } from './certificateAuthority';
import type { IssueOptions } from './certificateValidity';
import { CODE_PATTERNS } from './codePatterns';
import type { IssuedCertificate } from './issueCertificate';
import { issueUnderCa } from './issueUnderCa';
import { encodeSubjectName } from './subjectName';

/** The department as the region's records know it; the CA writes these, never what a CSR asks for. */
export interface DepartmentRecord {
  name: string;
  uscc: string;
  divisionCode: string;
  /** Common name if not the department name (e.g. "福州市市场监督管理局 电子证照签章 2026"). */
  label?: string;
}

export interface DepartmentCertificateRequest {
  department: DepartmentRecord;
  publicKey: KeyObject;
  /** Short-lived, e.g. 730. */
  validityDays: number;
}

const DEPARTMENT_KEY_USAGE = keyUsageExtension(['digitalSignature', 'nonRepudiation']);

export function checkDepartmentRecord(d: DepartmentRecord): void {
  if (!d.name.trim()) throw new ElicenseError('CODE_INVALID', 'department name is empty');
  if (!CODE_PATTERNS.uscc.test(d.uscc)) throw new ElicenseError('CODE_INVALID', 'department USCC is not a well-formed unified social credit code');
  if (!CODE_PATTERNS.divisionCode.test(d.divisionCode)) throw new ElicenseError('CODE_INVALID', 'department division code is not a GB/T 2260 code');
}

/**
 * A department licence-signing certificate: basicConstraints cA=false
 * (critical), keyUsage digitalSignature+nonRepudiation (critical), EKU
 * licence signing, document signing and email protection (non-critical; the
 * last two so that PDF readers accept the certificate as the PDF's signer,
 * docs/adr/0004-pdf-form.md "Readers agree"), SKI, AKI; subject C=CN, O, CN,
 * organizationIdentifier NTRCN-<USCC>, division code.
 */
export async function issueDepartmentCertificate(
  issuer: CertificateAuthority,
  request: DepartmentCertificateRequest,
  options: IssueOptions,
): Promise<IssuedCertificate> {
  const { department } = request;
  checkDepartmentRecord(department);
  algorithmForKey(request.publicKey);
  return issueUnderCa(issuer, {
    subject: encodeSubjectName({
      country: 'CN',
      organization: department.name,
      commonName: department.label ?? department.name,
      uscc: department.uscc,
      divisionCode: department.divisionCode,
    }),
    publicKey: request.publicKey,
    validity: { days: request.validityDays },
    extensions: [
      basicConstraintsExtension(false),
      DEPARTMENT_KEY_USAGE,
      extendedKeyUsageExtension([OID.ekuLicenseSigning, OID.ekuDocumentSigning, OID.ekuEmailProtection], false),
    ],
  }, options);
}
