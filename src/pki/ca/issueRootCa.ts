import type { KeyObject } from 'node:crypto';
import { ElicenseError } from '../../errors';
import { basicConstraintsExtension, keyUsageExtension, policyExtensions } from './certificateExtensions';
import type { KeySigner } from '../../crypto/Signer';
import { certificateValidity, type IssueOptions } from './certificateValidity';
import { issueCertificate, type IssuedCertificate } from './issueCertificate';
import { randomSerialNumber } from './serialNumber';
import { encodeSubjectName, type SubjectFields } from './subjectName';

export interface CaCertificateRequest {
  subject: SubjectFields;
  publicKey: KeyObject;
  validityYears: number;
  /** Maximum number of intermediate CAs below this one. */
  pathLen: number;
}

export function checkPathLen(pathLen: number): void {
  if (!Number.isInteger(pathLen) || pathLen < 0 || pathLen > 8) {
    throw new ElicenseError('CONFIG_INVALID', `pathLen must be an integer from 0 to 8, got ${pathLen}`);
  }
}

export const CA_KEY_USAGE = keyUsageExtension(['keyCertSign', 'cRLSign']);

/** A self-signed region root: basicConstraints cA with pathLen, keyUsage keyCertSign+cRLSign, SKI. */
export async function issueRootCa(request: CaCertificateRequest, signer: KeySigner, options: IssueOptions): Promise<IssuedCertificate> {
  checkPathLen(request.pathLen);
  const { notBefore, notAfter } = certificateValidity(options.now, { years: request.validityYears });
  return issueCertificate({
    subject: encodeSubjectName(request.subject),
    publicKey: request.publicKey,
    selfSigner: signer,
    serialNumber: randomSerialNumber(options.randomBytes),
    notBefore,
    notAfter,
    extensions: [basicConstraintsExtension(true, request.pathLen), CA_KEY_USAGE, ...policyExtensions(options.policies)],
  });
}
