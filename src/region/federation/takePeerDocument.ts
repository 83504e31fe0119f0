import type { TrustListDocument } from '../../format/federation/documentTypes';
import { payloadOf } from '../../format/federation/payloadOf';
import type { PeerConfig } from '../../trust/peer/FederationConfig';
import type { DocumentRefusal, FederationKind } from '../../trust/peer/federationDocument';
import { peerDocumentGate } from '../../trust/peer/peerDocumentGate';
import type { Queryable } from '../../store/Database';
import type { FederationStore } from '../../store/FederationStore';

export type TakeOutcome =
  | { ok: true; stored: boolean; sequence: number; docId: string; regionCode: string; regionName: string }
  | { ok: false; code: DocumentRefusal; message: string };

/**
 * A peer's document brought to this node (by the sync or a bundle import):
 * the last accepted copies are read from the store, the gate
 * (trust/peer/peerDocumentGate.ts) decides, and what it accepted is stored as
 * it says. A refused document leaves the last good copy untouched; an
 * accepted trust list pins the root to its region.
 */
export async function takePeerDocument(
  q: Queryable,
  store: FederationStore,
  peer: PeerConfig,
  kind: FederationKind,
  jws: string,
  opts: {
    at: Date;
    etag: string | null;
    maxBytes: number;
    /** Where it is offered: the listId asked for (status list); 'current' otherwise. */
    docId: string;
    /** The peer's accepted trust list when the caller has it parsed already (status lists of one round). */
    trustList?: TrustListDocument;
    ownRegionCode: string | null;
    /** Regions configured or pinned for the other configured peers. */
    takenRegions?: ReadonlySet<string>;
    /** The region this peer's root is pinned to (the caller reads the pins once per round or import). */
    pinnedRegion: string | null;
  },
): Promise<TakeOutcome> {
  const place = kind === 'status-list' ? opts.docId : 'current';
  const copy = await store.peerDocument(q, peer.rootSha256, kind, place);
  let trustList: TrustListDocument | null;
  if (kind === 'trust-list') trustList = copy ? payloadOf<TrustListDocument>(copy.body) : null;
  else if (opts.trustList) trustList = opts.trustList;
  else {
    const stored = await store.peerDocument(q, peer.rootSha256, 'trust-list', 'current');
    trustList = stored ? payloadOf<TrustListDocument>(stored.body) : null;
  }
  const pinnedRegion = kind === 'trust-list' ? opts.pinnedRegion : null;
  const verdict = peerDocumentGate({
    kind,
    jws,
    peer,
    docId: place,
    at: opts.at,
    maxBytes: opts.maxBytes,
    before: { trustList, pinnedRegion, copy },
    ownRegion: opts.ownRegionCode,
    ...(opts.takenRegions ? { takenRegions: opts.takenRegions } : {}),
  });
  if (!verdict.ok) return verdict;
  const stored = verdict.unchanged
    ? false
    : await store.keepPeerDocument(q, {
        peerRootSha256: peer.rootSha256,
        kind,
        docId: verdict.docId,
        sequence: verdict.sequence,
        issuedAt: verdict.issuedAt,
        fetchedAt: opts.at,
        etag: opts.etag,
        body: verdict.body,
      });
  if (!stored && copy) await store.touchPeerDocument(q, peer.rootSha256, kind, verdict.docId, opts.at);
  if (verdict.pinRegion !== null) await store.pinRegion(q, peer.rootSha256, peer.baseUrl, verdict.pinRegion);
  return { ok: true, stored, sequence: verdict.sequence, docId: verdict.docId, regionCode: verdict.region.code, regionName: verdict.region.name };
}
