import { checkAnnotatedCopyQr } from '../../annotation/annotatedCopyQr';
import type { CheckName } from '../../format/reasonCodes';
import { ResultBuilder } from '../ResultBuilder';
import { withAnnotationOutcome } from '../annotationOutcome';
import { checkStatus } from '../checkStatus';
import type { VerificationResult } from '../VerificationResult';
import { createVerifierCaches, type VerifyContext } from '../VerifyContext';

const LICENCE_NOT_IN_QR =
  "the QR of an annotated copy carries the copy's terms and the licence's identifier, not the licence: verify the copy's document (.elac.json) or PDF to check the licence itself";
const NOT_IN_QR: readonly CheckName[] = ['schema', 'identifier', 'attachments', 'issuer', 'validity', 'recognition'];

/**
 * An annotated copy's QR (EAC1:): the copy's signature by its region's
 * trust-list signer under a pinned root, its time, and the status of the
 * licence it names at the verification time (by identifier and status entry,
 * from the verifier's status source). The licence's own checks cannot be made
 * from the QR and are reported as not applicable, with why.
 */
export function verifyAnnotatedCopyQr(text: string, ctx: VerifyContext): VerificationResult {
  const caches = ctx.caches ?? createVerifierCaches();
  const { trust, at } = ctx;
  const check = checkAnnotatedCopyQr(text, { anchors: trust.anchors, regionOfRoot: (fp) => trust.regionOfRoot?.(fp), at, validate: (req) => caches.paths.validate(req) });
  const rb = new ResultBuilder();
  const a = check.annotation;
  if (!a) return withAnnotationOutcome(rb.build(trust, at), check, trust, 'qr');
  rb.pass('format');
  for (const name of NOT_IN_QR) rb.notApplicable(name, LICENCE_NOT_IN_QR);
  // A copy made by a DEMO region's platform has no legal effect: the QR says so as a licence would.
  if (check.demo) rb.demo = true;
  if (check.signerRootFingerprint) {
    rb.pass('signature', "the annotated copy's signature (the licence's own signature is not in the QR)");
    rb.pass('chain', "the annotated copy's signer: a trust-list signer of its region under a pinned root");
  }
  const identifier = a.original.identifier;
  const record: Record<string, unknown> = {
    certificateIdentifier: identifier,
    certificateTypeCode: a.original.typeCode,
    certificateIssuingAuthorityCode: identifier.split('.')[6],
    ...(check.statusEntry ? { statusEntry: check.statusEntry } : {}),
  };
  checkStatus(record, trust, rb, at);
  return withAnnotationOutcome(rb.build(trust, at), check, trust, 'qr');
}
