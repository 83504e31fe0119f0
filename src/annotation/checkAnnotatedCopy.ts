import { decodeDetachedJws, verifyDetachedJws } from '../crypto/jws';
import { MAX_CLOCK_SKEW_MS } from '../format/timestamp';
import type { ReasonCode } from '../format/reasonCodes';
import { canonicalJson } from '../json/canonicalJson';
import { keyIdForCertificate } from '../crypto/keyIdForCertificate';
import type { ParsedCertificate } from '../pki/certificate/ParsedCertificate';
import { ANNOTATED_COPY_JWS_TYPE, isAnnotatedCopyDocument, type Annotation } from './AnnotatedCopy';
import { annotatedCopySchemaError } from './annotatedCopySchema';
import { checkAnnotationSigner, type AnnotationTrust } from './checkAnnotationSigner';
import { originalDigest } from './originalDigest';

export type AnnotationReason = Extract<ReasonCode, `ANNOTATION_${string}`>;

export interface AnnotationFailure {
  code: AnnotationReason;
  detail: string;
}

/** The copy's own checks, as data: the full-form verifier judges the original beside them. */
export interface AnnotationCheck {
  failures: AnnotationFailure[];
  /** The annotation, when it matched the schema (signed or not: failures say). */
  annotation?: Annotation;
  /** The original full form the copy carries (unchecked), when there is one to verify. */
  original?: unknown;
  /** SHA-256 of the root the copy's signer chains to (a valid signer only). */
  signerRootFingerprint?: string;
  /** The copy's signer, once its signature verified. */
  signer?: { keyId: string; subject: string; certificateSha256: string };
  /** The copy's signer chains to a DEMO region (the demo-region certificate policy, docs/adr/0002). */
  demo?: true;
}

/**
 * The checks of an annotated copy of its own (docs/adr/0012): the published
 * schema; the detached signature over the JCS bytes of annotatedCopy by a
 * region trust-list signer under a pinned root (checkAnnotationSigner); the
 * original bound by identifier, type code and SHA-256 of its JCS bytes; and
 * its time: made no later than the verification time (plus the clock skew),
 * expired after notAfter. Pure: the trust inputs and the time are passed in.
 */
export function checkAnnotatedCopy(doc: unknown, trust: AnnotationTrust): AnnotationCheck {
  const failures: AnnotationFailure[] = [];
  const fail = (code: AnnotationReason, detail: string) => failures.push({ code, detail });
  const record = isAnnotatedCopyDocument(doc) ? doc : undefined;
  const carried = record?.['original'];
  const original = typeof carried === 'object' && carried !== null && !Array.isArray(carried) && !isAnnotatedCopyDocument(carried) ? carried : undefined;
  const schemaError = annotatedCopySchemaError(doc);
  if (schemaError || !record) {
    fail('ANNOTATION_MALFORMED', `not an annotated copy (annotated-copy-1.0.0): ${schemaError ?? 'no annotatedCopy'}`);
    return { failures, ...(original ? { original } : {}) };
  }
  const annotation = record['annotatedCopy'] as Annotation;
  const out: AnnotationCheck = { failures, annotation, ...(original ? { original } : {}) };

  // Signature: signer first (header only), then the signature with the key of the certificate trusted.
  const decoded = decodeDetachedJws(record['signature'] as string);
  if (!decoded.ok) fail('ANNOTATION_SIGNATURE_INVALID', `${decoded.code}: ${decoded.message}`);
  else {
    const signer = checkAnnotationSigner(decoded.header, ANNOTATED_COPY_JWS_TYPE, annotation.region, trust);
    if (!signer.ok) fail(signer.code, signer.detail);
    else {
      const verified = verifyDetachedJws(decoded, Buffer.from(canonicalJson(annotation), 'utf8'), signer.key);
      if (!verified.ok) fail('ANNOTATION_SIGNATURE_INVALID', `the copy's signature does not verify over its annotation (${verified.code})`);
      else {
        out.signerRootFingerprint = signer.rootFingerprint;
        out.signer = signerSummary(signer.leaf);
      }
    }
  }

  // Binding to the original.
  const license = (record['original'] as { license: Record<string, unknown> }).license;
  if (license['certificateIdentifier'] !== annotation.original.identifier) {
    fail('ANNOTATION_DIGEST_MISMATCH', `the copy references licence ${annotation.original.identifier}, it carries ${String(license['certificateIdentifier'])}`);
  } else if (license['certificateTypeCode'] !== annotation.original.typeCode) {
    fail('ANNOTATION_DIGEST_MISMATCH', `the copy references type ${annotation.original.typeCode}, the licence it carries is of ${String(license['certificateTypeCode'])}`);
  } else if (originalDigest(record['original']) !== annotation.original.digest.value) {
    fail('ANNOTATION_DIGEST_MISMATCH', 'the licence the copy carries is not the one it was made of (SHA-256 of its JCS bytes differs)');
  }

  failures.push(...checkAnnotationTime(annotation, trust.at));
  return out;
}

/** Who signed a copy, as the answer names it. */
export function signerSummary(leaf: ParsedCertificate): { keyId: string; subject: string; certificateSha256: string } {
  return { keyId: keyIdForCertificate(leaf.der), subject: leaf.subject.text, certificateSha256: leaf.fingerprint };
}

/** Made no later than the verification time allows; not past notAfter. */
export function checkAnnotationTime(annotation: Pick<Annotation, 'madeAt' | 'notAfter'>, at: Date): AnnotationFailure[] {
  const failures: AnnotationFailure[] = [];
  const madeAt = Date.parse(annotation.madeAt);
  const notAfter = Date.parse(annotation.notAfter);
  if (!Number.isFinite(madeAt) || !Number.isFinite(notAfter)) failures.push({ code: 'ANNOTATION_MALFORMED', detail: 'madeAt and notAfter must be times' });
  else {
    if (madeAt > at.getTime() + MAX_CLOCK_SKEW_MS) failures.push({ code: 'ANNOTATION_NOT_YET_VALID', detail: `the copy was made at ${annotation.madeAt}, later than the verification time ${at.toISOString()} allows` });
    if (at.getTime() > notAfter) failures.push({ code: 'ANNOTATION_EXPIRED', detail: `the copy was valid until ${annotation.notAfter}; verified at ${at.toISOString()}` });
  }
  return failures;
}
