import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import { parseCertificate, type ParsedCertificate } from '../../pki/certificate/ParsedCertificate';
import { departmentIdentityOf } from '../../pki/departmentIdentity';
import type { PayloadOf, DocumentRefusal, FederationKind } from './federationDocument';
import { readFederationDocument } from './federationDocument';
import type { TrustListDocument } from '../../format/federation/documentTypes';
import { placeDocument } from './placeDocument';
import type { StatusBits } from '../../format/federation/StatusBits';

/**
 * How long past its nextUpdate a peer's trust list is still used (docs/adr/0006):
 * one missed re-signing cycle's worth of outage and clock skew, not more. After
 * it, the list's departments accept no licence, on a node and in the CLI alike.
 */
export const TRUST_LIST_GRACE_SECONDS = 3600;

export function trustListExpiresAt(list: Pick<TrustListDocument, 'nextUpdate'>): Date {
  return new Date(new Date(list.nextUpdate).getTime() + TRUST_LIST_GRACE_SECONDS * 1000);
}

/**
 * A GB/T 2260 division lies within a region: the same province for a
 * province-level region (xx0000), the same prefecture for a prefecture-level
 * one (xxxx00), the very code for a county-level one.
 */
export function divisionWithinRegion(division: string, region: string): boolean {
  if (!/^\d{6}$/.test(division) || !/^\d{6}$/.test(region)) return false;
  if (region.endsWith('0000')) return division.slice(0, 2) === region.slice(0, 2);
  if (region.endsWith('00')) return division.slice(0, 4) === region.slice(0, 4);
  return division === region;
}

/** The division a USCC was registered in (GB 32100: characters 3 to 8). */
export const usccDivision = (uscc: string): string => uscc.slice(2, 8);

/** What a verifier expects of a peer's region (each null when it has nothing to say). */
export interface RegionExpectation {
  /** From the federation file (peer.regionCode). */
  configuredRegion: string | null;
  /** Fixed by the first trust list accepted under the root (peer_sync_state.pinned_region_code). */
  pinnedRegion: string | null;
  /** The verifying node's own region: no peer may speak for it. */
  ownRegion: string | null;
  /** Regions configured or pinned for the verifier's other peers: one region, one root. */
  takenRegions?: ReadonlySet<string>;
}

export type GateOutcome = { ok: true; regionCode: string } | { ok: false; code: DocumentRefusal; message: string };

const refuse = (code: DocumentRefusal, message: string): GateOutcome => ({ ok: false, code, message });

/**
 * The rules a peer's trust list must meet beyond its signature, the same for
 * a sync, an import and the CLI's --bundle: its region is the one configured
 * or pinned for the root and never the verifier's own; every department (its
 * division code, the division its USCC was registered in, the division named
 * in its certificates) lies within that region; key ids are those of their
 * certificates; and it is not past nextUpdate plus the grace.
 */
/** at null: freshness not judged (re-checking stored copies; verification judges their age itself). */
/** Parsed certificates by their base64 text: shared by the gate and FederatedTrust so a reload parses each once (~0.7 ms). */
export type CertificateCache = Map<string, ParsedCertificate>;

export function gateTrustList(list: TrustListDocument, opts: RegionExpectation & { at: Date | null; certificates?: CertificateCache }): GateOutcome {
  const region = list.region.code;
  if (opts.ownRegion !== null && region === opts.ownRegion) {
    return refuse('DOCUMENT_REGION_OWN', `the trust list claims region ${region}, this verifier's own region`);
  }
  if (opts.configuredRegion !== null && region !== opts.configuredRegion) {
    return refuse('DOCUMENT_REGION_MISMATCH', `the trust list is for region ${region}; this peer is configured as region ${opts.configuredRegion}`);
  }
  if (opts.configuredRegion === null && opts.pinnedRegion !== null && region !== opts.pinnedRegion) {
    return refuse('DOCUMENT_REGION_MISMATCH', `the trust list is for region ${region}; this peer's root was pinned to region ${opts.pinnedRegion} by its first trust list`);
  }
  if (opts.takenRegions?.has(region)) {
    return refuse('DOCUMENT_REGION_MISMATCH', `the trust list is for region ${region}, which another configured peer's root already speaks for`);
  }
  if (opts.at !== null && opts.at > trustListExpiresAt(list)) {
    return refuse('DOCUMENT_EXPIRED', `the trust list's nextUpdate ${list.nextUpdate} plus ${TRUST_LIST_GRACE_SECONDS} s of grace has passed`);
  }
  const outside = (what: string) => refuse('DOCUMENT_DEPARTMENT_OUTSIDE_REGION', `${what} lies outside region ${region}`);
  const cache = opts.certificates;
  const cert = (b64: string): ParsedCertificate | null => {
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

export type Admission<K extends FederationKind> =
  | { ok: true; payload: PayloadOf[K]; issuedAt: Date; docId: string; bits?: StatusBits; regionCode: string }
  | { ok: false; code: DocumentRefusal; message: string };

/**
 * The one gate for a peer's document, whoever brings it (sync, import, the
 * CLI's bundle reader): read (signature, chain to the pinned root, schema,
 * clock), then for a trust list the region and freshness rules above, then
 * place it against the accepted trust list. Pure: what is kept, and the
 * sequence rules against the last kept copy, are the caller's.
 */
export function admitPeerDocument<K extends FederationKind>(
  kind: K,
  jws: string,
  ctx: RegionExpectation & { pinnedRootSha256: string; at: Date; maxBytes?: number; expectedDocId?: string; trustList: TrustListDocument | null; certificates?: CertificateCache },
): Admission<K> {
  const read = readFederationDocument(jws, { kind, pinnedRootSha256: ctx.pinnedRootSha256, at: ctx.at, ...(ctx.maxBytes !== undefined ? { maxBytes: ctx.maxBytes } : {}) });
  if (!read.ok) return read;
  if (kind === 'trust-list') {
    const gate = gateTrustList(read.payload as TrustListDocument, ctx);
    if (!gate.ok) return gate;
    // A trust list is placed against itself: the region rules above replace "same region as the last one".
    return { ok: true, payload: read.payload, issuedAt: read.issuedAt, docId: 'current', regionCode: gate.regionCode };
  }
  const placed = placeDocument(kind, read.payload, ctx.trustList, ctx.expectedDocId);
  if (!placed.ok) return placed;
  const regionCode = (read.payload as { region: { code: string } }).region.code;
  return { ok: true, payload: read.payload, issuedAt: read.issuedAt, docId: placed.docId, ...(placed.bits ? { bits: placed.bits } : {}), regionCode };
}
