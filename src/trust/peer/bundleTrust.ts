import type { RecognitionRule, TrustListDocument } from '../../format/federation/documentTypes';
import type { StatusBits } from '../../format/federation/StatusBits';
import { FederatedTrust, type AcceptedPeer, type HeldStatusList } from '../FederatedTrust';
import type { FederationKind } from './federationDocument';
import { peerDocumentGate, readBundleEntry, regionsOfOtherPeers, type AcceptedBefore, type BundleEntry, type GateInput, type GateVerdict, type PeerPinning, type PriorCopy } from './peerDocumentGate';
import type { CertificateCache } from './trustListTerms';

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

const NOTHING_BEFORE: AcceptedBefore = { trustList: null, pinnedRegion: null, copy: null };

/**
 * Trust data read straight from a trust bundle (elicense trust export), for
 * verifying without a node. Nothing is stored, and nothing is decided here:
 * every document under a pinned root goes through the gate
 * (peerDocumentGate.ts) as a node's sync would take it, the pin's region as
 * the configured one and the other pins' regions as taken. Per root:
 *
 * - the trust lists are read alone first, for the regions they name (several
 *   and no region pinned: all are refused, DOCUMENT_REGION_NOT_PINNED), then
 *   taken in the bundle's order against the one held so far: a newer one
 *   replaces it, an older one or another with its sequence and no later issue
 *   time is refused (DOCUMENT_SEQUENCE_REPLAYED);
 * - the status lists are placed against the trust list held in the end, and
 *   sequenced against the copy held so far under their docId, the same way;
 * - agreements are not read (recognition comes from --federation).
 *
 * Entries of roots that were not pinned are ignored.
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
  const pinnings: PeerPinning[] = [...pins].map(([rootSha256, regionCode]) => ({ rootSha256, regionCode }));
  const byRoot = new Map<string, BundleEntry[]>();
  for (const raw of docs) {
    const read = readBundleEntry(raw);
    if (!read.ok) {
      refused.push({ kind: read.kind, docId: read.docId, code: read.code, message: read.message });
      continue;
    }
    if (!pins.has(read.entry.rootSha256)) continue; // a region this verifier does not trust: ignored, not an error
    const entries = byRoot.get(read.entry.rootSha256);
    if (entries) entries.push(read.entry);
    else byRoot.set(read.entry.rootSha256, [read.entry]);
  }
  const peers: AcceptedPeer[] = [];
  const certificates: CertificateCache = new Map();
  for (const [rootSha256, entries] of byRoot) {
    const peer: PeerPinning = { rootSha256, regionCode: pins.get(rootSha256) ?? null };
    const takenRegions = regionsOfOtherPeers(pinnings, new Map(), peer);
    const gate = <K extends FederationKind>(kind: K, e: BundleEntry, before: AcceptedBefore, more: Partial<GateInput<K>> = {}) =>
      peerDocumentGate<K>({ kind, jws: e.body, peer, docId: kind === 'status-list' ? e.docId : 'current', at: opts.at, before, ownRegion: null, takenRegions, certificates, ...more });
    const refuse = (e: BundleEntry, r: { code: string; message: string }) => refused.push({ kind: e.kind, docId: e.docId, code: r.code, message: r.message });

    const offered = new Set<string>();
    const candidates: BundleEntry[] = [];
    for (const e of entries) {
      if (e.kind !== 'trust-list') continue;
      const alone = gate('trust-list', e, NOTHING_BEFORE);
      if (!alone.ok) refuse(e, alone);
      else {
        offered.add(alone.region.code);
        candidates.push(e);
      }
    }
    let trustList = null as { doc: TrustListDocument; copy: PriorCopy } | null;
    for (const e of candidates) {
      const v: GateVerdict<'trust-list'> = gate('trust-list', e, { trustList: trustList?.doc ?? null, pinnedRegion: null, copy: trustList?.copy ?? null }, { offeredRegions: offered });
      if (!v.ok) refuse(e, v);
      else if (!v.unchanged) trustList = { doc: v.payload, copy: { sequence: v.sequence, issuedAt: v.issuedAt, body: v.body } };
    }
    if (!trustList) continue;

    const statusLists = new Map<string, HeldStatusList>();
    const copies = new Map<string, PriorCopy>();
    for (const e of entries) {
      if (e.kind !== 'status-list') continue;
      const v: GateVerdict<'status-list'> = gate('status-list', e, { trustList: trustList.doc, pinnedRegion: null, copy: copies.get(e.docId) ?? null });
      if (!v.ok) refuse(e, v);
      else if (!v.unchanged) {
        const s = v.payload;
        statusLists.set(v.docId, {
          listId: s.listId,
          uscc: s.uscc,
          bits: v.bits as StatusBits,
          sequence: s.sequence,
          issuedAt: v.issuedAt,
          ttlSeconds: s.ttlSeconds,
          fetchedAt: opts.at,
        });
        copies.set(v.docId, { sequence: v.sequence, issuedAt: v.issuedAt, body: v.body });
      }
    }
    peers.push({ rootSha256, region: trustList.doc.region, trustList: { doc: trustList.doc, fetchedAt: opts.at }, statusLists });
  }
  const trust = new FederatedTrust(peers, opts.recognition ?? [], certificates);
  for (const { regionCode, roots } of trust.regionsUnderTwoRoots) {
    for (const root of roots) refused.push({ kind: 'trust-list', docId: 'current', code: 'DOCUMENT_REGION_MISMATCH', message: `region ${regionCode} is claimed under two pinned roots (this one ${root.slice(0, 16)}…)` });
  }
  return { trust, refused };
}
