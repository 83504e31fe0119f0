import type { Queryable } from './Database';
import { auditEntryHash, type AuditEntry } from './auditEntryHash';
import type { AuditChainPoint } from './verifyAuditChain';
import { asDate, asNumber } from './rowValues';

export interface AuditEvent {
  /** Who: an API key id, "cli:<user>", "system". Never a secret. */
  actor: string;
  /** What, as a stable dotted name: "licence.issue", "department.suspend", "licence.read". */
  action: string;
  /** On what: a licence identifier, a USCC, a key id. */
  subject: string;
  /** JSON only; no personal data or key material. */
  details: Record<string, unknown>;
  at: Date;
}

/**
 * The append-only, hash-chained audit log. Append in the same transaction
 * as the change it records: the chain head row is locked until commit, so
 * appends from all processes form one chain in commit order.
 */
export interface AuditLog {
  append(q: Queryable, events: readonly AuditEvent[]): Promise<AuditEntry[]>;
  /** Entries with seq > afterSeq, in order (page with `limit`). */
  read(q: Queryable, afterSeq?: number, limit?: number): Promise<AuditEntry[]>;
  head(q: Queryable): Promise<AuditChainPoint>;
}

interface AuditRow {
  seq: unknown;
  at: unknown;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  prev_hash: string;
  entry_hash: string;
}

export class SqlAuditLog implements AuditLog {
  async append(q: Queryable, events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    if (events.length === 0) return [];
    const [head] = await q.query<{ seq: unknown; entry_hash: string }>('SELECT seq, entry_hash FROM audit_head WHERE singleton FOR UPDATE');
    if (!head) throw new Error('audit_head row is missing');
    const headSeq = asNumber(head.seq);
    let prevHash = head.entry_hash;
    const entries = events.map((e, i) => {
      const unhashed = { seq: headSeq + i + 1, at: new Date(e.at.getTime()), actor: e.actor, action: e.action, subject: e.subject, details: e.details, prevHash };
      const entry: AuditEntry = { ...unhashed, entryHash: auditEntryHash(unhashed) };
      prevHash = entry.entryHash;
      return entry;
    });
    const col = <T>(f: (e: AuditEntry) => T): T[] => entries.map(f);
    await q.query(
      `INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, entry_hash)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[])`,
      [
        col((e) => e.seq),
        col((e) => e.at.toISOString()),
        col((e) => e.actor),
        col((e) => e.action),
        col((e) => e.subject),
        col((e) => JSON.stringify(e.details)),
        col((e) => e.prevHash),
        col((e) => e.entryHash),
      ],
    );
    const last = entries[entries.length - 1]!;
    // Guarded by the old head too, so a caller outside a transaction fails instead of forking the chain.
    const moved = await q.query('UPDATE audit_head SET seq = $1, entry_hash = $2 WHERE singleton AND seq = $3 RETURNING seq', [last.seq, last.entryHash, headSeq]);
    if (moved.length !== 1) throw new Error('the audit chain head moved during an append; append inside a transaction');
    return entries;
  }

  async read(q: Queryable, afterSeq = 0, limit = 1000): Promise<AuditEntry[]> {
    const rows = await q.query<AuditRow>(
      'SELECT seq, at, actor, action, subject, details, prev_hash, entry_hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
      [afterSeq, limit],
    );
    return rows.map((r) => ({
      seq: asNumber(r.seq),
      at: asDate(r.at),
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      details: r.details,
      prevHash: r.prev_hash,
      entryHash: r.entry_hash,
    }));
  }

  async head(q: Queryable): Promise<AuditChainPoint> {
    const [row] = await q.query<{ seq: unknown; entry_hash: string }>('SELECT seq, entry_hash FROM audit_head WHERE singleton');
    if (!row) throw new Error('audit_head row is missing');
    return { seq: asNumber(row.seq), entryHash: row.entry_hash };
  }
}
