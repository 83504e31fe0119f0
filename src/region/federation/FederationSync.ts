import type { Logger } from 'pino';
import { readBoundedBody } from './readBoundedBody';
import type { Clock } from '../../clock';
import type { TrustListDocument } from '../../format/federation/documentTypes';
import type { FederationConfig, PeerConfig } from '../../trust/peer/FederationConfig';
import type { FederationKind } from '../../trust/peer/federationDocument';
import type { Database } from '../../store/Database';
import type { FederationStore, PeerSyncState } from '../../store/FederationStore';
import { payloadOf } from '../../format/federation/payloadOf';
import { regionsOfOtherPeers } from '../../trust/peer/peerDocumentGate';
import { takePeerDocument } from './takePeerDocument';

export interface SyncDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  store: FederationStore;
  /** This node's own region code (null: no region yet): a peer's trust list claiming it is refused. */
  ownRegionCode?: () => Promise<string | null>;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** What one round did for one peer. */
export interface PeerSyncReport {
  peer: string;
  rootSha256: string;
  regionCode: string | null;
  ok: boolean;
  skipped?: 'backing_off';
  /** Documents fetched and accepted (200), confirmed unchanged (304), or refused / failed. */
  accepted: number;
  unchanged: number;
  bytes: number;
  errors: { kind: FederationKind; docId: string; code: string; message: string }[];
  durationMs: number;
}

class FetchFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Parallel status-list downloads per peer. */
const STATUS_CONCURRENCY = 6;
/** Peers synced at the same time (one slow peer must not hold up the others). */
const PEER_CONCURRENCY = 8;
const MIN_BACKOFF_MS = 5_000;

/**
 * One sync round: for every configured peer (not backing off), the trust list,
 * then the agreement, then every status list the trust list announces, each a
 * conditional GET (If-None-Match) with a timeout and a size cap, each accepted
 * only through the gate (takePeerDocument, trust/peer/peerDocumentGate.ts).
 * A peer that fails keeps its last good copies; its next attempt backs off
 * exponentially up to the sync interval.
 */
export class FederationSync {
  constructor(private readonly deps: SyncDeps, private readonly config: FederationConfig) {}

  async runOnce(opts: { force?: boolean } = {}): Promise<PeerSyncReport[]> {
    const states = new Map((await this.deps.store.syncStates(this.deps.db)).map((s) => [s.peerRootSha256, s]));
    const own = (await this.deps.ownRegionCode?.()) ?? null;
    const pins = new Map([...states.values()].map((s) => [s.peerRootSha256, s.pinnedRegionCode ?? null]));
    const peers = this.config.peers;
    const reports: PeerSyncReport[] = new Array(peers.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < peers.length; i = next++) reports[i] = await this.#syncPeer(peers[i]!, states.get(peers[i]!.rootSha256), opts.force ?? false, own, regionsOfOtherPeers(peers, pins, peers[i]!));
    };
    await Promise.all(Array.from({ length: Math.min(PEER_CONCURRENCY, peers.length) }, worker));
    return reports;
  }

  async #syncPeer(peer: PeerConfig, state: PeerSyncState | undefined, force: boolean, ownRegionCode: string | null, takenRegions: ReadonlySet<string>): Promise<PeerSyncReport> {
    const { db, store, clock } = this.deps;
    const started = clock.now();
    const report: PeerSyncReport = { peer: peer.label ?? peer.baseUrl, rootSha256: peer.rootSha256, regionCode: state?.regionCode ?? null, ok: false, accepted: 0, unchanged: 0, bytes: 0, errors: [], durationMs: 0 };
    if (!force && state?.nextAttemptAt && state.nextAttemptAt > started && state.consecutiveFailures > 0) {
      return { ...report, ok: false, skipped: 'backing_off' };
    }
    // What is held already, by "kind/docId": one query for the round, not a body read per document.
    const held = await store.peerDocumentEtags(db, peer.rootSha256);
    const get = async (kind: FederationKind, docId: string, path: string): Promise<void> => {
      const key = `${kind}/${docId}`;
      try {
        const res = await this.#fetch(`${peer.baseUrl}${path}`, held.get(key) ?? null);
        report.bytes += res.bytes;
        if (res.status === 304) {
          if (held.has(key)) await store.touchPeerDocument(db, peer.rootSha256, kind, docId, clock.now());
          report.unchanged++;
          return;
        }
        const outcome = await takePeerDocument(db, store, peer, kind, res.body, {
          at: clock.now(),
          etag: res.etag,
          maxBytes: this.config.maxDocumentBytes,
          docId,
          ownRegionCode,
          takenRegions,
          pinnedRegion: state?.pinnedRegionCode ?? null,
          ...(trustList ? { trustList } : {}),
        });
        if (!outcome.ok) throw new FetchFailure(outcome.code, outcome.message);
        if (kind === 'trust-list') report.regionCode = outcome.regionCode;
        report.accepted++;
      } catch (e) {
        const failure = e instanceof FetchFailure ? e : new FetchFailure('PEER_UNREACHABLE', e instanceof Error ? e.message : String(e));
        report.errors.push({ kind, docId, code: failure.code, message: failure.message });
      }
    };
    let trustList: TrustListDocument | undefined;
    await get('trust-list', 'current', '/v1/federation/trust-list');
    const trustDoc = await store.peerDocument(db, peer.rootSha256, 'trust-list', 'current');
    if (trustDoc && report.errors.length === 0) {
      // Parsed once for the round (each status list is checked against it).
      trustList = payloadOf<TrustListDocument>(trustDoc.body);
      await get('recognition-agreement', 'current', '/v1/federation/agreement');
      const lists = trustList.statusLists;
      for (let i = 0; i < lists.length; i += STATUS_CONCURRENCY) {
        await Promise.all(lists.slice(i, i + STATUS_CONCURRENCY).map((l) => get('status-list', l.listId, `/v1/federation/status-lists/${encodeURIComponent(l.listId)}`)));
      }
    }
    const finished = clock.now();
    report.ok = report.errors.length === 0;
    report.durationMs = finished.getTime() - started.getTime();
    const failures = report.ok ? 0 : (state?.consecutiveFailures ?? 0) + 1;
    const interval = this.config.syncIntervalSeconds * 1000;
    const backoff = Math.min(Math.max(interval, MIN_BACKOFF_MS), MIN_BACKOFF_MS * 2 ** Math.min(failures - 1, 20));
    const trustPayload = trustList ?? (trustDoc ? payloadOf<TrustListDocument>(trustDoc.body) : null);
    const first = report.errors[0];
    await store.saveSyncState(db, {
      peerRootSha256: peer.rootSha256,
      baseUrl: peer.baseUrl,
      regionCode: trustPayload?.region.code ?? state?.regionCode ?? null,
      regionName: trustPayload?.region.name ?? state?.regionName ?? null,
      lastAttemptAt: started,
      lastSuccessAt: report.ok ? finished : (state?.lastSuccessAt ?? null),
      consecutiveFailures: failures,
      nextAttemptAt: new Date(finished.getTime() + (report.ok ? interval : backoff)),
      lastErrorCode: first ? first.code : null,
      lastErrorMessage: first ? `${first.kind} ${first.docId}: ${first.message}`.slice(0, 500) : null,
    });
    if (!report.ok) this.deps.logger.warn({ peer: report.peer, errors: report.errors.slice(0, 5) }, 'federation sync: peer failed; last good copies kept');
    return report;
  }

  /** A GET with a timeout over the whole exchange and a cap on the body, read as it arrives. */
  async #fetch(url: string, etag: string | null): Promise<{ status: 200 | 304; body: string; etag: string | null; bytes: number }> {
    const doFetch = this.deps.fetch ?? fetch;
    const signal = AbortSignal.timeout(this.config.requestTimeoutMs);
    let res: Response;
    try {
      res = await doFetch(url, { headers: { accept: 'application/jose', ...(etag ? { 'if-none-match': etag } : {}) }, signal, redirect: 'error' });
    } catch (e) {
      throw new FetchFailure(signal.aborted ? 'PEER_TIMEOUT' : 'PEER_UNREACHABLE', `${url}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (res.status === 304) return { status: 304, body: '', etag, bytes: 0 };
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchFailure('PEER_HTTP_ERROR', `${url}: HTTP ${res.status}`);
    }
    const max = Math.ceil((this.config.maxDocumentBytes * 4) / 3) + 256 * 1024;
    const body = await readBoundedBody(res, max, (why) =>
      why.kind === 'too-large'
        ? new FetchFailure('DOCUMENT_TOO_LARGE', why.declared !== null ? `${url}: ${why.declared} bytes declared, more than ${max}` : `${url}: more than ${max} bytes`)
        : new FetchFailure(signal.aborted ? 'PEER_TIMEOUT' : 'PEER_UNREACHABLE', `${url}: ${why.cause instanceof Error ? why.cause.message : String(why.cause)}`),
    );
    return { status: 200, body: body.toString('utf8'), etag: res.headers.get('etag'), bytes: body.length };
  }
}
