import type { Queryable } from './Database';
import { asNumber } from './rowValues';

export interface RateLimitHit {
  /** What is limited, e.g. "verify:<client ip>". */
  bucket: string;
  limit: number;
  windowMs: number;
  at: Date;
}

export interface RateLimitDecision {
  allowed: boolean;
  remaining: number;
  /** When the current window ends (for Retry-After / RateLimit-Reset). */
  resetAt: Date;
}

/**
 * Fixed-window request counters in the database, so every node process
 * counts against the same limit. One upsert per request.
 */
export interface RateLimitStore {
  hit(q: Queryable, h: RateLimitHit): Promise<RateLimitDecision>;
  /**
   * Drops windows that started before `before`; returns how many. With `bucketPrefix`, only the buckets that
   * begin with it (a limiter's own scope, `public:`): limiters with longer windows share the table.
   */
  purge(q: Queryable, before: Date, bucketPrefix?: string): Promise<number>;
}

export class SqlRateLimitStore implements RateLimitStore {
  async hit(q: Queryable, h: RateLimitHit): Promise<RateLimitDecision> {
    const windowStart = Math.floor(h.at.getTime() / h.windowMs) * h.windowMs;
    const [row] = await q.query<{ hits: unknown }>(
      `INSERT INTO rate_limit_buckets (bucket, window_start, hits) VALUES ($1, $2, 1)
       ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_buckets.hits + 1 RETURNING hits`,
      [h.bucket, new Date(windowStart).toISOString()],
    );
    const hits = asNumber(row!.hits);
    return { allowed: hits <= h.limit, remaining: Math.max(0, h.limit - hits), resetAt: new Date(windowStart + h.windowMs) };
  }

  async purge(q: Queryable, before: Date, bucketPrefix = ''): Promise<number> {
    const rows = await q.query('DELETE FROM rate_limit_buckets WHERE window_start < $1 AND left(bucket, length($2)) = $2 RETURNING bucket', [before.toISOString(), bucketPrefix]);
    return rows.length;
  }
}
