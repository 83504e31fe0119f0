import type { Request } from 'express';
import { ElicenseError } from '../../../errors';
import { HOUR_MS, STATISTICS_DIMENSIONS, type CountRow, type StatisticsDimension } from '../../../store/StatisticsStore';

export type Granularity = 'hour' | 'day';

/** Days are China Standard Time days (UTC+8), as the licences' calendar dates are. */
const DAY_OFFSET_HOURS = 8;
const MAX_BUCKETS: Readonly<Record<Granularity, number>> = { hour: 24 * 31, day: 400 };
const DEFAULT_BUCKETS: Readonly<Record<Granularity, number>> = { hour: 48, day: 30 };
/** Series beyond this many (by total) are added up into one "(others)" series. */
export const MAX_SERIES = 12;
export const OTHERS_KEY = '(others)';
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const KNOWN = new Set(['from', 'to', 'granularity', 'by']);

export interface StatisticsQuery {
  granularity: Granularity;
  by: StatisticsDimension;
  /** Bucket numbers (hours or CST days since the epoch), [first, end). */
  firstBucket: number;
  endBucket: number;
}

function bad(name: string, message: string): ElicenseError {
  return new ElicenseError('INPUT_MALFORMED', `${name}: ${message}`, { errors: [{ path: name, message }] });
}

function param(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(name, 'give this query parameter once, as text');
  return v;
}

function time(req: Request, name: string): number | undefined {
  const v = param(req, name);
  if (v === undefined) return undefined;
  // A bare date is a CST calendar day.
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00+08:00` : v);
  if (!DATE.test(v) || Number.isNaN(ms)) throw bad(name, 'an ISO 8601 date or date-time');
  return ms;
}

/** Bucket number of a moment (floor). */
export function bucketOf(ms: number, g: Granularity): number {
  const hour = Math.floor(ms / HOUR_MS);
  return g === 'hour' ? hour : Math.floor((hour + DAY_OFFSET_HOURS) / 24);
}

/** First UTC hour of a bucket. */
export function bucketStartHour(bucket: number, g: Granularity): number {
  return g === 'hour' ? bucket : bucket * 24 - DAY_OFFSET_HOURS;
}

/** GET /v1/statistics?from&to&granularity=hour|day&by=type|department|region|result */
export function readStatisticsQuery(req: Request, now: Date): StatisticsQuery {
  for (const k of Object.keys(req.query as object)) if (!KNOWN.has(k)) throw bad(k, 'unknown query parameter');
  const g = param(req, 'granularity') ?? 'day';
  if (g !== 'hour' && g !== 'day') throw bad('granularity', 'hour or day');
  const by = param(req, 'by') ?? 'type';
  if (!(STATISTICS_DIMENSIONS as readonly string[]).includes(by)) throw bad('by', `one of ${STATISTICS_DIMENSIONS.join(', ')}`);
  const to = time(req, 'to');
  const from = time(req, 'from');
  // `to` is exclusive: the bucket holding the moment just before it is the last one.
  const endBucket = to === undefined ? bucketOf(now.getTime(), g) + 1 : bucketOf(to - 1, g) + 1;
  const firstBucket = from === undefined ? endBucket - DEFAULT_BUCKETS[g] : bucketOf(from, g);
  if (firstBucket >= endBucket) throw bad('from', 'must be before to');
  if (endBucket - firstBucket > MAX_BUCKETS[g]) throw bad('from', `at most ${MAX_BUCKETS[g]} ${g}s at a time`);
  return { granularity: g, by: by as StatisticsDimension, firstBucket, endBucket };
}

export interface Series {
  key: string;
  total: number;
  /** One count per bucket, in bucket order. */
  counts: number[];
}

/** Hourly rows folded into the query's buckets, one series per key, the largest first, the tail added up. */
export function toSeries(rows: readonly CountRow[], q: StatisticsQuery): { total: number; series: Series[] } {
  const width = q.endBucket - q.firstBucket;
  const byKey = new Map<string, Series>();
  let total = 0;
  for (const r of rows) {
    const i = bucketOf(r.hour * HOUR_MS, q.granularity) - q.firstBucket;
    if (i < 0 || i >= width) continue;
    let s = byKey.get(r.key);
    if (!s) byKey.set(r.key, (s = { key: r.key, total: 0, counts: new Array<number>(width).fill(0) }));
    s.counts[i]! += r.count;
    s.total += r.count;
    total += r.count;
  }
  const sorted = [...byKey.values()].sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1));
  if (sorted.length <= MAX_SERIES) return { total, series: sorted };
  const kept = sorted.slice(0, MAX_SERIES - 1);
  const others: Series = { key: OTHERS_KEY, total: 0, counts: new Array<number>(width).fill(0) };
  for (const s of sorted.slice(MAX_SERIES - 1)) {
    others.total += s.total;
    s.counts.forEach((c, i) => (others.counts[i]! += c));
  }
  return { total, series: [...kept, others] };
}
