import { parseCertificate } from '../../pki/certificate/ParsedCertificate';
import { ElicenseError } from '../../errors';
import { TRUST_BUNDLE_FORMAT, type TrustBundle, type TrustListDocument } from '../../format/federation/documentTypes';
import type { FederationConfig } from '../../trust/peer/FederationConfig';
import { FEDERATION_KINDS, type FederationKind } from '../../trust/peer/federationDocument';
import type { Database, Queryable } from '../../store/Database';
import type { FederationStore } from '../../store/FederationStore';
import { acceptPeerDocument, payloadOf, regionsOfOtherPeers } from '../../trust/peer/acceptPeerDocument';
import type { FederationPublisher } from './FederationPublisher';

export { TRUST_BUNDLE_FORMAT, type TrustBundle };

const MAX_BUNDLE_DOCUMENTS = 100_000;

export interface ImportReport {
  accepted: number;
  unchanged: number;
  refused: { kind: string; docId: string; rootSha256: string; code: string; message: string }[];
}

/** This region's current documents and the last good copies of every peer's. */
export async function exportTrustBundle(db: Database, store: FederationStore, publisher: FederationPublisher, at: Date): Promise<TrustBundle> {
  const own = await publisher.trustList();
  const ownList = payloadOf<TrustListDocument>(own.body);
  const rootSha256 = parseCertificate(new Uint8Array(Buffer.from(ownList.rootCertificate, 'base64'))).fingerprint;
  const documents: TrustBundle['documents'] = [{ kind: 'trust-list', docId: 'current', rootSha256, body: own.body }];
  const agreement = await publisher.agreement();
  documents.push({ kind: 'recognition-agreement', docId: 'current', rootSha256, body: agreement.body });
  for (const l of ownList.statusLists) {
    const doc = await publisher.statusList(l.listId);
    if (doc) documents.push({ kind: 'status-list', docId: l.listId, rootSha256, body: doc.body });
  }
  for (const d of await store.peerDocuments(db)) documents.push({ kind: d.kind, docId: d.docId, rootSha256: d.peerRootSha256, body: d.body });
  return { format: TRUST_BUNDLE_FORMAT, exportedAt: at.toISOString(), exportedBy: ownList.region.code, documents };
}

const ORDER: Record<FederationKind, number> = { 'trust-list': 0, 'recognition-agreement': 1, 'status-list': 2 };

/**
 * Imports the documents of configured peers from a bundle through the same
 * gate as a sync; documents of unknown roots, and trust lists claiming this
 * region (ownRegionCode), are refused.
 */
export async function importTrustBundle(q: Queryable, store: FederationStore, config: FederationConfig, bundle: unknown, at: Date, ownRegionCode: string | null): Promise<ImportReport> {
  if (typeof bundle !== 'object' || bundle === null || (bundle as { format?: unknown }).format !== TRUST_BUNDLE_FORMAT || !Array.isArray((bundle as { documents?: unknown }).documents)) {
    throw new ElicenseError('INPUT_MALFORMED', `a trust bundle is {"format": "${TRUST_BUNDLE_FORMAT}", "documents": [...]}`);
  }
  const docs = (bundle as { documents: unknown[] }).documents;
  if (docs.length > MAX_BUNDLE_DOCUMENTS) throw new ElicenseError('INPUT_TOO_LARGE', `a trust bundle holds at most ${MAX_BUNDLE_DOCUMENTS} documents`);
  const report: ImportReport = { accepted: 0, unchanged: 0, refused: [] };
  const pins = new Map((await store.syncStates(q)).map((s) => [s.peerRootSha256, s.pinnedRegionCode ?? null]));
  const entries = docs.map((d) => d as { kind?: unknown; docId?: unknown; rootSha256?: unknown; body?: unknown });
  entries.sort((a, b) => (ORDER[a.kind as FederationKind] ?? 9) - (ORDER[b.kind as FederationKind] ?? 9));
  for (const e of entries) {
    const kind = e.kind as FederationKind;
    const docId = typeof e.docId === 'string' ? e.docId : '';
    const root = typeof e.rootSha256 === 'string' ? e.rootSha256.toLowerCase() : '';
    const refuse = (code: string, message: string) => report.refused.push({ kind: String(e.kind), docId, rootSha256: root, code, message });
    if (!FEDERATION_KINDS.includes(kind) || typeof e.body !== 'string') {
      refuse('DOCUMENT_MALFORMED', 'each entry is {kind, docId, rootSha256, body}');
      continue;
    }
    const peer = config.peers.find((p) => p.rootSha256 === root);
    if (!peer) {
      refuse('PEER_UNKNOWN', 'no configured peer has this root');
      continue;
    }
    const outcome = await acceptPeerDocument(q, store, peer, kind, e.body, {
      at,
      etag: null,
      maxBytes: config.maxDocumentBytes,
      ownRegionCode,
      takenRegions: regionsOfOtherPeers(config.peers, pins, peer),
      pinnedRegion: pins.get(root) ?? null,
      ...(kind === 'status-list' ? { expectedDocId: docId } : {}),
    });
    if (outcome.ok && kind === 'trust-list') pins.set(root, outcome.regionCode);
    if (!outcome.ok) refuse(outcome.code, outcome.message);
    else if (outcome.stored) report.accepted++;
    else report.unchanged++;
  }
  return report;
}
