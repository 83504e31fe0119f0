import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { keyIdForCertificate } from '../crypto/keyIdForCertificate';
import { isElicenseError } from '../errors';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate/ParsedCertificate';
import type { Database } from '../store/Database';
import type { Department, DepartmentStore } from '../store/DepartmentStore';
import type { RegionRecord, RegionStore } from '../store/RegionStore';
import type { SigningKeyRecord, SigningKeyStore } from '../store/SigningKeyStore';
import type { DepartmentTrust, TrustInputs } from './TrustInputs';

/** One department as this node knows it: the stored record plus the licence types it may issue. */
export interface NodeDepartment extends Department {
  typeCodes: ReadonlySet<string>;
}

/** The region's trust data as loaded at one trust version. */
export interface NodeTrustSnapshot {
  /** trust_version when loaded: bumped by the database on every change to departments, grants, keys, region. */
  version: number;
  region: RegionRecord | null;
  departments: ReadonlyMap<string, NodeDepartment>;
  /** Trust inputs for the region's own licences (no status source: callers add one per request). */
  trust: TrustInputs;
  /** When the version was last confirmed against the database. */
  checkedAt: Date;
}

export interface NodeTrustDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  stores: { departments: DepartmentStore; signingKeys: SigningKeyStore; region: RegionStore };
}

export interface NodeTrustOptions {
  /** Verification re-checks the trust version at most this often (ms). Issuance always checks. */
  maxAgeMs?: number;
}

/**
 * Trust inputs for the node's own region, built from the database and cached.
 * Every process checks the database's trust version (one row, bumped by
 * triggers) before reusing its cache, so a department suspended or a key
 * rotated through another process is seen here too: issuance checks on every
 * call, verification at most every `maxAgeMs`. When the database cannot be
 * reached, verification keeps the last good copy (`stale`).
 */
export class NodeTrust {
  #snapshot: NodeTrustSnapshot | undefined;
  #checking: Promise<NodeTrustSnapshot> | undefined;
  readonly #maxAgeMs: number;

  constructor(private readonly deps: NodeTrustDeps, options: NodeTrustOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
  }

  /** Current trust data, confirmed against the database now (issuance, administration). */
  current(): Promise<NodeTrustSnapshot> {
    return (this.#checking ??= this.#refresh().finally(() => {
      this.#checking = undefined;
    }));
  }

  /**
   * Trust data for verification: the cache when it was confirmed within
   * maxAgeMs, otherwise re-checked; when the database is unavailable, the last
   * good copy marked stale (and the error when there is none).
   */
  async forVerification(): Promise<{ snapshot: NodeTrustSnapshot; stale: boolean }> {
    const cached = this.#snapshot;
    if (cached && this.deps.clock.now().getTime() - cached.checkedAt.getTime() < this.#maxAgeMs) return { snapshot: cached, stale: false };
    try {
      return { snapshot: await this.current(), stale: false };
    } catch (e) {
      if (cached && isElicenseError(e) && e.code === 'STORE_UNAVAILABLE') return { snapshot: cached, stale: true };
      throw e;
    }
  }

  /** Forget the cache (this process changed trust data and wants it seen at once). */
  invalidate(): void {
    this.#snapshot = undefined;
  }

  async #refresh(): Promise<NodeTrustSnapshot> {
    const { db, stores } = this.deps;
    const version = await stores.region.trustVersion(db);
    const now = this.deps.clock.now();
    const cached = this.#snapshot;
    if (cached && cached.version === version) {
      cached.checkedAt = now;
      return cached;
    }
    // Read everything in one transaction so the snapshot is consistent with `version`.
    const snapshot = await db.transaction(async (tx) => {
      const v = await stores.region.trustVersion(tx);
      const region = await stores.region.get(tx);
      // A fixed number of queries, however many departments the region has.
      const grants = new Map<string, Set<string>>();
      for (const g of await stores.departments.allGrants(tx)) {
        let set = grants.get(g.uscc);
        if (!set) grants.set(g.uscc, (set = new Set()));
        set.add(g.typeCode);
      }
      const keys = new Map<string, SigningKeyRecord[]>();
      const regionKeys: SigningKeyRecord[] = [];
      for (const k of await stores.signingKeys.listAll(tx)) {
        if (k.uscc === null) regionKeys.push(k);
        else keys.set(k.uscc, [...(keys.get(k.uscc) ?? []), k]);
      }
      const departments = new Map<string, NodeDepartment>();
      for (const d of await stores.departments.list(tx)) departments.set(d.uscc, { ...d, typeCodes: grants.get(d.uscc) ?? new Set() });
      return buildSnapshot(v, region, departments, keys, regionKeys, now);
    });
    this.#snapshot = snapshot;
    this.deps.logger.debug({ trustVersion: snapshot.version, departments: snapshot.departments.size }, 'trust inputs loaded');
    return snapshot;
  }
}

function buildSnapshot(
  version: number,
  region: RegionRecord | null,
  departments: Map<string, NodeDepartment>,
  keys: Map<string, SigningKeyRecord[]>,
  regionKeys: SigningKeyRecord[],
  now: Date,
): NodeTrustSnapshot {
  // Retired keys still vouch for what they signed; withdrawn keys do not.
  const usable = (k: SigningKeyRecord): boolean => k.state !== 'withdrawn';
  const anchors: ParsedCertificate[] = region ? [parseCertificate(region.rootCertificate)] : [];
  const trusted = new Map<string, DepartmentTrust>();
  for (const d of departments.values()) {
    trusted.set(d.uscc, {
      // This region's root: with peers' roots beside it, a signer or TSA under another root is not this region's.
      ...(anchors[0] ? { anchorFingerprint: anchors[0].fingerprint } : {}),
      uscc: d.uscc,
      name: d.name,
      regionCode: region?.code ?? '',
      authorizedTypeCodes: d.typeCodes,
      keyIds: new Set((keys.get(d.uscc) ?? []).filter((k) => k.purpose === 'licence_signing' && usable(k)).map((k) => keyIdForCertificate(k.certificate))),
      state: d.state,
      stateSince: d.stateSince,
    });
  }
  // Department certificates by key id, for forms that carry only the key id (the compact QR).
  const signerCertificates = new Map<string, { certificate: ParsedCertificate; intermediates: ParsedCertificate[] }>();
  for (const list of keys.values()) {
    for (const k of list) {
      if (k.purpose === 'licence_signing' && usable(k)) {
        signerCertificates.set(keyIdForCertificate(k.certificate), { certificate: parseCertificate(k.certificate), intermediates: k.chain.map((c) => parseCertificate(c)) });
      }
    }
  }
  const tsas = new Map<string, ParsedCertificate>();
  for (const k of regionKeys) {
    if (k.purpose === 'timestamping' && usable(k)) tsas.set(keyIdForCertificate(k.certificate), parseCertificate(k.certificate));
  }
  const snapshot: NodeTrustSnapshot = {
    version,
    region,
    departments,
    checkedAt: now,
    trust: {
      anchors,
      // Only this region's departments and authorities: asked for another region, there are none here.
      lookupDepartment: (uscc, regionCode) => (regionCode === undefined || regionCode === region?.code ? trusted.get(uscc) : undefined),
      lookupTimestampAuthority: (keyId, regionCode) => (regionCode === undefined || regionCode === region?.code ? tsas.get(keyId) : undefined),
      regionOfRoot: (fingerprint) => (region && anchors[0]?.fingerprint === fingerprint ? region.code : undefined),
      lookupSignerCertificate: (keyId) => signerCertificates.get(keyId),
      source: region ? `region ${region.code} (this node's database)` : "this node's database (no region set up)",
      asOf: now,
    },
  };
  // asOf follows the last confirmation, not the first load.
  Object.defineProperty(snapshot.trust, 'asOf', { get: () => snapshot.checkedAt, enumerable: true });
  return snapshot;
}
