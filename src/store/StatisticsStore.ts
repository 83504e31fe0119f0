import type { Queryable } from './Database';
import { asNumber } from './rowValues';

export type VerificationOutcome = 'accepted' | 'rejected';

/** One row of verification_counts: a UTC hour and what was verified in it. */
export interface VerificationCountKey {
  /** Hours since the Unix epoch (the UTC hour the verifications fell in). */
  hour: number;
  /** Region of the issuing department ("unknown" when the issuer could not be established). */
  region: string;
  typeCode: string;
  /** USCC of the issuing department ("unknown" when the issuer could not be established). */
  uscc: string;
  result: VerificationOutcome;
}

export interface VerificationCountDelta extends VerificationCountKey {
  count: number;
}

/** What the counts are split by on the dashboard. */
export const STATISTICS_DIMENSIONS = ['type', 'department', 'region', 'result'] as const;
export type StatisticsDimension = (typeof STATISTICS_DIMENSIONS)[number];

/** Hours since the epoch, [fromHour, toHour). */
export interface HourRange {
  fromHour: number;
  toHour: number;
}

export interface CountRow {
  hour: number;
  key: string;
  count: number;
}

/**
 * Counts for the operator dashboard: verification counts (written in batches
 * by VerificationStatistics) and issuance counts (read from the licences
 * table), per UTC hour and one dimension.
 */
export interface StatisticsStore {
  /** Adds each delta to its row (creating it); one statement for the whole batch. */
  addVerificationCounts(q: Queryable, deltas: readonly VerificationCountDelta[]): Promise<void>;
  verificationCounts(q: Queryable, range: HourRange, by: StatisticsDimension): Promise<CountRow[]>;
  /** Licences issued per hour; `by: 'result'` splits them by their current status, `by: 'region'` is the node's own region. */
  issuanceCounts(q: Queryable, range: HourRange, by: StatisticsDimension, ownRegion: string): Promise<CountRow[]>;
}

// Column names come from these fixed maps only, never from a request.
const VERIFICATION_COLUMN: Readonly<Record<StatisticsDimension, string>> = { type: 'type_code', department: 'issuer_uscc', region: 'issuer_region', result: 'result' };
const ISSUANCE_COLUMN: Readonly<Record<StatisticsDimension, string>> = { type: 'type_code', department: 'uscc', region: '$3::text', result: 'status' };

export const HOUR_MS = 3_600_000;

/** The start of an hour (hours since the epoch) as an ISO 8601 UTC timestamp. */
export const hourIso = (hour: number): string => new Date(hour * HOUR_MS).toISOString();

export class SqlStatisticsStore implements StatisticsStore {
  async addVerificationCounts(q: Queryable, deltas: readonly VerificationCountDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    // One row order for every process, so concurrent flushes cannot deadlock on each other's rows.
    const sorted = [...deltas].sort(byKey);
    await q.query(
      `INSERT INTO verification_counts (bucket, issuer_region, type_code, issuer_uscc, result, count)
       SELECT b, r, t, u, o, n FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) WITH ORDINALITY AS d(b, r, t, u, o, n, i) ORDER BY i
       ON CONFLICT (bucket, issuer_region, type_code, issuer_uscc, result) DO UPDATE SET count = verification_counts.count + EXCLUDED.count`,
      [
        sorted.map((d) => hourIso(d.hour)),
        sorted.map((d) => d.region),
        sorted.map((d) => d.typeCode),
        sorted.map((d) => d.uscc),
        sorted.map((d) => d.result),
        sorted.map((d) => d.count),
      ],
    );
  }

  async verificationCounts(q: Queryable, range: HourRange, by: StatisticsDimension): Promise<CountRow[]> {
    const rows = await q.query<{ hour: unknown; key: string; n: unknown }>(
      `SELECT floor(extract(epoch FROM bucket) / 3600)::bigint AS hour, ${VERIFICATION_COLUMN[by]} AS key, sum(count) AS n
       FROM verification_counts WHERE bucket >= $1 AND bucket < $2 GROUP BY 1, 2`,
      [hourIso(range.fromHour), hourIso(range.toHour)],
    );
    return rows.map(toCountRow);
  }

  async issuanceCounts(q: Queryable, range: HourRange, by: StatisticsDimension, ownRegion: string): Promise<CountRow[]> {
    const params: unknown[] = [hourIso(range.fromHour), hourIso(range.toHour)];
    if (by === 'region') params.push(ownRegion);
    const rows = await q.query<{ hour: unknown; key: string; n: unknown }>(
      `SELECT floor(extract(epoch FROM created_at) / 3600)::bigint AS hour, ${ISSUANCE_COLUMN[by]} AS key, count(*) AS n
       FROM licences WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2`,
      params,
    );
    return rows.map(toCountRow);
  }
}

function toCountRow(r: { hour: unknown; key: string; n: unknown }): CountRow {
  return { hour: asNumber(r.hour), key: r.key, count: asNumber(r.n) };
}

function byKey(a: VerificationCountKey, b: VerificationCountKey): number {
  if (a.hour !== b.hour) return a.hour - b.hour;
  for (const k of ['region', 'typeCode', 'uscc', 'result'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
}
