import type { TrustListDocument } from '../../format/federation/documentTypes';
import type { PeerConfig } from './FederationConfig';
import type { DocumentRefusal, FederationKind } from './federationDocument';
import { admitPeerDocument } from './trustListGate';
import type { Queryable } from '../../store/Database';
import type { FederationStore } from '../../store/FederationStore';

export type AcceptOutcome =
  | { ok: true; stored: boolean; sequence: number; docId: string; regionCode: string; regionName: string }
  | { ok: false; code: DocumentRefusal; message: string };

/** Decodes the payload of a document this node accepted earlier (its own store is trusted). */
export function payloadOf<T>(jws: string): T {
  const part = jws.slice(jws.indexOf('.') + 1, jws.lastIndexOf('.'));
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as T;
}

async function storedTrustList(q: Queryable, store: FederationStore, peer: PeerConfig): Promise<TrustListDocument | null> {
  const stored = await store.peerDocument(q, peer.rootSha256, 'trust-list', 'current');
  return stored ? payloadOf<TrustListDocument>(stored.body) : null;
}

/**
 * A peer's document, whether fetched by the scheduler or imported from a
 * bundle, goes through the one gate (admitPeerDocument: signature and chain
 * to the pinned root, the peer's configured or pinned region and never this
 * node's own, departments within it, not expired; for a status list that the
 * trust list announces it) and then must not be older than the last accepted
 * copy. Refused documents leave the last good copy untouched; an accepted
 * trust list pins the root to its region.
 */
/** The regions the other configured peers speak for (configured, else pinned), for the one-region-one-root rule. */
export function regionsOfOtherPeers(peers: readonly PeerConfig[], pins: ReadonlyMap<string, string | null | undefined>, peer: PeerConfig): Set<string> {
  const taken = new Set<string>();
  for (const p of peers) {
    if (p.rootSha256 === peer.rootSha256) continue;
    const region = p.regionCode ?? pins.get(p.rootSha256) ?? null;
    if (region !== null) taken.add(region);
  }
  return taken;
}

export async function acceptPeerDocument(
  q: Queryable,
  store: FederationStore,
  peer: PeerConfig,
  kind: FederationKind,
  jws: string,
  /** trustList: the peer's accepted trust list when the caller has it parsed already (status lists of one round). */
  opts: {
    at: Date;
    etag: string | null;
    maxBytes: number;
    expectedDocId?: string;
    trustList?: TrustListDocument;
    ownRegionCode: string | null;
    /** Regions configured or pinned for the other configured peers. */
    takenRegions?: ReadonlySet<string>;
    /** The region this peer's root is pinned to, when the caller has read it already (absent: read here). */
    pinnedRegion?: string | null;
  },
): Promise<AcceptOutcome> {
  const current = kind !== 'trust-list' && opts.trustList ? opts.trustList : await storedTrustList(q, store, peer);
  // A root with a stored list but no pin (accepted before pins existed) is pinned to that list's region.
  const pinned = kind === 'trust-list' ? ((opts.pinnedRegion !== undefined ? opts.pinnedRegion : await store.pinnedRegion(q, peer.rootSha256)) ?? current?.region.code ?? null) : null;
  const admitted = admitPeerDocument(kind, jws, {
    pinnedRootSha256: peer.rootSha256,
    at: opts.at,
    maxBytes: opts.maxBytes,
    ...(opts.expectedDocId !== undefined ? { expectedDocId: opts.expectedDocId } : {}),
    trustList: current,
    configuredRegion: peer.regionCode ?? null,
    pinnedRegion: pinned,
    ownRegion: opts.ownRegionCode,
    ...(opts.takenRegions ? { takenRegions: opts.takenRegions } : {}),
  });
  if (!admitted.ok) return admitted;
  const payload = admitted.payload as { region: { code: string; name: string }; sequence: number };
  const docId = admitted.docId;
  const previous = await store.peerDocument(q, peer.rootSha256, kind, docId);
  if (previous) {
    if (payload.sequence < previous.sequence) {
      return { ok: false, code: 'DOCUMENT_SEQUENCE_REPLAYED', message: `sequence ${payload.sequence} is older than the accepted ${previous.sequence}` };
    }
    if (payload.sequence === previous.sequence && jws.trim() !== previous.body && admitted.issuedAt <= previous.issuedAt) {
      return { ok: false, code: 'DOCUMENT_SEQUENCE_REPLAYED', message: `a different document with the accepted sequence ${payload.sequence} and no later issue time` };
    }
  }
  const stored = await store.keepPeerDocument(q, {
    peerRootSha256: peer.rootSha256,
    kind,
    docId,
    sequence: payload.sequence,
    issuedAt: admitted.issuedAt,
    fetchedAt: opts.at,
    etag: opts.etag,
    body: jws.trim(),
  });
  if (!stored && previous) await store.touchPeerDocument(q, peer.rootSha256, kind, docId, opts.at);
  if (kind === 'trust-list' && pinned !== admitted.regionCode) await store.pinRegion(q, peer.rootSha256, peer.baseUrl, admitted.regionCode);
  return { ok: true, stored, sequence: payload.sequence, docId, regionCode: payload.region.code, regionName: payload.region.name };
}
