import type { TrustInputs } from '../trust/TrustInputs';
import type { ResultBuilder } from './ResultBuilder';

/**
 * Step 8, status, for every licence form (full form, QR, PDF, any form): the
 * one place verification asks a status source about a licence and decides on
 * its answer. The source (trust.statusOf) is whatever the verifier was given:
 * a peer region's status lists, the issuing node's own records, or none. Its
 * answer is judged here: valid passes; revoked and suspended reject; a source
 * that covers the issuer but does not know the licence rejects
 * (STATUS_UNKNOWN, never read as valid); stale data rejects (STATUS_STALE,
 * with the last known revocation or suspension); no source, or none covering
 * the issuer, leaves the check not checked with a warning.
 */
export function checkStatus(record: Record<string, unknown>, trust: TrustInputs, rb: ResultBuilder, at: Date): void {
  const identifier = record['certificateIdentifier'];
  const issuerCode = record['certificateIssuingAuthorityCode'];
  const typeCode = record['certificateTypeCode'];
  if (!trust.statusOf || typeof identifier !== 'string' || typeof issuerCode !== 'string' || typeof typeCode !== 'string') {
    rb.notChecked('status', 'no status data for this issuer');
    rb.warn('STATUS_NOT_CHECKED');
    return;
  }
  const entry = record['statusEntry'] as { listId: string; index: number } | undefined;
  // The region the issuer check established, so a source keyed by (region, USCC) answers for the right one.
  const region = rb.issuer?.regionCode;
  const answer = trust.statusOf({ identifier, issuerCode, typeCode, ...(entry ? { statusEntry: entry } : {}), ...(region ? { issuerRegion: region } : {}) }, at);
  switch (answer.kind) {
    case 'not_covered':
      rb.notChecked('status', 'no status data for this issuer');
      rb.warn('STATUS_NOT_CHECKED');
      return;
    case 'unknown':
      rb.fail('status', 'STATUS_UNKNOWN', `${answer.source} does not know this licence`);
      return;
    case 'stale':
      rb.status = { value: answer.status, asOf: answer.asOf.toISOString(), source: answer.source };
      rb.fail('status', 'STATUS_STALE', answer.detail);
      if (answer.status === 'revoked') rb.fail('status', 'LICENSE_REVOKED', 'revoked (as of the last status data)');
      else if (answer.status === 'suspended') rb.fail('status', 'LICENSE_SUSPENDED', 'suspended (as of the last status data)');
      return;
    case 'status': {
      rb.status = { value: answer.status, asOf: answer.asOf.toISOString(), source: answer.source };
      const why = answer.reason ? `: ${answer.reason}` : '';
      if (answer.status === 'revoked') rb.fail('status', 'LICENSE_REVOKED', `revoked${answer.since ? ` since ${answer.since.toISOString()}` : ''}${why}`);
      else if (answer.status === 'suspended') rb.fail('status', 'LICENSE_SUSPENDED', `suspended${answer.since ? ` since ${answer.since.toISOString()}` : ''}${why}`);
      else rb.pass('status', `valid as of ${answer.asOf.toISOString()} (${answer.source})`);
    }
  }
}
