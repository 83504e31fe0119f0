import type { TrustListDocument } from '../../federation/documentTypes';
import type { PeerConfig } from '../../federation/FederationConfig';
import { readFederationDocument, type DocumentRefusal, type FederationKind } from '../../federation/federationDocument';
import { placeDocument } from '../../federation/placeDocument';
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
 * The one gate for a peer's document, whether fetched by the scheduler or
 * imported from a bundle: signature and chain to the peer's pinned root
 * (readFederationDocument), the peer's region (a document of another region
 * is refused even under the right root), for a status list that the peer's
 * trust list announces it and that its bits inflate to the declared size,
 * and a sequence number not older than the last accepted copy. Refused
 * documents leave the last good copy untouched.
 */
export async function acceptPeerDocument(
  q: Queryable,
  store: FederationStore,
  peer: PeerConfig,
  kind: FederationKind,
  jws: string,
  /** trustList: the peer's accepted trust list when the caller has it parsed already (status lists of one round). */
  opts: { at: Date; etag: string | null; maxBytes: number; expectedDocId?: string; trustList?: TrustListDocument },
): Promise<AcceptOutcome> {
  const read = readFederationDocument(jws, { kind, pinnedRootSha256: peer.rootSha256, at: opts.at, maxBytes: opts.maxBytes });
  if (!read.ok) return read;
  const payload = read.payload as { region: { code: string; name: string }; sequence: number };
  const current = kind !== 'trust-list' && opts.trustList ? opts.trustList : await storedTrustList(q, store, peer);
  const placed = placeDocument(kind, read.payload, current, opts.expectedDocId);
  if (!placed.ok) return placed;
  const docId = placed.docId;
  const previous = await store.peerDocument(q, peer.rootSha256, kind, docId);
  if (previous) {
    if (payload.sequence < previous.sequence) {
      return { ok: false, code: 'DOCUMENT_SEQUENCE_REPLAYED', message: `sequence ${payload.sequence} is older than the accepted ${previous.sequence}` };
    }
    if (payload.sequence === previous.sequence && jws.trim() !== previous.body && read.issuedAt <= previous.issuedAt) {
      return { ok: false, code: 'DOCUMENT_SEQUENCE_REPLAYED', message: `a different document with the accepted sequence ${payload.sequence} and no later issue time` };
    }
  }
  const stored = await store.keepPeerDocument(q, {
    peerRootSha256: peer.rootSha256,
    kind,
    docId,
    sequence: payload.sequence,
    issuedAt: read.issuedAt,
    fetchedAt: opts.at,
    etag: opts.etag,
    body: jws.trim(),
  });
  if (!stored && previous) await store.touchPeerDocument(q, peer.rootSha256, kind, docId, opts.at);
  return { ok: true, stored, sequence: payload.sequence, docId, regionCode: payload.region.code, regionName: payload.region.name };
}
