import { annotationMark, type Annotation } from '../annotation/AnnotatedCopy';
import type { AnnotationCheck, AnnotationFailure } from '../annotation/checkAnnotatedCopy';
import { REASON_CODES } from '../format/reasonCodes';
import type { TrustInputs } from '../trust/TrustInputs';
import type { VerificationResult } from './VerificationResult';

/**
 * An annotated copy's answer: the original's verification (every check of
 * the licence), with the copy's own failures placed in the check each is part
 * of (its format, signature and binding, signer chain, validity), and the
 * copy's terms in `annotatedCopy`. A copy is accepted only when the copy and
 * its original both are.
 */
export function withAnnotationOutcome(result: VerificationResult, check: AnnotationCheck, trust: TrustInputs, form: 'document' | 'qr'): VerificationResult {
  const failures: AnnotationFailure[] = [...check.failures];
  const annotation = check.annotation;
  // The platform of the licence's own region makes its copies: the copy's signer and the licence's issuer answer to one
  // region and one root. The issuer as verification found it (a document), or as the trust data lists the USCC the
  // identifier names (a QR, which carries no licence).
  const issuer =
    form === 'document'
      ? result.issuer && { regionCode: result.issuer.regionCode, listed: trust.lookupDepartment(result.issuer.uscc, result.issuer.regionCode) }
      : annotation && issuerListing(annotation.original.identifier, trust);
  if (annotation && issuer && check.signerRootFingerprint) {
    if (issuer.regionCode !== annotation.region) {
      failures.push({ code: 'ANNOTATION_SIGNER_UNTRUSTED', detail: `the copy names region ${annotation.region}, the licence's issuer is listed by region ${issuer.regionCode}` });
    } else if (issuer.listed?.anchorFingerprint !== undefined && issuer.listed.anchorFingerprint !== check.signerRootFingerprint) {
      failures.push({ code: 'ANNOTATION_SIGNER_UNTRUSTED', detail: "the copy is signed under another root than the licence's region" });
    }
  }
  for (const f of failures) {
    const name = REASON_CODES[f.code];
    const outcome = result.checks.find((c) => c.check === name);
    if (!outcome) continue;
    if (outcome.status !== 'failed') {
      outcome.status = 'failed';
      outcome.reasons = [];
      outcome.detail = undefined;
    }
    if (!outcome.reasons.includes(f.code)) outcome.reasons.push(f.code);
    outcome.detail = outcome.detail ? `${outcome.detail}; ${f.detail}` : f.detail;
  }
  result.reasons = result.checks.flatMap((c) => c.reasons);
  if (failures.length > 0) result.result = 'rejected';
  if (annotation) result.annotatedCopy = { ...annotatedCopyAnswer(annotation, form), ...(check.signer ? { signer: check.signer } : {}) };
  return result;
}

/** The issuing department of an identifier (its USCC segment) as the trust data lists it, when it is listed once. */
function issuerListing(identifier: string, trust: TrustInputs): { regionCode: string; listed: ReturnType<TrustInputs['lookupDepartment']> } | null {
  const uscc = identifier.split('.')[6];
  const listed = uscc ? trust.lookupDepartment(uscc) : undefined;
  return listed ? { regionCode: listed.regionCode, listed } : null;
}

export function annotatedCopyAnswer(a: Annotation, form: 'document' | 'qr'): NonNullable<VerificationResult['annotatedCopy']> {
  return {
    copyId: a.copyId,
    region: a.region,
    purpose: a.purpose,
    userDepartment: a.userDepartment,
    maker: a.maker,
    madeAt: a.madeAt,
    notAfter: a.notAfter,
    originalIdentifier: a.original.identifier,
    mark: annotationMark(a),
    form,
  };
}
