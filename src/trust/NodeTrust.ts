import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { isElicenseError } from '../errors';
import type { Database } from '../store/Database';
import type { DepartmentStore } from '../store/DepartmentStore';
import { buildNodeSnapshot, type NodeDepartment, type NodeTrustSnapshot } from './buildNodeSnapshot';
import type { RegionStore } from '../store/RegionStore';
import type { SigningKeyStore } from '../store/SigningKeyStore';

export type { NodeDepartment, NodeTrustSnapshot } from './buildNodeSnapshot';

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
      const grants = new Map<string, string[]>();
      for (const g of await stores.departments.allGrants(tx)) grants.set(g.uscc, [...(grants.get(g.uscc) ?? []), g.typeCode]);
      // Public parts only: the sealed private keys stay out of the trust data (it is sent to verifier threads).
      const keys = (await stores.signingKeys.listAll(tx)).map(({ uscc, purpose, state, certificate, chain }) => ({ uscc, purpose, state, certificate, chain }));
      const departments = (await stores.departments.list(tx)).map((d) => ({ ...d, typeCodes: grants.get(d.uscc) ?? [] }));
      return buildNodeSnapshot({ version: v, region, departments, keys }, now);
    });
    this.#snapshot = snapshot;
    this.deps.logger.debug({ trustVersion: snapshot.version, departments: snapshot.departments.size }, 'trust inputs loaded');
    return snapshot;
  }
}
