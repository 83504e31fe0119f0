import type { CertificateAuthority } from './certificateAuthority';
import type { IssueOptions } from './certificateValidity';
import type { IssuedCertificate } from './issueCertificate';
import { issueDepartmentCertificate, type DepartmentRecord } from './issueDepartmentCertificate';
import { publicKeyFromCsr } from './publicKeyFromCsr';

export interface DepartmentCsrRequest {
  department: DepartmentRecord;
  /** PKCS#10, DER or PEM. Only its (signature-checked) public key is used. */
  csr: Uint8Array | string;
  validityDays: number;
}

/** Certifies a key the department generated itself (e.g. in its own HSM); the private key never reaches the CA. */
export function issueDepartmentCertificateFromCsr(issuer: CertificateAuthority, request: DepartmentCsrRequest, options: IssueOptions): Promise<IssuedCertificate> {
  const publicKey = publicKeyFromCsr(request.csr);
  return issueDepartmentCertificate(issuer, { department: request.department, publicKey, validityDays: request.validityDays }, options);
}
