import type { RecognitionRule, StatusListDocument, TrustListDocument } from './documentTypes';
import { FederatedTrust, type AcceptedPeer, type HeldStatusList } from './FederatedTrust';
import { FEDERATION_KINDS, readFederationDocument, type FederationKind } from './federationDocument';
import { placeDocument } from './placeDocument';

export interface BundleRefusal {
  kind: string;
  docId: string;
  code: string;
  message: string;
}

/**
 * Trust data read straight from a trust bundle (elicense trust export), for
 * verifying without a node: only documents under a pinned root are taken,
 * each fully checked at `at` (signature, path to the pinned root, schema,
 * clock skew); per region the newest trust list wins, and only the status
 * lists it announces are kept. Nothing is stored.
 */
export function trustFromBundle(
  bundle: unknown,
  opts: { pins: readonly string[]; at: Date; recognition?: readonly RecognitionRule[] },
): { trust: FederatedTrust; refused: BundleRefusal[] } {
  const refused: BundleRefusal[] = [];
  const docs = (bundle as { documents?: unknown }).documents;
  if (!Array.isArray(docs)) throw new TypeError('a trust bundle has a "documents" array');
  const pins = new Set(opts.pins.map((p) => p.toLowerCase()));
  const byRoot = new Map<string, { trustList?: TrustListDocument; lists: StatusListDocument[] }>();
  for (const raw of docs) {
    const d = raw as { kind?: unknown; docId?: unknown; rootSha256?: unknown; body?: unknown };
    const kind = d.kind as FederationKind;
    const docId = String(d.docId ?? '');
    const root = String(d.rootSha256 ?? '').toLowerCase();
    if (!FEDERATION_KINDS.includes(kind) || typeof d.body !== 'string') {
      refused.push({ kind: String(d.kind), docId, code: 'DOCUMENT_MALFORMED', message: 'each entry is {kind, docId, rootSha256, body}' });
      continue;
    }
    if (!pins.has(root)) continue; // a region this verifier does not trust: ignored, not an error
    const read = readFederationDocument(d.body, { kind, pinnedRootSha256: root, at: opts.at });
    if (!read.ok) {
      refused.push({ kind, docId, code: read.code, message: read.message });
      continue;
    }
    const entry = byRoot.get(root) ?? { lists: [] };
    byRoot.set(root, entry);
    if (kind === 'trust-list') {
      const t = read.payload as TrustListDocument;
      if (!entry.trustList || t.sequence > entry.trustList.sequence) entry.trustList = t;
    } else if (kind === 'status-list') entry.lists.push(read.payload as StatusListDocument);
  }
  const peers: AcceptedPeer[] = [];
  for (const [rootSha256, e] of byRoot) {
    if (!e.trustList) continue;
    const statusLists = new Map<string, HeldStatusList>();
    for (const s of e.lists) {
      const placed = placeDocument('status-list', s, e.trustList);
      if (!placed.ok) {
        refused.push({ kind: 'status-list', docId: s.listId, code: placed.code, message: placed.message });
        continue;
      }
      const held = statusLists.get(s.listId);
      if (held && held.sequence >= s.sequence) continue;
      statusLists.set(s.listId, { listId: s.listId, uscc: s.uscc, bits: placed.bits!, sequence: s.sequence, issuedAt: new Date(s.issuedAt), ttlSeconds: s.ttlSeconds, fetchedAt: opts.at });
    }
    peers.push({ rootSha256, region: e.trustList.region, trustList: { doc: e.trustList, fetchedAt: opts.at }, statusLists });
  }
  return { trust: new FederatedTrust(peers, opts.recognition ?? []), refused };
}
