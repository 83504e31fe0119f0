import type { VerificationResult } from './VerificationResult';

/**
 * What a node adds to a verification result before answering (POST /v1/verifications and everything that
 * answers like it): why the status could not be checked, and that its own trust data is the last good copy.
 * Applied where the result is made — in the request's thread or on a verifier thread — so both answer alike.
 */
export interface NodeAnswerNotes {
  /** The node's status database could not be asked. */
  statusUnavailable: boolean;
  /** The node's own trust data is the last good copy (its database could not be read). */
  trustStale: boolean;
}

export function applyNodeAnswerNotes(result: VerificationResult, notes: NodeAnswerNotes): void {
  if (notes.statusUnavailable) {
    const check = result.checks.find((c) => c.check === 'status');
    if (check && check.status === 'not_checked') check.detail = "the issuing node's status database is unavailable right now; the licence status was not checked";
  }
  if (notes.trustStale) result.trust.source += ' (last good copy: the database is unavailable)';
}

/**
 * The few facts of a result a node counts and decides on (metrics, statistics, the size cap of a form) — all a
 * verifier thread sends back beside the answer's JSON text, so the full result never crosses threads twice.
 */
export interface VerificationDigest {
  result: VerificationResult['result'];
  /** The licence's certificateTypeCode and certificateIssuingAuthorityCode as presented (any JSON value). */
  typeCode: unknown;
  issuerCode: unknown;
  /** Signature and chain checks both passed: the issuer code is attested by its signer. */
  attested: boolean;
  /** The issuer as the trust data lists it (uscc and region), when it was found there. */
  issuer: { uscc: string; regionCode: string } | null;
  /** The first check's detail when the form met its own size cap (INPUT_TOO_LARGE), else null. */
  tooLarge: string | null;
}

export function verificationDigest(result: VerificationResult): VerificationDigest {
  const record = result.license;
  const passed = (name: string) => result.checks.some((c) => c.check === name && c.status === 'passed');
  return {
    result: result.result,
    typeCode: record?.['certificateTypeCode'],
    issuerCode: record?.['certificateIssuingAuthorityCode'],
    attested: passed('signature') && passed('chain'),
    issuer: result.issuer ? { uscc: result.issuer.uscc, regionCode: result.issuer.regionCode } : null,
    tooLarge: result.reasons.includes('INPUT_TOO_LARGE') ? (result.checks[0]?.detail ?? 'input too large') : null,
  };
}
