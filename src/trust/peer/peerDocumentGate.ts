import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import type { RegionRef, StatusListDocument, TrustListDocument } from '../../format/federation/documentTypes';
import { FEDERATION_KINDS } from '../../format/federation/documentTypes';
import { StatusBits } from '../../format/federation/StatusBits';
import { parseCertificate, type ParsedCertificate } from '../../pki/certificate/ParsedCertificate';
import { departmentIdentityOf } from '../../pki/departmentIdentity';
import { readFederationDocument, type DocumentRefusal, type FederationKind, type PayloadOf } from './federationDocument';
import { divisionWithinRegion } from '../../codes/divisionCode';
import { TRUST_LIST_GRACE_SECONDS, trustListExpiresAt, usccDivision, type CertificateCache } from './trustListTerms';

export type { DocumentRefusal } from './federationDocument';

/*
 * WHERE A PEER'S DOCUMENT IS ACCEPTED OR REFUSED
 *
 * Every signed document of another region (trust list, status list,
 * recognition agreement) goes through peerDocumentGate below, whoever brings
 * it: the sync scheduler (region/federation/FederationSync.ts), a bundle
 * imported into a node (region/federation/trustBundle.ts), and the CLI's
 * `verify --bundle` (trust/peer/bundleTrust.ts). The gate is pure: no I/O,
 * the time and what was accepted before are passed in; the caller stores or
 * holds what the gate accepts, exactly as the verdict says. The first step
 * that fails decides, with its stable code:
 *
 *  0. Bundles only, before a document exists (readBundleEntry): an entry that
 *     is not {kind, docId, rootSha256, body} → DOCUMENT_MALFORMED. A node's
 *     import refuses a root of no configured peer (PEER_UNKNOWN); the CLI
 *     ignores roots that were not pinned.
 *  1. The signature read (readFederationDocument, federationDocument.ts,
 *     through crypto/jws): larger than the cap → DOCUMENT_TOO_LARGE (the sync
 *     cuts a download off at the same cap before it reaches the gate, with
 *     the same code); not a compact JWS, a signature of impossible length, bad
 *     base64url, header or x5c shape, kid not the signer's, payload not
 *     strict JSON, a trust list's rootCertificate not the x5c root →
 *     DOCUMENT_MALFORMED; typ of another kind → DOCUMENT_WRONG_KIND; x5c not
 *     ending at the pinned root → DOCUMENT_ROOT_MISMATCH; no valid path from
 *     the signer to that root now, with the trust-list-signing EKU →
 *     DOCUMENT_CHAIN_INVALID; signature → DOCUMENT_SIGNATURE_INVALID; schema
 *     → DOCUMENT_SCHEMA_INVALID; issued later than the clock allows →
 *     DOCUMENT_FROM_FUTURE.
 *  2. A trust list: its region (gateTrustList, in order)
 *     a. the verifier's own region → DOCUMENT_REGION_OWN
 *     b. not the region configured for the peer → DOCUMENT_REGION_MISMATCH
 *     c. none configured: not the region the root is pinned to (the pin, else
 *        the region of the trust list accepted before) → DOCUMENT_REGION_MISMATCH
 *     d. none configured or pinned, and the trust lists offered together under
 *        this root (a bundle read without a store) name several regions →
 *        DOCUMENT_REGION_NOT_PINNED (no list wins by being newest)
 *     e. a region another configured peer's root speaks for → DOCUMENT_REGION_MISMATCH
 *     f. past nextUpdate plus TRUST_LIST_GRACE_SECONDS → DOCUMENT_EXPIRED
 *     g. every time-stamping authority and department within the region:
 *        unreadable certificate → DOCUMENT_MALFORMED; key id not its
 *        certificate's → DOCUMENT_KEY_ID_MISMATCH; a certificate naming
 *        another USCC → DOCUMENT_MALFORMED; a division code, USCC
 *        registration or certificate division outside the region →
 *        DOCUMENT_DEPARTMENT_OUTSIDE_REGION.
 *  3. Any other document: its place, against the trust list accepted before
 *     (placeDocument below)
 *     a. for another region than that trust list → DOCUMENT_REGION_MISMATCH
 *     b. no trust list accepted yet → DOCUMENT_REGION_MISMATCH
 *     c. a status list other than the one asked for → DOCUMENT_WRONG_KIND
 *     d. a status list the trust list does not announce for its USCC →
 *        DOCUMENT_REGION_MISMATCH
 *     e. status bits that do not inflate to the declared size → DOCUMENT_MALFORMED
 *  4. The sequence, against the last accepted copy at the same place
 *     (judgeSequence below): older → DOCUMENT_SEQUENCE_REPLAYED; the same
 *     sequence with other content and no later issue time →
 *     DOCUMENT_SEQUENCE_REPLAYED; the same document → accepted, unchanged;
 *     newer (or the same sequence re-issued later) → accepted, replaces.
 *
 * After the gate, verification itself leaves out a region whose trust lists
 * were accepted under two roots (FederatedTrust.regionsUnderTwoRoots), and a
 * node re-checks its stored trust lists with gateTrustList (at null) when it
 * rebuilds peer trust (NodeFederation.buildPeers).
 */

/** How a peer is pinned: its root's SHA-256, and the region it must speak for when configured (federation file, or --pin <sha256>:<region>). */
export interface PeerPinning {
  rootSha256: string;
  regionCode?: string | null | undefined;
}

/** A copy accepted before: enough to judge a newcomer's sequence. */
export interface PriorCopy {
  sequence: number;
  issuedAt: Date;
  body: string;
}

/** What was accepted from this peer before (all null for a first contact). */
export interface AcceptedBefore {
  /** The peer's accepted trust list: a status list or agreement is placed against it. */
  trustList: TrustListDocument | null;
  /** The region the root was pinned to by its first accepted trust list (stored pin). */
  pinnedRegion: string | null;
  /** The last accepted copy of this kind at the same place (docId). */
  copy: PriorCopy | null;
}

export interface GateInput<K extends FederationKind> {
  kind: K;
  jws: string;
  peer: PeerPinning;
  /** Where the document is offered: the listId asked for (status list); 'current' for the others. */
  docId: string;
  at: Date;
  maxBytes?: number;
  before: AcceptedBefore;
  /** The verifying node's own region (null: none, e.g. the CLI). */
  ownRegion: string | null;
  /** Regions configured or pinned for the verifier's other peers (regionsOfOtherPeers). */
  takenRegions?: ReadonlySet<string>;
  /** Regions named by the trust lists offered together under this root, when read without a store (a bundle). */
  offeredRegions?: ReadonlySet<string>;
  certificates?: CertificateCache;
}

export type GateRefusal = { ok: false; code: DocumentRefusal; message: string };

/** Accepted: what to store (body, sequence, issuedAt at kind/docId) and what it changes. */
export type GateAcceptance<K extends FederationKind> = {
  ok: true;
  kind: K;
  docId: string;
  payload: PayloadOf[K];
  region: RegionRef;
  sequence: number;
  issuedAt: Date;
  /** The document as it is stored (trimmed). */
  body: string;
  /** The very copy accepted before: nothing to store, only "confirmed now". */
  unchanged: boolean;
  /** A trust list whose region differs from the root's pin: pin the root to this region. */
  pinRegion: string | null;
  /** A status list's bits, read once. */
  bits?: StatusBits;
};

export type GateVerdict<K extends FederationKind> = GateAcceptance<K> | GateRefusal;

const refuse = (code: DocumentRefusal, message: string): GateRefusal => ({ ok: false, code, message });

/** The one gate (steps 1 to 4 above). */
export function peerDocumentGate<K extends FederationKind>(input: GateInput<K>): GateVerdict<K> {
  const { kind, before } = input;
  // 1. signature read
  const read = readFederationDocument(input.jws, { kind, pinnedRootSha256: input.peer.rootSha256, at: input.at, ...(input.maxBytes !== undefined ? { maxBytes: input.maxBytes } : {}) });
  if (!read.ok) return read;
  const payload = read.payload as PayloadOf[K] & { region: RegionRef; sequence: number };
  let docId = 'current';
  let bits: StatusBits | undefined;
  let pinRegion: string | null = null;
  if (kind === 'trust-list') {
    // 2. region of a trust list (a root with a stored list but no pin is pinned to that list's region)
    const pinned = before.pinnedRegion ?? before.trustList?.region.code ?? null;
    const region = gateTrustList(payload as TrustListDocument, {
      at: input.at,
      configuredRegion: input.peer.regionCode ?? null,
      pinnedRegion: pinned,
      ownRegion: input.ownRegion,
      ...(input.takenRegions ? { takenRegions: input.takenRegions } : {}),
      ...(input.offeredRegions ? { offeredRegions: input.offeredRegions } : {}),
      ...(input.certificates ? { certificates: input.certificates } : {}),
    });
    if (!region.ok) return region;
    if (pinned !== region.regionCode) pinRegion = region.regionCode;
  } else {
    // 3. place of any other document
    const placed = placeDocument(kind, payload, before.trustList, input.docId);
    if (!placed.ok) return placed;
    docId = placed.docId;
    bits = placed.bits;
  }
  // 4. sequence
  const body = input.jws.trim();
  const sequence = judgeSequence({ sequence: payload.sequence, issuedAt: read.issuedAt, body }, before.copy);
  if (!sequence.ok) return sequence;
  return {
    ok: true,
    kind,
    docId,
    payload,
    region: { code: payload.region.code, name: payload.region.name },
    sequence: payload.sequence,
    issuedAt: read.issuedAt,
    body,
    unchanged: sequence.unchanged,
    pinRegion,
    ...(bits ? { bits } : {}),
  };
}

/** What a verifier expects of a peer's region (each null when it has nothing to say). */
export interface RegionExpectation {
  /** From the federation file (peer.regionCode) or the --pin. */
  configuredRegion: string | null;
  /** Fixed by the first trust list accepted under the root (peer_sync_state.pinned_region_code). */
  pinnedRegion: string | null;
  /** The verifying node's own region: no peer may speak for it. */
  ownRegion: string | null;
  /** Regions configured or pinned for the verifier's other peers: one region, one root. */
  takenRegions?: ReadonlySet<string>;
  /** Regions of the trust lists offered together under this root without a store to pin one (step 2d). */
  offeredRegions?: ReadonlySet<string>;
}

export type TrustListVerdict = { ok: true; regionCode: string } | GateRefusal;

/**
 * Step 2: the rules a peer's trust list meets beyond its signature. at null:
 * freshness not judged (re-checking stored copies; verification judges their
 * age itself).
 */
export function gateTrustList(list: TrustListDocument, opts: RegionExpectation & { at: Date | null; certificates?: CertificateCache }): TrustListVerdict {
  const region = list.region.code;
  // a
  if (opts.ownRegion !== null && region === opts.ownRegion) {
    return refuse('DOCUMENT_REGION_OWN', `the trust list claims region ${region}, this verifier's own region`);
  }
  // b
  if (opts.configuredRegion !== null && region !== opts.configuredRegion) {
    return refuse('DOCUMENT_REGION_MISMATCH', `the trust list is for region ${region}; this peer is configured as region ${opts.configuredRegion}`);
  }
  // c
  if (opts.configuredRegion === null && opts.pinnedRegion !== null && region !== opts.pinnedRegion) {
    return refuse('DOCUMENT_REGION_MISMATCH', `the trust list is for region ${region}; this peer's root was pinned to region ${opts.pinnedRegion} by its first trust list`);
  }
  // d
  if (opts.configuredRegion === null && opts.pinnedRegion === null && opts.offeredRegions && [...opts.offeredRegions].some((r) => r !== region)) {
    const all = [...new Set([region, ...opts.offeredRegions])].sort().join(', ');
    return refuse('DOCUMENT_REGION_NOT_PINNED', `trust lists of regions ${all} under one root; name the region with --pin <sha256>:<region>`);
  }
  // e
  if (opts.takenRegions?.has(region)) {
    return refuse('DOCUMENT_REGION_MISMATCH', `the trust list is for region ${region}, which another configured peer's root already speaks for`);
  }
  // f
  if (opts.at !== null && opts.at > trustListExpiresAt(list)) {
    return refuse('DOCUMENT_EXPIRED', `the trust list's nextUpdate ${list.nextUpdate} plus ${TRUST_LIST_GRACE_SECONDS} s of grace has passed`);
  }
  // g
  const outside = (what: string) => refuse('DOCUMENT_DEPARTMENT_OUTSIDE_REGION', `${what} lies outside region ${region}`);
  const cert = certificateReader(opts.certificates);
  for (const t of list.timestampAuthorities) {
    const c = cert(t.certificate);
    if (!c) return refuse('DOCUMENT_MALFORMED', 'a time-stamping certificate is unreadable');
    if (keyIdForCertificate(c.der) !== t.keyId) return refuse('DOCUMENT_KEY_ID_MISMATCH', `time-stamping key id ${t.keyId} is not the one of its certificate`);
    const division = departmentIdentityOf(c).divisionCode;
    if (division !== null && !divisionWithinRegion(division, region)) return outside(`the time-stamping authority's division ${division}`);
  }
  for (const d of list.departments) {
    if (!divisionWithinRegion(d.divisionCode, region)) return outside(`department ${d.uscc}'s division ${d.divisionCode}`);
    if (!divisionWithinRegion(usccDivision(d.uscc), region)) return outside(`department ${d.uscc} (registered in ${usccDivision(d.uscc)})`);
    for (const k of d.certificates) {
      const c = cert(k.certificate);
      if (!c) return refuse('DOCUMENT_MALFORMED', `a certificate of department ${d.uscc} is unreadable`);
      if (keyIdForCertificate(c.der) !== k.keyId) return refuse('DOCUMENT_KEY_ID_MISMATCH', `key id ${k.keyId} of department ${d.uscc} is not the one of its certificate`);
      const id = departmentIdentityOf(c);
      if (id.uscc !== null && id.uscc !== d.uscc) return refuse('DOCUMENT_MALFORMED', `a certificate listed for department ${d.uscc} names ${id.uscc}`);
      if (id.divisionCode !== null && !divisionWithinRegion(id.divisionCode, region)) return outside(`department ${d.uscc}'s certificate division ${id.divisionCode}`);
    }
  }
  return { ok: true, regionCode: region };
}

function certificateReader(cache: CertificateCache | undefined): (b64: string) => ParsedCertificate | null {
  return (b64) => {
    const hit = cache?.get(b64);
    if (hit) return hit;
    try {
      const c = parseCertificate(new Uint8Array(Buffer.from(b64, 'base64')));
      cache?.set(b64, c);
      return c;
    } catch {
      return null;
    }
  };
}

type Placement = { ok: true; docId: string; bits?: StatusBits } | GateRefusal;

/** Step 3: where a status list or agreement belongs, against the peer's accepted trust list. */
function placeDocument(kind: Exclude<FederationKind, 'trust-list'>, payload: { region: RegionRef }, trustList: TrustListDocument | null, askedFor: string): Placement {
  const region = payload.region.code;
  // a
  if (trustList && region !== trustList.region.code) {
    return refuse('DOCUMENT_REGION_MISMATCH', `the document is for region ${region}; this peer is region ${trustList.region.code}`);
  }
  // b
  if (!trustList) return refuse('DOCUMENT_REGION_MISMATCH', 'no trust list of this peer has been accepted yet: its other documents cannot be placed');
  if (kind === 'recognition-agreement') return { ok: true, docId: 'current' };
  const list = payload as StatusListDocument;
  // c
  if (askedFor !== list.listId) return refuse('DOCUMENT_WRONG_KIND', `asked for status list ${askedFor}, got ${list.listId}`);
  // d
  const announced = trustList.statusLists.find((l) => l.listId === list.listId);
  if (!announced || announced.uscc !== list.uscc) {
    return refuse('DOCUMENT_REGION_MISMATCH', `status list ${list.listId} of ${list.uscc} is not announced by the peer's trust list`);
  }
  // e
  try {
    return { ok: true, docId: list.listId, bits: StatusBits.fromCompressed(list.bits, list.capacity) };
  } catch (e) {
    return refuse('DOCUMENT_MALFORMED', e instanceof Error ? e.message : 'status bits unreadable');
  }
}

/** Step 4: a newcomer against the last accepted copy at its place (newest wins; a rollback is refused). */
export function judgeSequence(next: PriorCopy, copy: PriorCopy | null): { ok: true; unchanged: boolean } | GateRefusal {
  if (!copy) return { ok: true, unchanged: false };
  if (next.sequence < copy.sequence) {
    return refuse('DOCUMENT_SEQUENCE_REPLAYED', `sequence ${next.sequence} is older than the accepted ${copy.sequence}`);
  }
  if (next.sequence === copy.sequence && next.body !== copy.body && next.issuedAt <= copy.issuedAt) {
    return refuse('DOCUMENT_SEQUENCE_REPLAYED', `a different document with the accepted sequence ${next.sequence} and no later issue time`);
  }
  return { ok: true, unchanged: next.sequence === copy.sequence && next.body === copy.body };
}

/** The regions the other configured peers speak for (configured, else pinned): the input of step 2e. */
export function regionsOfOtherPeers(peers: readonly PeerPinning[], pins: ReadonlyMap<string, string | null | undefined>, peer: PeerPinning): Set<string> {
  const taken = new Set<string>();
  for (const p of peers) {
    if (p.rootSha256 === peer.rootSha256) continue;
    const region = p.regionCode ?? pins.get(p.rootSha256) ?? null;
    if (region !== null) taken.add(region);
  }
  return taken;
}

/** One document of a trust bundle file. */
export interface BundleEntry {
  kind: FederationKind;
  docId: string;
  rootSha256: string;
  body: string;
}

/** Step 0: an entry of a bundle's documents array, or its refusal (kind, docId and root as far as they can be read). */
export function readBundleEntry(raw: unknown): { ok: true; entry: BundleEntry } | (GateRefusal & { kind: string; docId: string; rootSha256: string }) {
  const e = (typeof raw === 'object' && raw !== null ? raw : {}) as { kind?: unknown; docId?: unknown; rootSha256?: unknown; body?: unknown };
  const docId = typeof e.docId === 'string' ? e.docId : '';
  const rootSha256 = typeof e.rootSha256 === 'string' ? e.rootSha256.toLowerCase() : '';
  if (!FEDERATION_KINDS.includes(e.kind as FederationKind) || typeof e.body !== 'string') {
    return { ok: false, code: 'DOCUMENT_MALFORMED', message: 'each entry is {kind, docId, rootSha256, body}', kind: String(e.kind), docId, rootSha256 };
  }
  return { ok: true, entry: { kind: e.kind as FederationKind, docId, rootSha256, body: e.body } };
}
