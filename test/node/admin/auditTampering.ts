/**
 * Someone with write access to the database edits the audit log behind the
 * node's back (the append-only trigger switched off first, as an owner
 * could). Each tampering is undone by restoring a snapshot, so one log can
 * be tampered with in every way in turn.
 */
import { auditEntryHash } from '../../../src/store/auditEntryHash';
import type { Queryable } from '../../../src/store/Database';
import { SqlAuditLog } from '../../../src/store/AuditLog';

export type Tampering = (q: Queryable, seq: number) => Promise<void>;

const COLUMNS = 'at, actor, action, subject, details, prev_hash, entry_hash';

export async function snapshotAuditLog(q: Queryable): Promise<void> {
  await q.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
  await q.query('DROP TABLE IF EXISTS audit_snapshot');
  await q.query('CREATE TABLE audit_snapshot AS SELECT * FROM audit_log');
}

export async function restoreAuditLog(q: Queryable): Promise<void> {
  await q.query('DELETE FROM audit_log');
  await q.query('INSERT INTO audit_log SELECT * FROM audit_snapshot');
}

export async function endTampering(q: Queryable): Promise<void> {
  await restoreAuditLog(q);
  await q.query('DROP TABLE audit_snapshot');
  await q.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
}

/** A forged entry that chains correctly onto entry `seq - 1` (the forger knows the hash function). */
async function forgedAfter(q: Queryable, seq: number) {
  const [prev] = await new SqlAuditLog().read(q, seq - 2, 1);
  const unhashed = { seq, at: new Date('2030-01-01T00:00:00Z'), actor: 'ak_forged', action: 'department.admit', subject: 'forged', details: {}, prevHash: prev!.entryHash };
  return { ...unhashed, entryHash: auditEntryHash(unhashed) };
}

async function insertRow(q: Queryable, e: Awaited<ReturnType<typeof forgedAfter>>): Promise<void> {
  await q.query(`INSERT INTO audit_log (seq, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
    e.seq,
    e.at.toISOString(),
    e.actor,
    e.action,
    e.subject,
    JSON.stringify(e.details),
    e.prevHash,
    e.entryHash,
  ]);
}

export const TAMPERINGS: Record<string, Tampering> = {
  /** One field of one entry rewritten. */
  changed: async (q, seq) => {
    await q.query("UPDATE audit_log SET subject = subject || '-edited' WHERE seq = $1", [seq]);
  },
  /** An entry rewritten with its own hash recomputed: the next entry's prev_hash still names the original. */
  'changed and rehashed': async (q, seq) => {
    const [row] = await new SqlAuditLog().read(q, seq - 1, 1);
    const edited = { ...row!, actor: 'ak_someone_else' };
    await q.query('UPDATE audit_log SET actor = $2, entry_hash = $3 WHERE seq = $1', [seq, edited.actor, auditEntryHash(edited)]);
  },
  /** An entry deleted from the middle. */
  removed: async (q, seq) => {
    await q.query('DELETE FROM audit_log WHERE seq = $1', [seq]);
  },
  /** The last entry deleted (audit_head still names it). */
  'removed at the end': async (q) => {
    await q.query('DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)');
  },
  /** Two neighbouring entries swap places (their seq numbers stay). */
  reordered: async (q, seq) => {
    await q.query(
      `UPDATE audit_log a SET at = b.at, actor = b.actor, action = b.action, subject = b.subject, details = b.details, prev_hash = b.prev_hash, entry_hash = b.entry_hash
       FROM audit_log b WHERE (a.seq = $1 AND b.seq = $1 + 1) OR (a.seq = $1 + 1 AND b.seq = $1)`,
      [seq],
    );
  },
  /** A forged entry slipped in before `seq`, the later entries renumbered to make room. */
  inserted: async (q, seq) => {
    await q.query('UPDATE audit_log SET seq = -(seq + 1) WHERE seq >= $1', [seq]);
    await q.query('UPDATE audit_log SET seq = -seq WHERE seq < 0');
    await insertRow(q, await forgedAfter(q, seq));
  },
  /** A forged entry appended after the last one, correctly chained, without moving the chain head. */
  'inserted at the end': async (q) => {
    const [{ max }] = (await q.query<{ max: unknown }>('SELECT max(seq) AS max FROM audit_log')) as [{ max: unknown }];
    await insertRow(q, await forgedAfter(q, Number(max) + 1));
  },
};
