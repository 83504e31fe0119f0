import { parseCertificate } from '../../pki/certificate/ParsedCertificate';
import { ElicenseError } from '../../errors';
import { TRUST_BUNDLE_FORMAT, type TrustBundle, type TrustListDocument } from '../../format/federation/documentTypes';
import type { FederationConfig } from '../../trust/peer/FederationConfig';
import type { FederationKind } from '../../trust/peer/federationDocument';
import { payloadOf } from '../../format/federation/payloadOf';
import { readBundleEntry, regionsOfOtherPeers } from '../../trust/peer/peerDocumentGate';
import type { Database, Queryable } from '../../store/Database';
import type { FederationStore } from '../../store/FederationStore';
import { takePeerDocument } from './takePeerDocument';
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
 * gate as a sync (takePeerDocument: trust/peer/peerDocumentGate.ts), trust
 * lists first; documents of unknown roots, and trust lists claiming this
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
  const entries = docs.map(readBundleEntry);
  // Trust lists first: the other documents are placed against them.
  const order = (e: (typeof entries)[number]) => ORDER[(e.ok ? e.entry.kind : e.kind) as FederationKind] ?? 9;
  entries.sort((a, b) => order(a) - order(b));
  // Each peer's current trust list, read once per import (not once per status list placed against it).
  const currentLists = new Map<string, TrustListDocument | null>();
  const currentList = async (root: string): Promise<TrustListDocument | null> => {
    if (!currentLists.has(root)) {
      const stored = await store.peerDocument(q, root, 'trust-list', 'current');
      currentLists.set(root, stored ? payloadOf<TrustListDocument>(stored.body) : null);
    }
    return currentLists.get(root)!;
  };
  for (const read of entries) {
    if (!read.ok) {
      report.refused.push({ kind: read.kind, docId: read.docId, rootSha256: read.rootSha256, code: read.code, message: read.message });
      continue;
    }
    const e = read.entry;
    const refuse = (code: string, message: string) => report.refused.push({ kind: e.kind, docId: e.docId, rootSha256: e.rootSha256, code, message });
    const peer = config.peers.find((p) => p.rootSha256 === e.rootSha256);
    if (!peer) {
      refuse('PEER_UNKNOWN', 'no configured peer has this root');
      continue;
    }
    const trustList = e.kind === 'trust-list' ? null : await currentList(e.rootSha256);
    const outcome = await takePeerDocument(q, store, peer, e.kind, e.body, {
      at,
      etag: null,
      maxBytes: config.maxDocumentBytes,
      docId: e.kind === 'status-list' ? e.docId : 'current',
      ownRegionCode,
      takenRegions: regionsOfOtherPeers(config.peers, pins, peer),
      pinnedRegion: pins.get(e.rootSha256) ?? null,
      ...(trustList ? { trustList } : {}),
    });
    if (outcome.ok && e.kind === 'trust-list') {
      pins.set(e.rootSha256, outcome.regionCode);
      currentLists.delete(e.rootSha256); // the list just taken is the current one now: read it again when needed
    }
    if (!outcome.ok) refuse(outcome.code, outcome.message);
    else if (outcome.stored) report.accepted++;
    else report.unchanged++;
  }
  return report;
}
