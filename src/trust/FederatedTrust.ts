import { keyIdForCertificate } from '../crypto/keyIdForCertificate';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate/ParsedCertificate';
import type {
  DepartmentTrust,
  RecognitionAnswer,
  StatusAnswer,
  StatusQuery,
  TrustFreshnessDetail,
  TrustInputs,
} from './TrustInputs';
import type { RecognitionRule, RegionRef, TrustListDocument } from '../format/federation/documentTypes';
import { StatusBits } from '../format/federation/StatusBits';
import { divisionWithinRegion } from '../codes/divisionCode';
import { trustListExpiresAt, usccDivision, type CertificateCache } from './peer/trustListTerms';

/** A peer's status list as held in memory: the bitstring and how fresh it is. */
export interface HeldStatusList {
  listId: string;
  uscc: string;
  bits: StatusBits;
  sequence: number;
  issuedAt: Date;
  ttlSeconds: number;
  fetchedAt: Date;
}

/** Everything accepted from one peer region (last good copies). */
export interface AcceptedPeer {
  rootSha256: string;
  region: RegionRef;
  trustList: { doc: TrustListDocument; fetchedAt: Date };
  statusLists: ReadonlyMap<string, HeldStatusList>;
}

interface PeerDepartment extends DepartmentTrust {
  peer: AcceptedPeer;
}

/** A USCC listed by more than one region: each claim holds only where the USCC was registered (heldBy). */
export interface DepartmentConflict {
  uscc: string;
  regions: string[];
  heldBy: string[];
}

const der = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));

/** Whether a region may speak for a USCC that another region lists too: only if the USCC was registered within it. */
const claimHolds = (uscc: string, region: string): boolean => divisionWithinRegion(usccDivision(uscc), region);

/**
 * The trust data of peer regions, as verification reads it: built once from
 * the accepted documents (never by calling a peer), then every lookup is a
 * map read and every status an O(1) bit read. Departments and time-stamping
 * authorities are keyed by (region, id): a licence's region is the one whose
 * root its chain ends at, so no peer can shadow another's departments.
 * Combined with the node's own region data and its recognition agreement by
 * `combine`.
 */
export class FederatedTrust {
  readonly anchors: ParsedCertificate[] = [];
  /** USCC → region → the region's listing. */
  readonly #departments = new Map<string, Map<string, PeerDepartment>>();
  readonly #signers = new Map<string, { certificate: ParsedCertificate; intermediates: ParsedCertificate[] }>();
  /** region → key id (recomputed from the certificate) → certificate. */
  readonly #tsas = new Map<string, Map<string, ParsedCertificate>>();
  readonly #rootRegion = new Map<string, string>();
  readonly #peersByRegion = new Map<string, AcceptedPeer>();
  readonly #rules = new Map<string, RecognitionRule>();
  /** Per region, the oldest status list (freshness is reported per verification: no walk over the lists then). */
  readonly #oldestList = new Map<string, HeldStatusList>();
  /** Combined anchor lists by the own list they extend: the path cache keys on the list's identity. */
  readonly #combinedAnchors = new WeakMap<readonly ParsedCertificate[], readonly ParsedCertificate[]>();
  /** USCCs listed by more than one peer region, for operators (GET /v1/federation/peers). */
  readonly conflicts: DepartmentConflict[] = [];
  /** Regions whose trust lists came under more than one root: taken from none of them (one region, one root). */
  readonly regionsUnderTwoRoots: { regionCode: string; roots: string[] }[] = [];

  /** The peers taken (a region under two roots is taken from neither). */
  readonly peers: readonly AcceptedPeer[];

  constructor(
    peers: readonly AcceptedPeer[],
    /** The verifying region's own agreement: which peer types it recognises. */
    readonly agreement: readonly RecognitionRule[],
    /** Certificates parsed already (by the gate, for the same documents). */
    parsed: CertificateCache = new Map(),
  ) {
    for (const rule of agreement) this.#rules.set(`${rule.peerRegion}/${rule.peerTypeCode}`, rule);
    // Chains repeat the same intermediates for every department: parse each distinct certificate once.
    const cert = (b64: string): ParsedCertificate => {
      let c = parsed.get(b64);
      if (!c) parsed.set(b64, (c = parseCertificate(der(b64))));
      return c;
    };
    // One region, one root: a region claimed under two roots (pinned concurrently, or two pins of a bundle) wins silently under neither.
    const rootsOf = new Map<string, string[]>();
    for (const peer of peers) rootsOf.set(peer.region.code, [...(rootsOf.get(peer.region.code) ?? []), peer.rootSha256]);
    for (const [regionCode, roots] of rootsOf) if (roots.length > 1) this.regionsUnderTwoRoots.push({ regionCode, roots });
    this.peers = peers.filter((p) => rootsOf.get(p.region.code)!.length === 1);
    for (const peer of this.peers) {
      const list = peer.trustList.doc;
      const region = list.region.code;
      let oldest: HeldStatusList | undefined;
      for (const s of peer.statusLists.values()) if (!oldest || s.issuedAt < oldest.issuedAt) oldest = s;
      if (oldest) this.#oldestList.set(region, oldest);
      this.#peersByRegion.set(region, peer);
      const root = cert(list.rootCertificate);
      this.anchors.push(root);
      this.#rootRegion.set(root.fingerprint, region);
      const trustExpiresAt = trustListExpiresAt(list);
      const tsas = new Map<string, ParsedCertificate>();
      this.#tsas.set(region, tsas);
      for (const tsa of list.timestampAuthorities) {
        if (tsa.state === 'withdrawn') continue;
        const c = cert(tsa.certificate);
        // The key id is recomputed, never taken from the document.
        tsas.set(keyIdForCertificate(c.der), c);
      }
      for (const d of list.departments) {
        const usable = d.certificates.filter((c) => c.state !== 'withdrawn');
        const keyIds = new Set<string>();
        for (const c of usable) {
          const certificate = cert(c.certificate);
          const keyId = keyIdForCertificate(certificate.der);
          keyIds.add(keyId);
          this.#signers.set(keyId, { certificate, intermediates: c.chain.map(cert) });
        }
        let claims = this.#departments.get(d.uscc);
        if (!claims) this.#departments.set(d.uscc, (claims = new Map()));
        claims.set(region, {
          uscc: d.uscc,
          name: d.name,
          regionCode: region,
          authorizedTypeCodes: new Set(d.authorizedTypes.map((t) => t.typeCode)),
          authorizedSince: new Map(d.authorizedTypes.map((t) => [t.typeCode, new Date(t.since)])),
          keyIds,
          state: d.state,
          stateSince: d.stateSince ? new Date(d.stateSince) : null,
          anchorFingerprint: root.fingerprint,
          trustExpiresAt,
          peer,
        });
      }
    }
    // A USCC listed by several regions: reported, and only the claims of regions it was registered in are kept.
    for (const [uscc, claims] of this.#departments) {
      if (claims.size < 2) continue;
      const regions = [...claims.keys()].sort();
      const heldBy = regions.filter((r) => claimHolds(uscc, r));
      this.conflicts.push({ uscc, regions, heldBy });
      for (const r of regions) if (!heldBy.includes(r)) claims.delete(r);
    }
  }

  /**
   * A peer region's listing of a department: of the given region (the one whose
   * root the licence's chain ends at), or, with no region, the only region that
   * lists it (none when several do).
   */
  lookupDepartment(uscc: string, regionCode?: string): DepartmentTrust | undefined {
    const claims = this.#departments.get(uscc);
    if (!claims) return undefined;
    if (regionCode !== undefined) return claims.get(regionCode);
    return claims.size === 1 ? claims.values().next().value : undefined;
  }

  /** The peer region whose root has this SHA-256. */
  regionOfRoot(fingerprint: string): string | undefined {
    return this.#rootRegion.get(fingerprint);
  }

  /**
   * USCCs listed by more than one region, the node's own region included
   * (`own`): what operators are shown beside each peer.
   */
  conflictsWith(own: { regionCode: string; usccs: Iterable<string> } | null): DepartmentConflict[] {
    const out = [...this.conflicts];
    if (!own) return out;
    for (const uscc of own.usccs) {
      const claims = this.#departments.get(uscc);
      if (!claims || claims.size === 0) continue;
      const existing = out.findIndex((c) => c.uscc === uscc);
      const regions = [...new Set([own.regionCode, ...(existing >= 0 ? out[existing]!.regions : []), ...claims.keys()])].sort();
      const conflict = { uscc, regions, heldBy: regions.filter((r) => claimHolds(uscc, r)) };
      if (existing >= 0) out[existing] = conflict;
      else out.push(conflict);
    }
    return out;
  }

  lookupSignerCertificate(keyId: string): { certificate: ParsedCertificate; intermediates: ParsedCertificate[] } | undefined {
    return this.#signers.get(keyId);
  }

  /** A region's time-stamping authority by key id; with no region, only a key id a single region lists. */
  lookupTimestampAuthority(keyId: string, regionCode?: string): ParsedCertificate | undefined {
    if (regionCode !== undefined) return this.#tsas.get(regionCode)?.get(keyId);
    let found: ParsedCertificate | undefined;
    for (const tsas of this.#tsas.values()) {
      const c = tsas.get(keyId);
      if (c && found && c !== found) return undefined;
      found ??= c;
    }
    return found;
  }

  /** Status of a peer region's licence from that region's status list (O(1)); not_covered for anyone else's. */
  statusOf(q: StatusQuery, at: Date): StatusAnswer {
    const dept = this.lookupDepartment(q.issuerCode, q.issuerRegion) as PeerDepartment | undefined;
    if (!dept) return { kind: 'not_covered' };
    const region = dept.regionCode;
    const source = `region ${region} status list`;
    if (!q.statusEntry) return { kind: 'unknown', source: `${source} (the licence names no status entry)` };
    const list = dept.peer.statusLists.get(q.statusEntry.listId);
    if (!list || list.uscc !== q.issuerCode) return { kind: 'unknown', source: `${source} ${q.statusEntry.listId} (not held by this node)` };
    const value = list.bits.get(q.statusEntry.index);
    const named = `${source} ${list.listId} #${list.sequence}`;
    if (value === 'out_of_range' || value === 'unused') return { kind: 'unknown', source: named };
    const ageSeconds = (at.getTime() - list.issuedAt.getTime()) / 1000;
    const limit = this.#rules.get(`${region}/${q.typeCode}`)?.conditions.maxStatusAgeSeconds;
    if (ageSeconds > list.ttlSeconds) {
      return { kind: 'stale', status: value, asOf: list.issuedAt, source: named, detail: `status data from ${list.issuedAt.toISOString()} is past its time-to-live of ${list.ttlSeconds} s` };
    }
    if (limit !== undefined && ageSeconds > limit) {
      return { kind: 'stale', status: value, asOf: list.issuedAt, source: named, detail: `status data from ${list.issuedAt.toISOString()} is older than the agreement allows (${limit} s)` };
    }
    return { kind: 'status', status: value, asOf: list.issuedAt, source: named };
  }

  /** Recognition of a peer region's type under this region's agreement. */
  recognize(issuerRegionCode: string, typeCode: string): RecognitionAnswer {
    const rule = this.#rules.get(`${issuerRegionCode}/${typeCode}`);
    if (!rule) return { recognized: false, detail: `this region's recognition agreement does not accept type ${typeCode} of region ${issuerRegionCode}` };
    return { recognized: true, localTypeCode: rule.localTypeCode, basis: `recognition agreement: ${issuerRegionCode}/${typeCode} → ${rule.localTypeCode}` };
  }

  freshnessOf(regionCode: string, at: Date): TrustFreshnessDetail[] {
    const peer = this.#peersByRegion.get(regionCode);
    if (!peer) return [];
    const list = peer.trustList.doc;
    const details: TrustFreshnessDetail[] = [
      {
        data: 'trust-list',
        region: regionCode,
        source: `trust list of region ${regionCode} (${list.region.name})`,
        asOf: list.issuedAt,
        fetchedAt: peer.trustList.fetchedAt.toISOString(),
        sequence: list.sequence,
        stale: at > new Date(list.nextUpdate),
      },
    ];
    const oldest = this.#oldestList.get(regionCode);
    if (oldest) {
      details.push({
        data: 'status-list',
        region: regionCode,
        source: `status lists of region ${regionCode} (${peer.statusLists.size}; oldest shown)`,
        asOf: oldest.issuedAt.toISOString(),
        fetchedAt: oldest.fetchedAt.toISOString(),
        sequence: oldest.sequence,
        stale: at.getTime() - oldest.issuedAt.getTime() > oldest.ttlSeconds * 1000,
      });
    }
    return details;
  }

  /**
   * These regions' trust data on its own (no home region), e.g. for the CLI
   * verifying from a trust bundle. Recognition is judged only when an
   * agreement was given; otherwise it is reported as not checked.
   */
  asTrustInputs(opts: { source: string; at: () => Date; judgeRecognition: boolean }): TrustInputs {
    const anchors = this.anchors;
    return {
      anchors,
      source: opts.source,
      asOf: null,
      lookupDepartment: (uscc, region) => this.lookupDepartment(uscc, region),
      lookupTimestampAuthority: (keyId, region) => this.lookupTimestampAuthority(keyId, region),
      lookupSignerCertificate: (keyId) => this.lookupSignerCertificate(keyId),
      regionOfRoot: (fingerprint) => this.regionOfRoot(fingerprint),
      statusOf: (q, at) => this.statusOf(q, at),
      ...(opts.judgeRecognition ? { recognize: (region: string, typeCode: string) => this.recognize(region, typeCode) } : {}),
      freshnessOf: (region) => this.freshnessOf(region, opts.at()),
    };
  }

  /**
   * The trust inputs verification uses: the node's own region first (its
   * departments, status from its own records, its types recognised as
   * themselves), then the peers'. `ownAgreementSource` describes the local
   * agreement in freshness details.
   */
  combine(own: TrustInputs, opts: { ownRegionCode: string | null; at: () => Date; agreementAsOf: Date }): TrustInputs {
    const fed = this;
    const ownStatus = own.statusOf?.bind(own);
    const ownFreshness = own.freshnessOf?.bind(own);
    let anchors = this.#combinedAnchors.get(own.anchors);
    if (!anchors) {
      anchors = this.anchors.length === 0 ? own.anchors : [...own.anchors, ...this.anchors];
      this.#combinedAnchors.set(own.anchors, anchors);
    }
    const ownRegion = opts.ownRegionCode;
    const ownRoots = new Set(own.anchors.map((a) => a.fingerprint));
    // A peer never speaks for this region, nor for a department this region lists unless the USCC was registered in the peer's region.
    const peerClaim = (uscc: string, region?: string): DepartmentTrust | undefined => {
      const d = fed.lookupDepartment(uscc, region);
      if (!d || (ownRegion !== null && d.regionCode === ownRegion)) return undefined;
      if (own.lookupDepartment(uscc) && !claimHolds(uscc, d.regionCode)) return undefined;
      return d;
    };
    const isOwn = (region: string | undefined, uscc: string): boolean =>
      region !== undefined ? ownRegion !== null && region === ownRegion : own.lookupDepartment(uscc) !== undefined;
    return {
      anchors,
      source: this.peers.length > 0 ? `${own.source} and ${this.peers.length} peer region(s)` : own.source,
      asOf: own.asOf,
      lookupDepartment: (uscc, region) => (isOwn(region, uscc) ? own.lookupDepartment(uscc, region) : peerClaim(uscc, region)),
      lookupTimestampAuthority: (keyId, region) => {
        if (region === undefined) return own.lookupTimestampAuthority(keyId) ?? fed.lookupTimestampAuthority(keyId);
        return ownRegion !== null && region === ownRegion ? own.lookupTimestampAuthority(keyId, region) : fed.lookupTimestampAuthority(keyId, region);
      },
      lookupSignerCertificate: (keyId) => own.lookupSignerCertificate?.(keyId) ?? fed.lookupSignerCertificate(keyId),
      regionOfRoot: (fingerprint) => (ownRoots.has(fingerprint) ? (own.regionOfRoot?.(fingerprint) ?? ownRegion ?? undefined) : fed.regionOfRoot(fingerprint)),
      statusOf: (q, at) => {
        if (isOwn(q.issuerRegion, q.issuerCode)) return ownStatus ? ownStatus(q, at) : { kind: 'not_covered' };
        return fed.statusOf(q, at);
      },
      recognize: (region, typeCode) => {
        if (opts.ownRegionCode !== null && region === opts.ownRegionCode) {
          return { recognized: true, localTypeCode: typeCode, basis: 'issued in this region' };
        }
        return fed.recognize(region, typeCode);
      },
      freshnessOf: (region) => {
        const at = opts.at();
        if (opts.ownRegionCode !== null && region === opts.ownRegionCode) {
          return ownFreshness ? ownFreshness(region) : [{ data: 'local', region, source: own.source, asOf: own.asOf ? own.asOf.toISOString() : null }];
        }
        const details = fed.freshnessOf(region, at);
        details.push({ data: 'recognition-agreement', region: opts.ownRegionCode ?? '', source: "this region's recognition agreement", asOf: opts.agreementAsOf.toISOString() });
        return details;
      },
    };
  }
}
