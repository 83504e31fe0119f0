import type { CheckName, ReasonCode, WarningCode } from '../format/reasonCodes';
import type { TrustFreshnessDetail } from '../trust/TrustInputs';
import type { LicenseAttachments } from '../format/FullForm';
import type { AnnotatedCopyAnswer } from '../annotation/AnnotatedCopy';

export type CheckStatus = 'passed' | 'failed' | 'not_checked';

export interface CheckOutcome {
  check: CheckName;
  status: CheckStatus;
  /** Reason codes when failed; empty otherwise. */
  reasons: ReasonCode[];
  /** Plain-language explanation, for people; never contains key material. */
  detail?: string;
}

export interface SignerSummary {
  keyId: string;
  algorithm: string;
  subject: string;
  uscc?: string;
  divisionCode?: string;
  certificateSha256: string;
  notBefore: string;
  notAfter: string;
}

export interface TrustFreshness {
  /** Which source gave each piece of trust data, and as of when. */
  source: string;
  asOf: string | null;
  /** Per piece of trust data about the issuing region (trust list, status list, agreement), when known. */
  details?: TrustFreshnessDetail[];
}

export interface VerificationResult {
  result: 'accepted' | 'rejected';
  /** Every failure reason, in check order. Empty when accepted. */
  reasons: ReasonCode[];
  warnings: WarningCode[];
  checks: CheckOutcome[];
  /** The licence record as signed, when it could be read. */
  license: Record<string, unknown> | null;
  /**
   * The photos of the licence (field → {mediaType, data base64}), present only when the form carried them
   * and each hashes to the reference in the signed record (the attachments check passed). Never for a QR.
   */
  photos?: LicenseAttachments;
  signer: SignerSummary | null;
  /** The issuing department as the trust data lists it (name and region), when it is listed. */
  issuer: { uscc: string; name: string; regionCode: string } | null;
  /** The time the signer's path was validated at, and where that time came from. */
  signingTime: { value: string; source: 'timestamp' | 'verification-time' } | null;
  /** The licence status and how fresh it is, when a status source answered. */
  status: { value: 'valid' | 'revoked' | 'suspended'; asOf: string; source: string } | null;
  /** The local type code the licence is recognised as (mutual recognition); null when not recognised or not checked. */
  recognizedLocalType: string | null;
  /**
   * Present (true) only for a licence of a DEMO region: its signer's validated chain carries the elicense
   * demo-region certificate policy (docs/adr/0002). Such a licence has no legal effect, whatever else the answer says.
   */
  demo?: true;
  /**
   * Present only for an annotated copy (加注件, docs/adr/0012): the copy's terms (purpose, user department,
   * maker, made at, valid until, copy id, the original's identifier). `license` and the checks are then the
   * original's, with the copy's own failures (ANNOTATION_*) in the checks they belong to.
   */
  annotatedCopy?: AnnotatedCopyAnswer;
  /**
   * Present only when a holder's presentation QR (亮证, LP1:…) was presented: the node resolved the single-use
   * pointer at the holder's region (its own, or a peer's node) and verified the full form that came back.
   */
  presentation?: PresentationAnswer;
  trust: TrustFreshness;
  verifiedAt: string;
}

/** What a resolved presentation QR adds to the answer (docs/adr/0012, "Presentation"). */
export interface PresentationAnswer {
  /** The region whose node held the presentation (from the pointer, signed under that region's root). */
  region: string;
  presentationId: string | null;
  /** When the pointer was redeemed (it cannot be redeemed again). */
  presentedAt: string | null;
}
