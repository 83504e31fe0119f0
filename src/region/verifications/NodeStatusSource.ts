import { isElicenseError } from '../../errors';
import { fullFormDigest } from '../../forms/qr/compactLicense';
import { FULL_FORM_FORMAT } from '../../format/FullForm';
import type { LicenseKey } from '../../format/licenseKey';
import type { Clock } from '../../clock';
import type { Database } from '../../store/Database';
import type { LicenseStore } from '../../store/LicenseStore';
import type { NodeTrustSnapshot } from '../../trust/NodeTrust';
import type { StatusAnswer, StatusQuery } from '../../trust/TrustInputs';
import type { OwnStatusCache } from './OwnStatusCache';
import type { PresentedStatus } from '../../verify/workers/TrustSnapshot';

/** What the status lookup uses (a node's services fit it). */
export interface StatusSourceDeps {
  db: Database;
  clock: Clock;
  stores: { licenses: LicenseStore };
  ownStatus: Pick<OwnStatusCache, 'fromMemory'>;
}

/** The status of one presented licence, looked up before the pure verifier runs. */
export interface PrefetchedStatus {
  statusOf(query: StatusQuery): StatusAnswer;
  /** Set when the database could not be asked: the status check says why it was not done. */
  unavailable: boolean;
  /** The same answer as plain data, for a verifier thread (statusOfPresented gives back statusOf). */
  presented: PresentedStatus;
}

/** Answers not_covered to every query (statusOfPresented of it never matches a licence). */
const NOT_COVERED: PresentedStatus = { identifier: '', statusEntry: null, answer: { kind: 'not_covered' } };

/**
 * The shapes of what this node issues (identifiers, status list ids `<USCC>-<n>`). A presented value
 * of another shape was not issued here, and is never put into a lookup (a NUL in it was a 500).
 */
const ISSUED_IDENTIFIER = /^[0-9A-Za-z._-]{1,100}$/;
const ISSUED_LIST_ID = /^[0-9A-Za-z._-]{1,64}$/;

/**
 * The node answers status for its own region's licences from its database
 * (the system of record: always current), and `not_covered` for everyone
 * else's (peer status lists arrive with federation). The lookup happens
 * before verification, because the verifier itself is pure and synchronous.
 * An answer vouches only for what this node issued: the identifier at the
 * status slot the licence names, of its department. Anything else (a slot of
 * another licence, the identifier with another slot or none) is "unknown".
 */
export async function prefetchStatus(s: StatusSourceDeps, snapshot: NodeTrustSnapshot, key: LicenseKey | null): Promise<PrefetchedStatus> {
  const notCovered: PrefetchedStatus = { statusOf: () => ({ kind: 'not_covered' }), unavailable: false, presented: NOT_COVERED };
  if (!key || !snapshot.departments.has(key.issuerCode)) return notCovered;
  const { identifier, issuerCode: issuer } = key;
  const source = `region ${snapshot.region?.code ?? ''} issuing node`.replace('  ', ' ');
  const entry = key.statusEntry;
  const notIssued: StatusAnswer = {
    kind: 'unknown',
    source: `${source} (it issued no licence ${identifier} ${entry ? `at status slot ${entry.listId} #${entry.index}` : 'without a status entry'})`,
  };
  // Only the licence asked about, at the slot it names: a presented record naming another identifier or slot gets no answer from this one.
  const answering = (answer: StatusAnswer): PrefetchedStatus => ({
    statusOf: (q) => (q.identifier === identifier && q.statusEntry?.listId === entry?.listId && q.statusEntry?.index === entry?.index ? answer : { kind: 'not_covered' }),
    unavailable: false,
    presented: { identifier, statusEntry: entry ? { listId: entry.listId, index: entry.index } : null, answer },
  });
  if (!ISSUED_IDENTIFIER.test(identifier) || (entry && !ISSUED_LIST_ID.test(entry.listId))) return answering(notIssued);
  try {
    // A valid licence is answered from memory (no round trip); everything else from the database.
    const memory = await s.ownStatus.fromMemory(key);
    if (memory?.kind === 'valid') return answering({ kind: 'status', status: 'valid', asOf: memory.asOf, source });
    if (memory?.kind === 'not_issued') return answering(notIssued);
    // One small indexed read: status, slot and last reason only, never the record or the full form.
    const license = await s.stores.licenses.statusOf(s.db, identifier);
    const asOf = s.clock.now();
    let answer: StatusAnswer;
    if (!license || license.uscc !== issuer || !(entry ? license.statusListId === entry.listId && license.statusIndex === entry.index : await sameRecord(s, key))) answer = notIssued;
    else if (license.status === 'valid') answer = { kind: 'status', status: 'valid', asOf, source };
    else answer = { kind: 'status', status: license.status, asOf, source, since: license.updatedAt, ...(license.reason ? { reason: license.reason } : {}) };
    return answering(answer);
  } catch (e) {
    if (isElicenseError(e) && e.code === 'STORE_UNAVAILABLE') return { ...notCovered, unavailable: true };
    throw e;
  }
}

/**
 * Every licence this node issues names its status slot; only a QR from before
 * the QR carried it does not. Such a QR is bound to what was issued by its
 * digest of the record (rare: the one path that reads the record).
 */
async function sameRecord(s: StatusSourceDeps, key: LicenseKey): Promise<boolean> {
  if (!key.recordDigest) return false;
  const issued = await s.stores.licenses.get(s.db, key.identifier);
  if (!issued) return false;
  const digest = fullFormDigest({ format: FULL_FORM_FORMAT, license: issued.record, signature: '' });
  return Buffer.from(digest).equals(Buffer.from(key.recordDigest));
}
