import type { RecognitionRule, StatusListDocument, TrustListDocument } from '../../format/federation/documentTypes';
import { FederatedTrust, type AcceptedPeer, type HeldStatusList } from '../FederatedTrust';
import { FEDERATION_KINDS, type FederationKind } from './federationDocument';
import type { StatusBits } from '../../format/federation/StatusBits';
import { admitPeerDocument, type CertificateCache } from './trustListGate';

export interface BundleRefusal {
  kind: string;
  docId: string;
  code: string;
  message: string;
}

/**
 * A pinned root, optionally with the region it must speak for
 * ("<sha256>" or "<sha256>:<region code>", as --pin takes it).
 */
export function parsePin(pin: string): { rootSha256: string; regionCode: string | null } | null {
  const m = /^([0-9a-fA-F]{64})(?::([1-9][0-9]{5}))?$/.exec(pin.trim());
  return m ? { rootSha256: m[1]!.toLowerCase(), regionCode: m[2] ?? null } : null;
}

/**
 * Trust data read straight from a trust bundle (elicense trust export), for
 * verifying without a node: only documents under a pinned root are taken,
 * each through the same gate as a node's sync (signature, path to the pinned
 * root, schema, clock skew, the region named with the pin, departments
 * within it, not past nextUpdate plus the grace). Per root, trust lists of
 * one region only: when they name several and the pin names none, all are
 * refused (DOCUMENT_REGION_NOT_PINNED). The newest of that region's lists is
 * used, and only the status lists it announces are kept. Nothing is stored.
 */
export function trustFromBundle(
  bundle: unknown,
  opts: { pins: readonly string[]; at: Date; recognition?: readonly RecognitionRule[] },
): { trust: FederatedTrust; refused: BundleRefusal[] } {
  const refused: BundleRefusal[] = [];
  const docs = (bundle as { documents?: unknown }).documents;
  if (!Array.isArray(docs)) throw new TypeError('a trust bundle has a "documents" array');
  const pins = new Map<string, string | null>();
  for (const p of opts.pins) {
    const pin = parsePin(p);
    if (!pin) throw new TypeError(`a pin is the SHA-256 of a region root (64 hex digits), optionally followed by :<region code>: ${p}`);
    pins.set(pin.rootSha256, pin.regionCode);
  }
  type Entry = { kind: FederationKind; docId: string; body: string };
  const byRoot = new Map<string, Entry[]>();
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
    const entries = byRoot.get(root);
    if (entries) entries.push({ kind, docId, body: d.body });
    else byRoot.set(root, [{ kind, docId, body: d.body }]);
  }
  const peers: AcceptedPeer[] = [];
  const certificates: CertificateCache = new Map();
  for (const [rootSha256, entries] of byRoot) {
    const gate = { pinnedRootSha256: rootSha256, at: opts.at, configuredRegion: pins.get(rootSha256) ?? null, pinnedRegion: null, ownRegion: null, certificates };
    const lists: { docId: string; doc: TrustListDocument }[] = [];
    for (const e of entries) {
      if (e.kind !== 'trust-list') continue;
      const a = admitPeerDocument('trust-list', e.body, { ...gate, trustList: null });
      if (a.ok) lists.push({ docId: e.docId, doc: a.payload });
      else refused.push({ kind: e.kind, docId: e.docId, code: a.code, message: a.message });
    }
    const regions = new Set(lists.map((l) => l.doc.region.code));
    if (regions.size > 1) {
      // Nothing says which region this root speaks for: no list wins by being newest.
      for (const l of lists) refused.push({ kind: 'trust-list', docId: l.docId, code: 'DOCUMENT_REGION_NOT_PINNED', message: `trust lists of regions ${[...regions].sort().join(', ')} under one root; name the region with --pin <sha256>:<region>` });
      continue;
    }
    const trustList = lists.reduce<TrustListDocument | null>((best, l) => (!best || l.doc.sequence > best.sequence ? l.doc : best), null);
    if (!trustList) continue;
    const statusLists = new Map<string, HeldStatusList>();
    for (const e of entries) {
      if (e.kind !== 'status-list') continue;
      const a = admitPeerDocument('status-list', e.body, { ...gate, trustList });
      if (!a.ok) {
        refused.push({ kind: e.kind, docId: e.docId, code: a.code, message: a.message });
        continue;
      }
      const s: StatusListDocument = a.payload;
      const held = statusLists.get(s.listId);
      if (held && held.sequence >= s.sequence) continue;
      statusLists.set(s.listId, { listId: s.listId, uscc: s.uscc, bits: a.bits as StatusBits, sequence: s.sequence, issuedAt: new Date(s.issuedAt), ttlSeconds: s.ttlSeconds, fetchedAt: opts.at });
    }
    peers.push({ rootSha256, region: trustList.region, trustList: { doc: trustList, fetchedAt: opts.at }, statusLists });
  }
  const trust = new FederatedTrust(peers, opts.recognition ?? [], certificates);
  for (const { regionCode, roots } of trust.regionsUnderTwoRoots) {
    for (const root of roots) refused.push({ kind: 'trust-list', docId: 'current', code: 'DOCUMENT_REGION_MISMATCH', message: `region ${regionCode} is claimed under two pinned roots (this one ${root.slice(0, 16)}…)` });
  }
  return { trust, refused };
}
