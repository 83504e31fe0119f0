import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { RecognitionAgreement, StatusListDocument, TrustListDocument } from '../../format/federation/documentTypes';
import { FederatedTrust, type AcceptedPeer, type HeldStatusList } from '../../trust/FederatedTrust';
import type { FederationConfig } from '../../trust/peer/FederationConfig';
import { gateTrustList } from '../../trust/peer/peerDocumentGate';
import { trustListExpiresAt, type CertificateCache } from '../../trust/peer/trustListTerms';
import { StatusBits } from '../../format/federation/StatusBits';
import type { Database } from '../../store/Database';
import type { FederationStore, PeerDocument } from '../../store/FederationStore';
import { isElicenseError } from '../../errors';
import type { FederationPublisher } from './FederationPublisher';
import { payloadOf } from '../../format/federation/payloadOf';
import { FederationSync, type PeerSyncReport } from './FederationSync';

export interface NodeFederationDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  store: FederationStore;
  publisher: FederationPublisher;
  /** The node's own region (its code, its departments): no peer may speak for it; shared USCCs are reported. */
  ownTrust?: { current(): Promise<{ region: { code: string } | null; departments: ReadonlyMap<string, unknown> }> };
  fetch?: typeof fetch;
}

/** One peer's state for operators (GET /v1/federation/peers). */
export interface PeerView {
  label: string | null;
  baseUrl: string;
  rootFingerprint: string;
  regionCode: string | null;
  /** The region this peer's root is pinned to: configured in the federation file, or fixed by its first accepted trust list. */
  pinnedRegionCode: string | null;
  name: string | null;
  state: 'ok' | 'stale' | 'failing' | 'never_synced';
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  nextAttemptAt: string | null;
  lastError: { code: string; message: string } | null;
  /** acceptsLicencesUntil: nextUpdate plus the grace; past it the peer's licences are rejected (TRUST_LIST_EXPIRED). */
  trustList: { sequence: number; issuedAt: string; nextUpdate: string; acceptsLicencesUntil: string; fetchedAt: string; departments: number } | null;
  agreement: { sequence: number; issuedAt: string; fetchedAt: string; accepts: number } | null;
  statusLists: { count: number; oldestIssuedAt: string | null; fetchedAt: string | null } | null;
  /** Departments (USCC) this peer lists that another region lists too: each region's claim holds only for chains to its own root. */
  conflicts: { uscc: string; regions: string[]; heldBy: string[] }[];
}

/**
 * The node's federation: what it publishes (FederationPublisher), what it
 * pulls (FederationSync, on a schedule), and the peer trust verification
 * reads — rebuilt from the last good copies in the database whenever the
 * federation version moves, re-checked at most once a second, so every
 * process of the node sees what any of them synced.
 */
export class NodeFederation {
  readonly sync: FederationSync;
  #cache: { version: number; trust: FederatedTrust; checkedAt: number } | undefined;
  #loading: Promise<FederatedTrust> | undefined;
  /** Set when this process changed peer documents: the next request waits for the re-check. */
  #mustWait = false;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  /** Since when this node's recognition agreement (its configuration) is in force: the agreement's "as of". */
  readonly configuredAt: Date;

  constructor(private readonly deps: NodeFederationDeps, readonly config: FederationConfig) {
    this.configuredAt = deps.clock.now();
    this.sync = new FederationSync(
      { db: deps.db, clock: deps.clock, logger: deps.logger, store: deps.store, ownRegionCode: () => this.#ownRegionCode(), ...(deps.fetch ? { fetch: deps.fetch } : {}) },
      config,
    );
  }

  async #ownRegionCode(): Promise<string | null> {
    return (await this.deps.ownTrust?.current())?.region?.code ?? null;
  }

  get publisher(): FederationPublisher {
    return this.deps.publisher;
  }

  /**
   * Peer trust for verification (the last good copies). Re-checked against the
   * federation version at most once a second; a rebuild (another process took
   * new documents) happens in the background while requests keep the previous
   * copy, except right after this process changed documents itself.
   */
  async peerTrust(): Promise<FederatedTrust> {
    const cached = this.#cache;
    const now = this.deps.clock.now().getTime();
    if (cached && !this.#mustWait && now - cached.checkedAt < 1000) return cached.trust;
    const loading = (this.#loading ??= this.#reload(cached).finally(() => {
      this.#loading = undefined;
    }));
    if (!cached || this.#mustWait) {
      this.#mustWait = false;
      return loading;
    }
    loading.catch(() => undefined);
    return cached.trust;
  }

  /** This process synced or imported: the next verification re-checks (and waits for) the peer documents. */
  invalidate(): void {
    this.#mustWait = true;
  }

  async #reload(cached: { version: number; trust: FederatedTrust; checkedAt: number } | undefined): Promise<FederatedTrust> {
    const { db, store, clock } = this.deps;
    try {
      const version = await store.federationVersion(db);
      if (cached && cached.version === version) {
        cached.checkedAt = clock.now().getTime();
        return cached.trust;
      }
      const docs = await store.peerDocuments(db);
      const pins = new Map((await store.syncStates(db)).map((s) => [s.peerRootSha256, s.pinnedRegionCode ?? null]));
      const certificates: CertificateCache = new Map();
      const peers = buildPeers(this.config, docs, this.deps.logger, { ownRegionCode: await this.#ownRegionCode(), pins, certificates });
      const trust = new FederatedTrust(peers, this.config.recognition, certificates);
      for (const t of trust.regionsUnderTwoRoots) this.deps.logger.error(t, 'two configured peers hold trust lists of one region; both are left out');
      if (trust.conflicts.length > 0) this.deps.logger.warn({ conflicts: trust.conflicts.slice(0, 20) }, 'departments listed by more than one peer region: each claim holds only where the USCC was registered');
      this.#cache = { version, trust, checkedAt: clock.now().getTime() };
      return trust;
    } catch (e) {
      if (cached && isElicenseError(e) && e.code === 'STORE_UNAVAILABLE') return cached.trust;
      throw e;
    }
  }

  /** One sync round now (operators, CLI, tests). */
  async syncNow(opts: { force?: boolean } = {}): Promise<PeerSyncReport[]> {
    const reports = await this.sync.runOnce(opts);
    this.invalidate();
    return reports;
  }

  /** Starts the schedule (no peers: nothing to do). */
  start(): void {
    if (this.config.peers.length === 0 || !this.config.autoSync || this.#timer) return;
    const tick = () => {
      if (this.#running) return;
      this.#running = this.sync
        .runOnce()
        .then(() => this.invalidate())
        .catch((e: unknown) => this.deps.logger.error({ err: e }, 'federation sync round failed'))
        .finally(() => {
          this.#running = undefined;
        });
    };
    // Back-off is per peer (next_attempt_at): ticking at a fraction of the interval lets retries come sooner.
    this.#timer = setInterval(tick, Math.max(1000, Math.min(this.config.syncIntervalSeconds * 1000, 60_000) / 4));
    this.#timer.unref();
    tick();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async peerViews(): Promise<PeerView[]> {
    const { db, store, clock } = this.deps;
    const states = new Map((await store.syncStates(db)).map((s) => [s.peerRootSha256, s]));
    const docs = await store.peerDocuments(db);
    const now = clock.now();
    const own = await this.deps.ownTrust?.current();
    const conflicts = (await this.peerTrust()).conflictsWith(own?.region ? { regionCode: own.region.code, usccs: own.departments.keys() } : null);
    return this.config.peers.map((p) => {
      const s = states.get(p.rootSha256);
      const mine = docs.filter((d) => d.peerRootSha256 === p.rootSha256);
      const tl = mine.find((d) => d.kind === 'trust-list');
      const ag = mine.find((d) => d.kind === 'recognition-agreement');
      const lists = mine.filter((d) => d.kind === 'status-list');
      const tlPayload = tl ? payloadOf<TrustListDocument>(tl.body) : null;
      const oldest = lists.reduce<PeerDocument | undefined>((o, d) => (!o || d.issuedAt < o.issuedAt ? d : o), undefined);
      const stale = tlPayload !== null && now > new Date(tlPayload.nextUpdate);
      // Failing as soon as an attempt failed (with or without an earlier success); never synced only before any attempt.
      const state: PeerView['state'] = (s?.consecutiveFailures ?? 0) > 0 ? 'failing' : !s?.lastSuccessAt && !tl ? 'never_synced' : stale ? 'stale' : 'ok';
      return {
        label: p.label ?? null,
        baseUrl: p.baseUrl,
        rootFingerprint: p.rootSha256,
        regionCode: tlPayload?.region.code ?? s?.regionCode ?? null,
        pinnedRegionCode: p.regionCode ?? s?.pinnedRegionCode ?? null,
        name: tlPayload?.region.name ?? s?.regionName ?? null,
        state,
        lastAttemptAt: s?.lastAttemptAt?.toISOString() ?? null,
        lastSuccessAt: s?.lastSuccessAt?.toISOString() ?? null,
        consecutiveFailures: s?.consecutiveFailures ?? 0,
        nextAttemptAt: s?.nextAttemptAt?.toISOString() ?? null,
        lastError: s?.lastErrorCode ? { code: s.lastErrorCode, message: s.lastErrorMessage ?? '' } : null,
        trustList: tl && tlPayload
          ? {
              sequence: tl.sequence,
              issuedAt: tl.issuedAt.toISOString(),
              nextUpdate: tlPayload.nextUpdate,
              acceptsLicencesUntil: trustListExpiresAt(tlPayload).toISOString(),
              fetchedAt: tl.fetchedAt.toISOString(),
              departments: tlPayload.departments.length,
            }
          : null,
        agreement: ag ? { sequence: ag.sequence, issuedAt: ag.issuedAt.toISOString(), fetchedAt: ag.fetchedAt.toISOString(), accepts: payloadOf<RecognitionAgreement>(ag.body).accepts.length } : null,
        statusLists: tl ? { count: lists.length, oldestIssuedAt: oldest?.issuedAt.toISOString() ?? null, fetchedAt: oldest?.fetchedAt.toISOString() ?? null } : null,
        conflicts: tlPayload ? conflicts.filter((c) => c.regions.includes(tlPayload.region.code)) : [],
      };
    });
  }
}

/**
 * Accepted documents of the configured peers, as verification holds them (a
 * peer removed from the configuration is ignored). Each stored trust list
 * passes the gate's region rules again (gateTrustList, at null: it may
 * predate them, or the configuration changed since): one that fails them is
 * left out, with its reason logged.
 */
export function buildPeers(
  config: FederationConfig,
  docs: readonly PeerDocument[],
  logger?: Logger,
  regions: { ownRegionCode: string | null; pins: ReadonlyMap<string, string | null>; certificates?: CertificateCache } = { ownRegionCode: null, pins: new Map() },
): AcceptedPeer[] {
  const peers: AcceptedPeer[] = [];
  for (const p of config.peers) {
    const mine = docs.filter((d) => d.peerRootSha256 === p.rootSha256);
    const tl = mine.find((d) => d.kind === 'trust-list' && d.docId === 'current');
    if (!tl) continue;
    try {
      const trustList = payloadOf<TrustListDocument>(tl.body);
      const gate = gateTrustList(trustList, {
        at: null,
        configuredRegion: p.regionCode ?? null,
        pinnedRegion: regions.pins.get(p.rootSha256) ?? null,
        ownRegion: regions.ownRegionCode,
        ...(regions.certificates ? { certificates: regions.certificates } : {}),
      });
      if (!gate.ok) {
        logger?.error({ peer: p.baseUrl, code: gate.code, reason: gate.message }, 'a stored peer trust list fails the region rules; this peer is left out');
        continue;
      }
      const statusLists = new Map<string, HeldStatusList>();
      for (const d of mine) {
        if (d.kind !== 'status-list') continue;
        const s = payloadOf<StatusListDocument>(d.body);
        statusLists.set(s.listId, {
          listId: s.listId,
          uscc: s.uscc,
          bits: StatusBits.fromCompressed(s.bits, s.capacity),
          sequence: s.sequence,
          issuedAt: new Date(s.issuedAt),
          ttlSeconds: s.ttlSeconds,
          fetchedAt: d.fetchedAt,
        });
      }
      peers.push({
        rootSha256: p.rootSha256,
        region: trustList.region,
        trustList: { doc: trustList, fetchedAt: tl.fetchedAt },
        statusLists,
      });
    } catch (e) {
      logger?.error({ err: e, peer: p.baseUrl }, 'stored peer documents could not be read; this peer is left out');
    }
  }
  return peers;
}
