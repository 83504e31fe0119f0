import { isElicenseError } from '../../../errors';
import type { LicenceKey } from '../../../forms/verifyAnyForm';
import type { NodeServices } from '../../NodeServices';
import type { NodeTrustSnapshot } from '../../signing/NodeTrust';
import type { StatusAnswer, StatusQuery } from '../../../verify/TrustInputs';

/** The status of one presented licence, looked up before the pure verifier runs. */
export interface PrefetchedStatus {
  statusOf(query: StatusQuery): StatusAnswer;
  /** Set when the database could not be asked: the status check says why it was not done. */
  unavailable: boolean;
}

const MAX_IDENTIFIER = 100;

/**
 * The node answers status for its own region's licences from its database
 * (the system of record: always current), and `not_covered` for everyone
 * else's (peer status lists arrive with federation). The lookup happens
 * before verification, because the verifier itself is pure and synchronous.
 */
export async function prefetchStatus(s: NodeServices, snapshot: NodeTrustSnapshot, key: LicenceKey | null): Promise<PrefetchedStatus> {
  const identifier = key?.identifier;
  const issuer = key?.issuerCode;
  const notCovered: PrefetchedStatus = { statusOf: () => ({ kind: 'not_covered' }), unavailable: false };
  if (identifier === undefined || identifier.length > MAX_IDENTIFIER || issuer === undefined || !snapshot.departments.has(issuer)) return notCovered;
  const source = `region ${snapshot.region?.code ?? ''} issuing node`.replace('  ', ' ');
  try {
    // A valid licence is answered from memory (no round trip); everything else from the database.
    const valid = await s.ownStatus.validFromMemory(key?.statusEntry, issuer);
    if (valid) {
      const answer: StatusAnswer = { kind: 'status', status: 'valid', asOf: valid.asOf, source };
      return { statusOf: (q) => (q.identifier === identifier && q.statusEntry?.listId === key?.statusEntry?.listId && q.statusEntry?.index === key?.statusEntry?.index ? answer : { kind: 'not_covered' }), unavailable: false };
    }
    // One small indexed read: status and last reason only, never the record or the full form.
    const licence = await s.stores.licences.statusOf(s.db, identifier);
    const asOf = s.clock.now();
    let answer: StatusAnswer;
    if (!licence || licence.uscc !== issuer) answer = { kind: 'unknown', source };
    else if (licence.status === 'valid') answer = { kind: 'status', status: 'valid', asOf, source };
    else answer = { kind: 'status', status: licence.status, asOf, source, since: licence.updatedAt, ...(licence.reason ? { reason: licence.reason } : {}) };
    // Only the licence asked about: a presented record naming another identifier gets no answer from this one.
    return { statusOf: (q) => (q.identifier === identifier ? answer : { kind: 'not_covered' }), unavailable: false };
  } catch (e) {
    if (isElicenseError(e) && e.code === 'STORE_UNAVAILABLE') return { ...notCovered, unavailable: true };
    throw e;
  }
}
