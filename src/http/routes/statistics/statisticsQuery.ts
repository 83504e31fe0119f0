import { ElicenseError } from '../../../errors';
import { HOUR_MS, STATISTICS_DIMENSIONS, type CountRow, type StatisticsDimension } from '../../../store/StatisticsStore';
import { dateQuery, realDate } from '../../schema/commonSchemas';
import { object, oneOf, type TypeOf } from '../../schema/Schema';

export type Granularity = 'hour' | 'day';

/** Days are China Standard Time days (UTC+8), as the licences' calendar dates are. */
const DAY_OFFSET_HOURS = 8;
const MAX_BUCKETS: Readonly<Record<Granularity, number>> = { hour: 24 * 31, day: 400 };
const DEFAULT_BUCKETS: Readonly<Record<Granularity, number>> = { hour: 48, day: 30 };
/** Series beyond this many (by total) are added up into one "(others)" series. */
export const MAX_SERIES = 12;
export const OTHERS_KEY = '(others)';

/** GET /v1/statistics: every parameter it knows; others are refused (INPUT_MALFORMED). */
export const STATISTICS_QUERY = object({
  granularity: oneOf(['hour', 'day'] as const, { description: 'Bucket size; days are China Standard Time days (UTC+8)', default: 'day' }),
  by: oneOf(STATISTICS_DIMENSIONS, { description: 'How the counts are split', default: 'type' }),
  from: dateQuery('First moment counted; a bare date is a CST day. Default: 48 hours or 30 days before to', '2024-03-01'),
  to: dateQuery('End of the range (exclusive); default now', '2024-04-01'),
});

export interface StatisticsQuery {
  granularity: Granularity;
  by: StatisticsDimension;
  /** Bucket numbers (hours or CST days since the epoch), [first, end). */
  firstBucket: number;
  endBucket: number;
}

function bad(name: string, message: string): ElicenseError {
  return new ElicenseError('INPUT_MALFORMED', `${name}: ${message}`, { errors: [{ path: `/${name}`, message }] });
}

/** A bare date is a CST calendar day. */
const parseCst = (v: string): number => Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00+08:00` : v);

/** Bucket number of a moment (floor). */
export function bucketOf(ms: number, g: Granularity): number {
  const hour = Math.floor(ms / HOUR_MS);
  return g === 'hour' ? hour : Math.floor((hour + DAY_OFFSET_HOURS) / 24);
}

/** First UTC hour of a bucket. */
export function bucketStartHour(bucket: number, g: Granularity): number {
  return g === 'hour' ? bucket : bucket * 24 - DAY_OFFSET_HOURS;
}

/**
 * GET /v1/statistics as buckets: the schema has checked each parameter; what
 * it cannot say is checked here (the dates exist, from is before to, the range
 * is not too long), INPUT_MALFORMED like the schema's refusals.
 */
export function statisticsQueryOf(q: TypeOf<typeof STATISTICS_QUERY>, now: Date): StatisticsQuery {
  const g = q.granularity ?? 'day';
  const by = q.by ?? 'type';
  const to = q.to === undefined ? undefined : realDate(q.to, 'to', parseCst);
  const from = q.from === undefined ? undefined : realDate(q.from, 'from', parseCst);
  // `to` is exclusive: the bucket holding the moment just before it is the last one.
  const endBucket = to === undefined ? bucketOf(now.getTime(), g) + 1 : bucketOf(to - 1, g) + 1;
  const firstBucket = from === undefined ? endBucket - DEFAULT_BUCKETS[g] : bucketOf(from, g);
  if (firstBucket >= endBucket) throw bad('from', 'must be before to');
  if (endBucket - firstBucket > MAX_BUCKETS[g]) throw bad('from', `at most ${MAX_BUCKETS[g]} ${g}s at a time`);
  return { granularity: g, by, firstBucket, endBucket };
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
