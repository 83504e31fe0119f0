import { verificationDigest, type VerificationDigest } from '../../verify/nodeAnswer';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { Database } from '../../store/Database';
import { HOUR_MS, type StatisticsStore, type VerificationCountDelta, type VerificationCountKey } from '../../store/StatisticsStore';
import type { VerificationResult } from '../../verify/VerificationResult';
import type { NodeTrustSnapshot } from '../../trust/NodeTrust';

export interface VerificationStatisticsDeps {
  db: Database;
  store: StatisticsStore;
  clock: Clock;
  logger: Logger;
  /** Whether a type code is one this node knows (others are counted as "other"). */
  isKnownType(typeCode: string): boolean;
}

export interface VerificationStatisticsOptions {
  /** How often the counts are added to the database (default 5 s). */
  flushIntervalMs?: number;
  /** Most distinct rows held while the database is unreachable; beyond it new rows are dropped (and logged). */
  maxPendingRows?: number;
}

const USCC = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/**
 * Verification counts for the dashboard without a database write per
 * verification: each answer adds one to an in-memory counter (a Map lookup),
 * and every `flushIntervalMs` the counters are added to verification_counts in
 * one statement. Counts are additive, so any number of node processes can flush
 * into the same rows. When the database is down the counts wait in memory
 * (bounded) and go with the next flush; close() flushes what is left.
 */
export class VerificationStatistics {
  #pending = new Map<string, VerificationCountDelta>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;
  #dropped = 0;
  readonly #flushIntervalMs: number;
  readonly #maxPendingRows: number;

  constructor(private readonly deps: VerificationStatisticsDeps, options: VerificationStatisticsOptions = {}) {
    this.#flushIntervalMs = options.flushIntervalMs ?? 5000;
    this.#maxPendingRows = options.maxPendingRows ?? 50_000;
  }

  /** Counts one verification answer (the hook in the verifications feature). */
  countVerification(result: VerificationResult | VerificationDigest, snapshot: NodeTrustSnapshot): void {
    this.count(verificationCountKey(result, snapshot, (t) => this.deps.isKnownType(t)));
  }

  count(key: Omit<VerificationCountKey, 'hour'>): void {
    const hour = Math.floor(this.deps.clock.now().getTime() / HOUR_MS);
    const id = `${hour}|${key.region}|${key.typeCode}|${key.uscc}|${key.result}`;
    const row = this.#pending.get(id);
    if (row) row.count++;
    else if (this.#pending.size < this.#maxPendingRows) this.#pending.set(id, { ...key, hour, count: 1 });
    else this.#dropped++;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.flush(), this.#flushIntervalMs);
    this.#timer.unref();
  }

  /** Adds the pending counts to the database now. Never throws: on failure the counts stay pending. */
  flush(): Promise<void> {
    // One flush at a time; a flush asked for during another runs after it (it may have new counts).
    const run = (this.#flushing ?? Promise.resolve()).then(() => this.#flushOnce());
    const settled = run.finally(() => {
      if (this.#flushing === settled) this.#flushing = null;
    });
    this.#flushing = settled;
    return settled;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
  }

  async #flushOnce(): Promise<void> {
    if (this.#dropped > 0) {
      this.deps.logger.warn({ dropped: this.#dropped }, 'verification counts dropped: too many pending rows while the database was unreachable');
      this.#dropped = 0;
    }
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    try {
      await this.deps.store.addVerificationCounts(this.deps.db, [...batch.values()]);
    } catch (err) {
      // Put them back for the next flush, merged with what arrived meanwhile.
      for (const [id, row] of batch) {
        const now = this.#pending.get(id);
        if (now) now.count += row.count;
        else if (this.#pending.size < this.#maxPendingRows) this.#pending.set(id, row);
        else this.#dropped += row.count;
      }
      this.deps.logger.warn({ err, rows: batch.size }, 'verification counts not written yet (will retry)');
    }
  }
}

/**
 * What one verification is counted under. The issuing department and region
 * are taken from the licence only when its signature and certificate path
 * checked out (otherwise anyone could fill the table with made-up issuers):
 * "unknown" then. Types this node does not know are "other".
 */
export function verificationCountKey(result: VerificationResult | VerificationDigest, snapshot: NodeTrustSnapshot, isKnownType: (t: string) => boolean): Omit<VerificationCountKey, 'hour'> {
  const d = 'checks' in result ? verificationDigest(result) : result;
  const type = d.typeCode;
  const typeCode = typeof type === 'string' && isKnownType(type) ? type : 'other';
  const issuer = d.issuerCode;
  const attested = d.attested && typeof issuer === 'string' && USCC.test(issuer);
  if (!attested) return { region: 'unknown', typeCode, uscc: 'unknown', result: d.result };
  const own = snapshot.region?.code;
  // The issuer's region as the trust data lists it (own region or a peer's trust list).
  const listed = d.issuer?.uscc === issuer ? d.issuer.regionCode : undefined;
  const region = own !== undefined && snapshot.departments.has(issuer) ? own : listed && /^[0-9]{6}$/.test(listed) ? listed : 'other';
  return { region, typeCode, uscc: issuer, result: d.result };
}
