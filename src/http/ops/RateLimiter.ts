import { ElicenseError } from '../../errors';
import type { NodeServices } from '../NodeServices';
import { RateLimitCounterStore, type CounterKey, type CounterTotal } from './RateLimitCounterStore';

/** Limits requests per client (an address, an API key); throws RATE_LIMITED when over. */
export interface RateLimiter {
  /** Counts `units` (default 1; expensive inputs cost more) against the client, or throws RATE_LIMITED if they do not fit. */
  check(client: string, units?: number): Promise<void>;
}

/** A fixed-window limit: at most `max` units per `windowSeconds`. */
export interface RateLimit {
  windowSeconds: number;
  max: number;
}

export interface StoreRateLimiterOptions {
  /** How often local hits are added to the region-wide counters (default 200 ms). */
  flushIntervalMs?: number;
  /** A client not seen for this long is forgotten and re-read from the database on its next request (default 5 s). */
  forgetAfterMs?: number;
  /**
   * Longest wait for the database when a client is first seen; after it the request is decided locally and
   * the database's answer, when it comes, is taken in for the next ones (default 1,000 ms).
   */
  seedTimeoutMs?: number;
  /** The limit (default: the public limit of the node's configuration). */
  limit?: () => RateLimit;
}

/** Forgotten clients whose counts are kept for their window (~100 bytes each); the oldest go first. */
const FORGOTTEN_MAX = 10_000;

/** One client's counter in the current fixed window, as this process sees it. */
interface Counter {
  key: CounterKey;
  /** Region-wide total at the last read or flush (includes this process's flushed hits). */
  seen: number;
  /** Hits admitted here and being added by the flush in progress. */
  inFlight: number;
  /** Hits admitted here and not yet sent. */
  pending: number;
  lastHitMs: number;
  /** Set while the first read of this counter is under way; later requests of the client wait for it. */
  seeding: Promise<void> | null;
}

/**
 * Fixed-window limit shared by every process of a region through the
 * database, without a database round trip per request.
 *
 * Each process counts hits locally and adds them to the shared counters in
 * one batched statement every `flushIntervalMs`, reading back the region-wide
 * totals. A request is admitted when (total at the last flush + hits admitted
 * here since) is under the limit. A client first seen by a process (or seen
 * again after `forgetAfterMs`) is read from the database before its request
 * is decided, so a process never starts from zero for a client other
 * processes have already counted; when that read does not answer in time, a
 * client forgotten in the same window starts from the count this process
 * last saw for it.
 *
 * Bounded overshoot: a process does not see the other processes' hits of the
 * last flush interval, so across N processes a client can get up to the hits
 * the other N−1 processes admit to it within one flush interval (plus one
 * database round trip) over the limit, and never more than N × limit in a
 * window. Within one process the limit is exact. When the database is
 * unreachable the limiter fails open to per-process counting: rate limiting
 * must not take verification down with the database.
 */
export class StoreRateLimiter implements RateLimiter {
  private readonly counters = new Map<string, Counter>();
  /**
   * The region-wide count of each client forgotten for idleness, for the rest of its window: when the client
   * returns and the database does not answer in time, the process decides from this count, not from zero
   * (a client pausing between bursts must not get a fresh budget from a slow database). Bounded by FORGOTTEN_MAX.
   */
  private readonly forgotten = new Map<string, { windowStartMs: number; seen: number }>();
  private readonly store = new RateLimitCounterStore();
  private readonly flushIntervalMs: number;
  private readonly forgetAfterMs: number;
  private readonly seedTimeoutMs: number;
  private readonly limit: () => RateLimit;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private lastPurgeMs = 0;
  private warned = false;
  private closed = false;

  constructor(
    private readonly services: NodeServices,
    private readonly scope = 'public',
    options: StoreRateLimiterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.forgetAfterMs = options.forgetAfterMs ?? 5000;
    this.seedTimeoutMs = options.seedTimeoutMs ?? 1000;
    this.limit = options.limit ?? (() => this.services.config.publicRateLimit);
  }

  async check(client: string, units = 1): Promise<void> {
    const { c, retryAfterSeconds, message } = await this.counter(client, units);
    if (retryAfterSeconds !== null) throw new ElicenseError('RATE_LIMITED', message, { retryAfterSeconds });
    c.pending += units;
  }

  /** Seconds until the client's window ends when it has already used up the limit, else null; counts nothing. */
  async exceeded(client: string): Promise<number | null> {
    return (await this.counter(client, 1)).retryAfterSeconds;
  }

  /** The client's counter in the current window (read from the database when first seen), and whether `units` more would exceed the limit. */
  private async counter(client: string, units: number): Promise<{ c: Counter; retryAfterSeconds: number | null; message: string }> {
    const { windowSeconds, max } = this.limit();
    const windowMs = windowSeconds * 1000;
    const nowMs = this.services.clock.now().getTime();
    const windowStart = Math.floor(nowMs / windowMs) * windowMs;
    const bucket = `${this.scope}:${client}`;
    let c = this.counters.get(bucket);
    if (c === undefined || c.key.windowStart.getTime() !== windowStart) {
      // A counter of an earlier window may still hold unsent hits; they no longer matter.
      const floor = this.forgotten.get(bucket);
      this.forgotten.delete(bucket);
      const seen = floor !== undefined && floor.windowStartMs === windowStart ? floor.seen : 0;
      c = { key: { bucket, windowStart: new Date(windowStart) }, seen, inFlight: 0, pending: 0, lastHitMs: nowMs, seeding: null };
      c.seeding = this.seed(c);
      this.counters.set(bucket, c);
      this.startTimer();
    }
    if (c.seeding !== null) await c.seeding;
    c.lastHitMs = nowMs;
    const over = c.seen + c.inFlight + c.pending + units > max;
    return {
      c,
      retryAfterSeconds: over ? Math.max(1, Math.ceil((windowStart + windowMs - nowMs) / 1000)) : null,
      message: `more than ${max} requests in ${windowSeconds} s from this client`,
    };
  }

  /** Sends what is still counted locally (waiting at most `waitMs` for the database) and stops the background flush. */
  async close(waitMs = 1000): Promise<void> {
    this.closed = true;
    this.stopTimer();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise<void>((ok) => (timer = setTimeout(ok, waitMs)))]);
    clearTimeout(timer);
  }

  /** Adds local hits to the shared counters and refreshes every counter in use; forgets idle ones. Exposed for tests. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async seed(c: Counter): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<null>((ok) => {
        timer = setTimeout(() => ok(null), this.seedTimeoutMs);
      });
      const read = this.store.read(this.services.db, [c.key]);
      const totals = await Promise.race([read, timeout]);
      if (totals === null) {
        this.warnOnce('database did not answer in time; deciding locally');
        // The answer still counts when it comes: the client's next requests are decided with it.
        read.then((late) => (c.seen = Math.max(c.seen, late[0]?.hits ?? 0))).catch(() => undefined);
      } else c.seen = Math.max(c.seen, totals[0]?.hits ?? 0);
    } catch (e) {
      this.warnOnce('database unavailable; deciding locally', e);
    } finally {
      clearTimeout(timer);
      c.seeding = null;
    }
  }

  private async flushOnce(): Promise<void> {
    const nowMs = this.services.clock.now().getTime();
    const windowMs = this.limit().windowSeconds * 1000;
    const adds: Array<{ c: Counter; hits: number }> = [];
    const reads: Counter[] = [];
    for (const [bucket, c] of this.counters) {
      if (c.seeding !== null) continue;
      if (c.pending > 0) {
        c.inFlight = c.pending;
        c.pending = 0;
        adds.push({ c, hits: c.inFlight });
      } else if (c.key.windowStart.getTime() + windowMs <= nowMs) {
        this.counters.delete(bucket);
      } else if (nowMs - c.lastHitMs > this.forgetAfterMs) {
        this.counters.delete(bucket);
        this.remember(bucket, c);
      } else {
        reads.push(c);
      }
    }
    try {
      const db = this.services.db;
      const [added, read] = await Promise.all([
        this.store.add(db, adds.map(({ c, hits }) => ({ ...c.key, hits }))),
        this.store.read(db, reads.map((c) => c.key)),
      ]);
      this.apply(added, (c) => {
        c.inFlight = 0;
      });
      this.apply(read, () => undefined);
      this.warned = false;
    } catch (e) {
      for (const { c } of adds) {
        c.pending += c.inFlight;
        c.inFlight = 0;
      }
      this.warnOnce('could not flush rate-limit counters; deciding locally', e);
    }
    if (nowMs - this.lastPurgeMs >= windowMs) {
      this.lastPurgeMs = nowMs;
      for (const [bucket, f] of this.forgotten) if (f.windowStartMs + windowMs <= nowMs) this.forgotten.delete(bucket);
      // Windows of this scope that ended a full window ago are no longer read by anyone. Only this scope's:
      // the other limiters (API keys, authentication failures) may count in longer windows.
      await this.services.stores.rateLimits.purge(this.services.db, new Date(nowMs - 2 * windowMs), `${this.scope}:`).catch(() => undefined);
    }
    if (this.counters.size === 0) this.stopTimer();
  }

  private remember(bucket: string, c: Counter): void {
    if (c.seen === 0) return;
    if (this.forgotten.size >= FORGOTTEN_MAX) this.forgotten.delete(this.forgotten.keys().next().value as string);
    this.forgotten.set(bucket, { windowStartMs: c.key.windowStart.getTime(), seen: c.seen });
  }

  private apply(totals: CounterTotal[], then: (c: Counter) => void): void {
    for (const t of totals) {
      const c = this.counters.get(t.bucket);
      if (c === undefined || c.key.windowStart.getTime() !== t.windowStart.getTime()) continue;
      then(c);
      c.seen = t.hits;
    }
  }

  private startTimer(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private warnOnce(message: string, e?: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.services.logger.warn({ err: e instanceof Error ? { message: e.message, code: (e as { code?: unknown }).code } : undefined }, `rate limiter: ${message}`);
  }
}
