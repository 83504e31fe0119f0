import type { Queryable } from '../../store/Database';
import { asDate, asNumber } from '../../store/rowValues';

/** One fixed-window counter: what is limited and when its window began. */
export interface CounterKey {
  bucket: string;
  windowStart: Date;
}

export interface CounterTotal extends CounterKey {
  /** Hits counted by every process of the region. */
  hits: number;
}

/**
 * Batched access to the region-wide fixed-window counters (the
 * rate_limit_buckets table that RateLimitStore also writes): one statement
 * adds every process-local delta and returns the new totals, another reads
 * totals, so a flush costs at most two round trips however many clients were
 * seen.
 */
export class RateLimitCounterStore {
  /** Adds each delta to its counter (creating it) and returns the new region-wide totals. */
  async add(q: Queryable, deltas: readonly CounterTotal[]): Promise<CounterTotal[]> {
    if (deltas.length === 0) return [];
    // One row order for every process, so concurrent flushes cannot deadlock on each other's rows.
    const sorted = [...deltas].sort(byKey);
    const rows = await q.query<{ bucket: string; window_start: unknown; hits: unknown }>(
      `INSERT INTO rate_limit_buckets (bucket, window_start, hits)
       SELECT b, w, h FROM unnest($1::text[], $2::timestamptz[], $3::integer[]) WITH ORDINALITY AS d(b, w, h, o) ORDER BY o
       ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_buckets.hits + EXCLUDED.hits
       RETURNING bucket, window_start, hits`,
      [sorted.map((d) => d.bucket), sorted.map((d) => d.windowStart.toISOString()), sorted.map((d) => d.hits)],
    );
    return rows.map(toTotal);
  }

  /** Current totals; a counter nobody has hit yet is reported as 0. */
  async read(q: Queryable, keys: readonly CounterKey[]): Promise<CounterTotal[]> {
    if (keys.length === 0) return [];
    const rows = await q.query<{ bucket: string; window_start: unknown; hits: unknown }>(
      `SELECT d.b AS bucket, d.w AS window_start, COALESCE(r.hits, 0) AS hits
       FROM unnest($1::text[], $2::timestamptz[]) AS d(b, w)
       LEFT JOIN rate_limit_buckets r ON r.bucket = d.b AND r.window_start = d.w`,
      [keys.map((k) => k.bucket), keys.map((k) => k.windowStart.toISOString())],
    );
    return rows.map(toTotal);
  }
}

function byKey(a: CounterKey, b: CounterKey): number {
  if (a.bucket !== b.bucket) return a.bucket < b.bucket ? -1 : 1;
  return a.windowStart.getTime() - b.windowStart.getTime();
}

function toTotal(r: { bucket: string; window_start: unknown; hits: unknown }): CounterTotal {
  return { bucket: r.bucket, windowStart: asDate(r.window_start), hits: asNumber(r.hits) };
}
