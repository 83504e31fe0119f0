import type { FullForm } from '../../format/FullForm';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import { PathCache } from '../PathCache';
import { ResultBuilder } from '../ResultBuilder';
import type { TrustInputs } from '../../trust/TrustInputs';
import type { VerificationResult } from '../VerificationResult';
import type { VerifierCaches } from '../VerifyContext';
import type { CompactClaims, DecodedCompactLicense } from '../../forms/qr/compactLicense';
import { checkCompactFormat } from '../checkFormat';
import { checkCompactSchema } from '../checkSchema';
import { checkCompactIdentifier } from '../checkIdentifier';
import { checkCompactSignature } from '../checkSignature';
import { checkFullFormBinding } from '../checkFullFormBinding';
import { QR_ATTACHMENTS_DETAIL } from '../checkAttachments';
import { checkCompactSignerPath, pathRoot } from '../checkSignerPath';
import { checkIssuerAuthority } from '../checkIssuerAuthority';
import { checkValidity } from '../checkValidity';
import { checkStatus } from '../checkStatus';
import { checkRecognition } from '../checkRecognition';

/** The QR claims under the record's field names, for display and for the shared checks. */
function recordOf(c: CompactClaims): Record<string, unknown> {
  return {
    certificateIdentifier: c.identifier,
    certificateTypeCode: c.typeCode,
    standardVersion: c.standardVersion,
    certificateIssuingAuthorityCode: c.issuerCode,
    certificateEffectiveDate: c.effectiveDate,
    ...(c.expiringDate !== undefined ? { certificateExpiringDate: c.expiringDate } : {}),
    certificateHolderName: c.holderName,
    extendInfo: c.face,
    ...(c.statusEntry ? { statusEntry: c.statusEntry } : {}),
  };
}

/**
 * Verify a compact QR licence (ADR 0003) against trust data at a time. Same
 * answer shape and check order as verifyLicense: the signer certificate comes
 * from the trust data by key id (the QR carries none), its path must reach a
 * pinned root now with the licence-signing EKU, and the issuer, validity and
 * status checks are the full form's own. With `fullForm`, that form is verified
 * too and the QR's digest must bind the two (FULL_FORM_MISMATCH).
 */
export function verifyCompactLicense(
  text: string,
  ctx: {
    trust: TrustInputs;
    catalog: StandardsCatalog;
    at: Date;
    fullForm?: FullForm;
    caches?: VerifierCaches;
    /** The same text already decoded (decodeCompactOnce), so that it is decoded once per request. */
    decoded?: () => DecodedCompactLicense;
  },
): VerificationResult {
  const { trust, catalog, at } = ctx;
  const rb = new ResultBuilder();
  // 1. format
  const decoded = checkCompactFormat(text, catalog, rb, ctx.decoded);
  if (!decoded) return rb.build(trust, at);
  const { cose, claims } = decoded;
  const record = recordOf(claims);
  rb.license = record;
  // 2. schema, 3. identifier
  checkCompactSchema(claims, catalog, rb);
  checkCompactIdentifier(rb);
  // 4. signature, by key id from the trust data
  const keyId = Buffer.from(cose.kid).toString('base64url');
  const signer = checkCompactSignature(cose, keyId, trust, rb);
  if (signer) {
    // 5. chain, at the verification time (a QR carries no region timestamp: ADR 0003)
    const path = checkCompactSignerPath(signer, trust, ctx.caches?.paths ?? new PathCache(), at, rb);
    // 6. issuer
    checkIssuerAuthority(record, { leaf: signer.certificate, keyId }, trust, rb, null, pathRoot(path) ?? null, at);
  } else rb.notChecked('issuer', 'signer unknown');
  // the QR's binding to a full form presented with it (part of the signature check)
  if (ctx.fullForm) {
    checkFullFormBinding(ctx.fullForm, claims, { trust, catalog, at, ...(ctx.caches ? { caches: ctx.caches } : {}) }, rb);
  }
  // 4b. attachments: none in a QR (a full form presented with it was checked with its own, in the binding above)
  rb.notApplicable('attachments', ctx.fullForm ? `${QR_ATTACHMENTS_DETAIL}; the full form presented with it was verified with its photos` : QR_ATTACHMENTS_DETAIL);
  // 7. validity, 8. status, 9. recognition
  checkValidity(record, at, rb);
  checkStatus(record, trust, rb, at);
  checkRecognition(record, trust, rb);
  return rb.build(trust, at);
}
