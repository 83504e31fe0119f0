import type { Queryable } from './Database';
import type { GrantRow } from './HolderStore';
import { asDate, asNumber, asOptionalDate } from './rowValues';
import { grantRowOf, HOLDER_GRANT_COLUMNS } from './HolderStore';

/** A consuming department (用证部门): its region and USCC. */
export interface ConsumerRef {
  region: string;
  uscc: string;
}

/** The region admin's permission for a consuming department to use licences of one type (issue 16). */
export interface ConsumerGrant extends ConsumerRef {
  typeCode: string;
  grantedAt: Date;
  grantedBy: string;
  revokedAt: Date | null;
}

/** The usage-log kinds a consuming department's uses are recorded under (src/holder/usageLog.ts). */
export const CONSUMER_USE_KINDS = ['consumer_query', 'consumer_verification', 'consumer_copy'] as const;
export type ConsumerUseKind = (typeof CONSUMER_USE_KINDS)[number];

export interface UseStatistics {
  byType: Array<{ typeCode: string; count: number }>;
  byConsumer: Array<{ region: string; uscc: string; name: string | null; count: number }>;
  byDay: Array<{ day: string; count: number }>;
}

const GRANT_COLUMNS = 'region, uscc, type_code, granted_at, granted_by, revoked_at';

/**
 * Consuming departments in SQL (migration 0012): their per-type permissions, the holder's grants that
 * stand for consent, and the statistics of their uses (from usage_events, migration 0010).
 */
export class SqlConsumerStore {
  /** Grants (or renews) the permission; answers the row as it now is. */
  async grant(q: Queryable, g: ConsumerRef & { typeCode: string; at: Date; by: string }): Promise<ConsumerGrant> {
    const [row] = await q.query<Record<string, unknown>>(
      `INSERT INTO consumer_grants (region, uscc, type_code, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (region, uscc, type_code) DO UPDATE SET granted_at = EXCLUDED.granted_at, granted_by = EXCLUDED.granted_by, revoked_at = NULL
       RETURNING ${GRANT_COLUMNS}`,
      [g.region, g.uscc, g.typeCode, g.at.toISOString(), g.by],
    );
    return toGrant(row!);
  }

  /** Revokes an unrevoked permission; null when there is none. */
  async revoke(q: Queryable, g: ConsumerRef & { typeCode: string; at: Date }): Promise<ConsumerGrant | null> {
    const [row] = await q.query<Record<string, unknown>>(
      `UPDATE consumer_grants SET revoked_at = $4 WHERE region = $1 AND uscc = $2 AND type_code = $3 AND revoked_at IS NULL RETURNING ${GRANT_COLUMNS}`,
      [g.region, g.uscc, g.typeCode, g.at.toISOString()],
    );
    return row ? toGrant(row) : null;
  }

  /** Every permission, revoked ones included, by region, department and type. */
  async list(q: Queryable): Promise<ConsumerGrant[]> {
    const rows = await q.query<Record<string, unknown>>(`SELECT ${GRANT_COLUMNS} FROM consumer_grants ORDER BY region, uscc, type_code LIMIT 10000`);
    return rows.map(toGrant);
  }

  /** The types the department may use now. */
  async grantedTypes(q: Queryable, consumer: ConsumerRef): Promise<string[]> {
    const rows = await q.query<{ type_code: string }>('SELECT type_code FROM consumer_grants WHERE region = $1 AND uscc = $2 AND revoked_at IS NULL ORDER BY type_code', [
      consumer.region,
      consumer.uscc,
    ]);
    return rows.map((r) => r.type_code);
  }

  /**
   * An open grant from a holder of the licence to the department (docs/adr/0012, "Authorised use") that covers
   * the licence — by its identifier, or by its type for that holder — locked for the use (run in a transaction):
   * not revoked, not expired at `now`, with a read left. The one expiring first is used first.
   */
  async openHolderGrantFor(q: Queryable, consumer: ConsumerRef, license: { identifier: string; typeCode: string; holderCodes: readonly string[] }, now: Date): Promise<GrantRow | null> {
    const [row] = await q.query<Record<string, unknown>>(
      `SELECT ${HOLDER_GRANT_COLUMNS} FROM holder_grants
        WHERE department_region = $1 AND department_uscc = $2 AND revoked_at IS NULL AND expires_at > $3 AND uses < max_uses
          AND (licence_identifier = $4 OR (licence_identifier IS NULL AND type_code = $5 AND holder_code = ANY($6::text[])))
        ORDER BY expires_at, grant_id LIMIT 1 FOR UPDATE`,
      [consumer.region, consumer.uscc, now.toISOString(), license.identifier, license.typeCode, [...license.holderCodes]],
    );
    return row ? grantRowOf(row) : null;
  }

  /** Consuming departments' uses, by type (the licence identifier's type segment), by department and by day (UTC). */
  async useStatistics(q: Queryable, range: { from?: Date; to?: Date }): Promise<UseStatistics> {
    const params: unknown[] = [[...CONSUMER_USE_KINDS]];
    let where = 'kind = ANY($1::text[])';
    if (range.from) where += ` AND at >= $${params.push(range.from.toISOString())}`;
    if (range.to) where += ` AND at < $${params.push(range.to.toISOString())}`;
    const byType = await q.query<{ type_code: string; n: unknown }>(
      `SELECT split_part(licence_identifier, '.', 6) AS type_code, count(*) AS n FROM usage_events WHERE ${where} GROUP BY 1 ORDER BY 2 DESC, 1`,
      params,
    );
    const byConsumer = await q.query<{ region: string | null; uscc: string | null; name: string | null; n: unknown }>(
      `SELECT actor_region AS region, actor_uscc AS uscc, max(actor_name) AS name, count(*) AS n FROM usage_events WHERE ${where} GROUP BY 1, 2 ORDER BY 4 DESC, 1, 2`,
      params,
    );
    const byDay = await q.query<{ day: string; n: unknown }>(
      `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n FROM usage_events WHERE ${where} GROUP BY 1 ORDER BY 1`,
      params,
    );
    return {
      byType: byType.map((r) => ({ typeCode: r.type_code, count: asNumber(r.n) })),
      byConsumer: byConsumer.map((r) => ({ region: r.region ?? '', uscc: r.uscc ?? '', name: r.name, count: asNumber(r.n) })),
      byDay: byDay.map((r) => ({ day: r.day, count: asNumber(r.n) })),
    };
  }
}

function toGrant(r: Record<string, unknown>): ConsumerGrant {
  return {
    region: r['region'] as string,
    uscc: r['uscc'] as string,
    typeCode: r['type_code'] as string,
    grantedAt: asDate(r['granted_at']),
    grantedBy: r['granted_by'] as string,
    revokedAt: asOptionalDate(r['revoked_at']),
  };
}

