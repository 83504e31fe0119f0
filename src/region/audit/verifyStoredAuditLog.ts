import { AUDIT_GENESIS_HASH, auditEntryHash, type AuditEntry } from '../../store/auditEntryHash';
import { SqlAuditLog, type AuditLog } from '../../store/AuditLog';
import type { Queryable } from '../../store/Database';
import { verifyAuditChain, type AuditChainPoint, type AuditChainResult, type AuditTampering } from '../../store/verifyAuditChain';

export type StoredAuditVerification =
  | { ok: true; count: number; head: AuditChainPoint }
  | { ok: false; problem: AuditTampering; firstBadSeq: number; message: string; entry: AuditEntry | null };

export const AUDIT_VERIFY_PAGE_SIZE = 1000;

/** Rows of the previous page carried into the next, so a fault at a page boundary is judged with its neighbours. */
const OVERLAP = 2;

/**
 * Verifies the whole stored audit log page by page (memory stays flat for any
 * length), each page chained to the one before, then against the recorded
 * chain head. Entries appended while this runs are welcome: the head read
 * first must be reached with its hash, and the log may only run past the
 * head read last if it chains correctly.
 */
export async function verifyStoredAuditLog(q: Queryable, log: AuditLog, pageSize = AUDIT_VERIFY_PAGE_SIZE): Promise<StoredAuditVerification> {
  const headBefore = await log.head(q);
  let base: AuditChainPoint = { seq: 0, entryHash: AUDIT_GENESIS_HASH };
  let carry: AuditEntry[] = [];
  let count = 0;
  let hashAtHeadBefore = headBefore.seq === 0 ? AUDIT_GENESIS_HASH : undefined;
  for (;;) {
    const page = await log.read(q, carry[carry.length - 1]?.seq ?? 0, pageSize);
    if (page.length === 0) break;
    const rows = [...carry, ...page];
    const result = verifyAuditChain(rows, { after: base });
    if (!result.ok) return explain(result, rows);
    hashAtHeadBefore ??= page.find((r) => r.seq === headBefore.seq)?.entryHash;
    count += page.length;
    const before = rows[rows.length - OVERLAP - 1];
    if (before) base = { seq: before.seq, entryHash: before.entryHash };
    carry = rows.slice(-OVERLAP);
    if (page.length < pageSize) break;
  }
  const last = carry[carry.length - 1];
  const end: AuditChainPoint = last ? { seq: last.seq, entryHash: last.entryHash } : base;
  const headAfter = await log.head(q);
  const entryAt = async (seq: number): Promise<AuditEntry | null> => (await log.read(q, seq - 1, 1)).find((r) => r.seq === seq) ?? null;
  if (end.seq < headBefore.seq) {
    return { ok: false, problem: 'removed', firstBadSeq: end.seq + 1, message: `entries ${end.seq + 1}..${headBefore.seq} are missing at the end`, entry: null };
  }
  if (hashAtHeadBefore !== headBefore.entryHash) {
    return { ok: false, problem: 'changed', firstBadSeq: headBefore.seq, message: `entry ${headBefore.seq} does not match the recorded chain head`, entry: await entryAt(headBefore.seq) };
  }
  if (end.seq > headAfter.seq) {
    return {
      ok: false,
      problem: 'inserted',
      firstBadSeq: headAfter.seq + 1,
      message: `entries after ${headAfter.seq} were added outside the log (the chain head is at ${headAfter.seq})`,
      entry: await entryAt(headAfter.seq + 1),
    };
  }
  if (end.seq === headAfter.seq && end.entryHash !== headAfter.entryHash) {
    return { ok: false, problem: 'changed', firstBadSeq: end.seq, message: `entry ${end.seq} does not match the recorded chain head`, entry: await entryAt(end.seq) };
  }
  return { ok: true, count, head: end };
}

/** The same check on a node's database opened on its own (`elicense audit verify`), the log read as the node writes it. */
export function verifyAuditLogOfDatabase(q: Queryable, pageSize = AUDIT_VERIFY_PAGE_SIZE): Promise<StoredAuditVerification> {
  return verifyStoredAuditLog(q, new SqlAuditLog(), pageSize);
}

/**
 * A "changed" entry may be an intact entry in the wrong place: its hash then
 * matches its content under the seq it was written with. Written with a later
 * seq: entries were swapped (reordered); with an earlier one: an entry was
 * slipped in before it and the rest renumbered (inserted at that place).
 */
function explain(result: Extract<AuditChainResult, { ok: false }>, rows: readonly AuditEntry[]): StoredAuditVerification {
  const entry = rows.find((r) => r.seq === result.firstBadSeq) ?? null;
  if (result.problem === 'changed' && entry && auditEntryHash(entry) !== entry.entryHash) {
    for (let delta = -OVERLAP; delta <= OVERLAP; delta++) {
      const written = entry.seq + delta;
      if (delta === 0 || written < 1 || auditEntryHash({ ...entry, seq: written }) !== entry.entryHash) continue;
      return delta > 0
        ? { ok: false, problem: 'reordered', firstBadSeq: entry.seq, message: `entry ${entry.seq} holds the entry written as ${written}`, entry }
        : { ok: false, problem: 'inserted', firstBadSeq: written, message: `entry ${written} was not in the chain: the entry written as ${written} now sits at ${entry.seq}`, entry: rows.find((r) => r.seq === written) ?? null };
    }
  }
  return { ...result, entry };
}
