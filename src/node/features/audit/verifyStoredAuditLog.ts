import { AUDIT_GENESIS_HASH, type AuditEntry } from '../../../store/auditEntryHash';
import type { AuditLog } from '../../../store/AuditLog';
import type { Queryable } from '../../../store/Database';
import { verifyAuditChain, type AuditChainPoint, type AuditTampering } from '../../../store/verifyAuditChain';

export type StoredAuditVerification =
  | { ok: true; count: number; head: AuditChainPoint }
  | { ok: false; problem: AuditTampering; firstBadSeq: number; message: string; entry: AuditEntry | null };

export const AUDIT_VERIFY_PAGE_SIZE = 1000;

/**
 * Verifies the whole stored audit log page by page (memory stays flat for any
 * length), each page chained to the last entry of the one before, then
 * against the recorded chain head. Entries appended while this runs are
 * welcome: the head read first must be reached with its hash, and the log
 * may only run past the head read last if those entries chain correctly.
 */
export async function verifyStoredAuditLog(q: Queryable, log: AuditLog, pageSize = AUDIT_VERIFY_PAGE_SIZE): Promise<StoredAuditVerification> {
  const headBefore = await log.head(q);
  let after: AuditChainPoint = { seq: 0, entryHash: AUDIT_GENESIS_HASH };
  let count = 0;
  let hashAtHeadBefore = headBefore.seq === 0 ? AUDIT_GENESIS_HASH : undefined;
  for (;;) {
    const rows = await log.read(q, after.seq, pageSize);
    if (rows.length === 0) break;
    const result = verifyAuditChain(rows, { after });
    if (!result.ok) return { ...result, entry: rows.find((r) => r.seq === result.firstBadSeq) ?? null };
    hashAtHeadBefore ??= rows.find((r) => r.seq === headBefore.seq)?.entryHash;
    count += result.count;
    after = result.head;
    if (rows.length < pageSize) break;
  }
  const headAfter = await log.head(q);
  const entryAt = async (seq: number): Promise<AuditEntry | null> => (await log.read(q, seq - 1, 1)).find((r) => r.seq === seq) ?? null;
  if (after.seq < headBefore.seq) {
    return { ok: false, problem: 'removed', firstBadSeq: after.seq + 1, message: `entries ${after.seq + 1}..${headBefore.seq} are missing at the end`, entry: null };
  }
  if (hashAtHeadBefore !== headBefore.entryHash) {
    return { ok: false, problem: 'changed', firstBadSeq: headBefore.seq, message: `entry ${headBefore.seq} does not match the recorded chain head`, entry: await entryAt(headBefore.seq) };
  }
  if (after.seq > headAfter.seq) {
    return {
      ok: false,
      problem: 'inserted',
      firstBadSeq: headAfter.seq + 1,
      message: `entries after ${headAfter.seq} were added outside the log (the chain head is at ${headAfter.seq})`,
      entry: await entryAt(headAfter.seq + 1),
    };
  }
  if (after.seq === headAfter.seq && after.entryHash !== headAfter.entryHash) {
    return { ok: false, problem: 'changed', firstBadSeq: after.seq, message: `entry ${after.seq} does not match the recorded chain head`, entry: await entryAt(after.seq) };
  }
  return { ok: true, count, head: after };
}
