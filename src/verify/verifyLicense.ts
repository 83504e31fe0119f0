import { ResultBuilder } from './ResultBuilder';
import type { VerificationResult } from './VerificationResult';
import { createVerifierCaches, type VerifyContext } from './VerifyContext';
import { checkFullFormFormat, parseFullFormInput, UNREADABLE } from './checkFormat';
import { checkRecordSchema } from './checkSchema';
import { checkIdentifier } from './checkIdentifier';
import { checkFullFormSignature } from './checkSignature';
import { checkAttachments } from './checkAttachments';
import { checkRegionTimestamp } from './checkTimestamp';
import { checkFullFormSignerPath, pathRoot, signerPathAt } from './checkSignerPath';
import { checkIssuerAuthority } from './checkIssuerAuthority';
import { checkValidity } from './checkValidity';
import { checkStatus } from './checkStatus';
import { checkRecognition } from './checkRecognition';
import { isAnnotatedCopyDocument } from '../annotation/AnnotatedCopy';
import { checkAnnotatedCopy } from '../annotation/checkAnnotatedCopy';
import { withAnnotationOutcome } from './annotationOutcome';

// The context every verifier takes, for the callers that verify full forms only.
export { createVerifierCaches, type VerifierCaches, type VerifyContext } from './VerifyContext';

/**
 * Verify a full-form licence (bytes or text) against explicit trust inputs at
 * a given time. Pure apart from the optional memo: the answer is data, every
 * check of docs/product.md 4.1 appears with its outcome, and checks whose trust
 * data does not exist yet (status, recognition) are reported as not checked.
 */
export function verifyLicense(input: string | Uint8Array, ctx: VerifyContext): VerificationResult {
  const rb = new ResultBuilder();
  const doc = parseFullFormInput(input, rb);
  if (doc === UNREADABLE) return rb.build(ctx.trust, ctx.at);
  return verifyFullFormDocument(doc, ctx, rb);
}

/**
 * Verify an already-parsed document (the HTTP layer parses bodies itself with
 * the same strict parser): the checks, one module each, in the order of the
 * answer.
 */
export function verifyFullFormDocument(doc: unknown, ctx: VerifyContext, rb = new ResultBuilder()): VerificationResult {
  // An annotated copy (a top-level annotatedCopy) carries its original: the copy's checks beside the original's.
  if (isAnnotatedCopyDocument(doc)) return verifyAnnotatedCopyDocument(doc, ctx);
  const caches = ctx.caches ?? createVerifierCaches();
  const { at, trust } = ctx;

  // 1. format
  const form = checkFullFormFormat(doc, rb);
  if (!form) return rb.build(trust, at);
  const record = form['license'] as Record<string, unknown>;
  rb.license = record;
  // 2. schema, 3. identifier
  checkRecordSchema(record, ctx.catalog, rb);
  checkIdentifier(record, rb);
  // 4. signature
  const signer = checkFullFormSignature(form['signature'] as string, record, caches.signers, at, rb);
  if (signer) {
    // 5. chain, now or at the time of a valid region timestamp (itself part of the signature check)
    const current = signerPathAt(signer.entry.leaf, signer.entry.intermediates, trust, caches.paths, at);
    const stamp = checkRegionTimestamp(form['timestamp'], signer, record, trust, at, caches.paths, pathRoot(current), rb);
    const path = checkFullFormSignerPath(signer.entry, current, stamp, trust, caches.paths, at, rb);
    // 6. issuer
    checkIssuerAuthority(record, signer.entry, trust, rb, stamp ? stamp.time : null, pathRoot(path) ?? null, at);
  } else rb.notChecked('issuer', 'signer unknown');
  // 4b. attachments: the photos beside the record, each bound by the digest its signed photo field holds
  checkAttachments(form, record, ctx.catalog, rb);
  // 7. validity, 8. status, 9. recognition
  checkValidity(record, at, rb);
  checkStatus(record, trust, rb, at);
  checkRecognition(record, trust, rb);
  return rb.build(trust, at);
}

/**
 * An annotated copy (docs/adr/0012): the copy's own checks (schema, signature
 * by a region trust-list signer under a pinned root, binding to the original,
 * notAfter) and the full verification of the original it carries, its status
 * at the verification time included; one answer with the copy's terms.
 */
export function verifyAnnotatedCopyDocument(doc: unknown, ctx: VerifyContext): VerificationResult {
  const caches = ctx.caches ?? createVerifierCaches();
  const { trust, at } = ctx;
  const check = checkAnnotatedCopy(doc, { anchors: trust.anchors, regionOfRoot: (fp) => trust.regionOfRoot?.(fp), at, validate: (req) => caches.paths.validate(req) });
  const original = verifyFullFormDocument(check.original ?? null, { ...ctx, caches });
  return withAnnotationOutcome(original, check, trust, 'document');
}
