import { CHECKS, type CheckName, type ReasonCode, type WarningCode } from '../format/reasonCodes';
import type { CheckOutcome, SignerSummary, VerificationResult } from './VerificationResult';
import type { TrustFreshnessDetail, TrustInputs } from '../trust/TrustInputs';
import type { LicenseAttachments } from '../format/FullForm';

/**
 * Checks that must pass for acceptance; status and recognition join when their trust data exists. A
 * mandatory check a form cannot have (attachments of a QR) is declared not applicable by its verifier.
 */
const MANDATORY: ReadonlySet<CheckName> = new Set(['format', 'schema', 'identifier', 'signature', 'attachments', 'chain', 'issuer', 'validity']);

/** Collects check outcomes in order and turns them into a VerificationResult. */
export class ResultBuilder {
  private readonly outcomes = new Map<CheckName, CheckOutcome>();
  private readonly notApplicableChecks = new Set<CheckName>();
  readonly warnings: WarningCode[] = [];
  license: Record<string, unknown> | null = null;
  /** The photos the attachments check bound to the signed record (full forms and PDFs of types with photos). */
  photos: LicenseAttachments | undefined;
  signer: SignerSummary | null = null;
  issuer: VerificationResult['issuer'] = null;
  signingTime: VerificationResult['signingTime'] = null;
  status: VerificationResult['status'] = null;
  recognizedLocalType: string | null = null;
  trustDetails: TrustFreshnessDetail[] | undefined;
  /** The signer's validated chain carries the demo-region certificate policy. */
  demo = false;

  pass(check: CheckName, detail?: string): void {
    this.outcomes.set(check, detail === undefined ? { check, status: 'passed', reasons: [] } : { check, status: 'passed', reasons: [], detail });
  }

  fail(check: CheckName, reason: ReasonCode, detail: string): void {
    const existing = this.outcomes.get(check);
    if (existing && existing.status === 'failed') {
      if (!existing.reasons.includes(reason)) existing.reasons.push(reason);
      existing.detail = existing.detail ? `${existing.detail}; ${detail}` : detail;
      return;
    }
    this.outcomes.set(check, { check, status: 'failed', reasons: [reason], detail });
  }

  notChecked(check: CheckName, detail: string): void {
    this.outcomes.set(check, { check, status: 'not_checked', reasons: [], detail });
  }

  /**
   * A check this form of the licence has nothing for (a QR carries no attachments): reported as not
   * checked, with why, and not held against acceptance. Only a verifier says this, by name; a check that
   * is merely never reached still rejects.
   */
  notApplicable(check: CheckName, detail: string): void {
    this.notChecked(check, detail);
    this.notApplicableChecks.add(check);
  }

  failed(check: CheckName): boolean {
    return this.outcomes.get(check)?.status === 'failed';
  }

  warn(code: WarningCode): void {
    if (!this.warnings.includes(code)) this.warnings.push(code);
  }

  build(trust: TrustInputs | null, at: Date): VerificationResult {
    // One pass over the checks in their order (this runs once per verification).
    const checks: CheckOutcome[] = [];
    const reasons: ReasonCode[] = [];
    // Accepted needs every check that exists at this stage to have actually passed:
    // a check that was skipped by mistake must never read as success.
    let mandatoryPassed = true;
    for (const check of CHECKS) {
      const c = this.outcomes.get(check) ?? { check, status: 'not_checked', reasons: [], detail: 'not reached' };
      checks.push(c);
      for (const r of c.reasons) reasons.push(r);
      if (MANDATORY.has(check) && c.status !== 'passed' && !(c.status === 'not_checked' && this.notApplicableChecks.has(check))) mandatoryPassed = false;
    }
    return {
      result: reasons.length === 0 && mandatoryPassed ? 'accepted' : 'rejected',
      reasons,
      warnings: this.warnings,
      checks,
      license: this.license,
      ...(this.photos !== undefined ? { photos: this.photos } : {}),
      signer: this.signer,
      issuer: this.issuer,
      signingTime: this.signingTime,
      status: this.status,
      recognizedLocalType: this.recognizedLocalType,
      ...(this.demo ? { demo: true as const } : {}),
      trust: {
        source: trust?.source ?? 'none',
        asOf: trust?.asOf ? isoTime(trust.asOf) : null,
        ...(this.trustDetails ? { details: this.trustDetails } : {}),
      },
      verifiedAt: isoTime(at),
    };
  }
}

/**
 * Date.toISOString of the instants last asked for: the trust data's time and a verification time repeat across
 * the verifications of a request, a batch or a worker's queue.
 */
const isoCache = { asOf: NaN, asOfIso: '', at: NaN, atIso: '' };
function isoTime(d: Date): string {
  const t = d.getTime();
  if (t === isoCache.asOf) return isoCache.asOfIso;
  if (t === isoCache.at) return isoCache.atIso;
  const iso = d.toISOString();
  // Two slots, so that the trust data's time and the verification time do not evict each other.
  isoCache.at = isoCache.asOf;
  isoCache.atIso = isoCache.asOfIso;
  isoCache.asOf = t;
  isoCache.asOfIso = iso;
  return iso;
}
