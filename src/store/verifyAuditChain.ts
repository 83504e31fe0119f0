import { AUDIT_GENESIS_HASH, auditEntryHash, type AuditEntry } from './auditEntryHash';

export interface AuditChainPoint {
  seq: number;
  entryHash: string;
}

export interface VerifyAuditChainOptions {
  /** The entry just before `rows` (to verify a long log in pages); default: the start of the log. */
  after?: AuditChainPoint;
  /** The head recorded elsewhere (audit_head, an external anchor): detects entries removed from or added at the end. */
  expectedHead?: AuditChainPoint;
}

export type AuditTampering = 'changed' | 'removed' | 'reordered' | 'inserted';

export type AuditChainResult =
  | { ok: true; count: number; head: AuditChainPoint }
  | { ok: false; problem: AuditTampering; firstBadSeq: number; message: string };

/**
 * Checks an audit log read in seq order: consecutive seqs, each entry's hash
 * over its own content, and each prev_hash equal to the previous entry's
 * hash. Reports the first problem found with the seq where it starts.
 */
export function verifyAuditChain(rows: readonly AuditEntry[], options: VerifyAuditChainOptions = {}): AuditChainResult {
  let prevSeq = options.after?.seq ?? 0;
  let prevHash = options.after?.entryHash ?? AUDIT_GENESIS_HASH;
  const seen = new Set<number>();
  const present = new Set(rows.map((r) => r.seq));

  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const expected = prevSeq + 1;
    if (row.seq < expected) {
      return seen.has(row.seq)
        ? bad('inserted', row.seq, `a second entry claims seq ${row.seq}`)
        : bad('reordered', row.seq, `entry ${row.seq} appears after entry ${prevSeq}`);
    }
    if (row.seq > expected) {
      return present.has(expected)
        ? bad('reordered', expected, `entry ${expected} is out of place`)
        : bad('removed', expected, `entries ${expected}..${row.seq - 1} are missing`);
    }
    if (auditEntryHash(row) !== row.entryHash) return bad('changed', row.seq, `entry ${row.seq} does not match its hash`);
    if (row.prevHash !== prevHash) {
      // This entry is intact, so its prev_hash is what was chained at the time: the entry before it is the odd one.
      const before = rows[i - 2];
      if (before !== undefined && row.prevHash === before.entryHash) {
        return bad('inserted', rows[i - 1]!.seq, `entry ${rows[i - 1]!.seq} was not in the chain`);
      }
      return i === 0
        ? bad('inserted', row.seq, `entry ${row.seq} does not follow the start of the log`)
        : bad('changed', prevSeq, `entry ${prevSeq} was rewritten (entry ${row.seq} chains to another hash)`);
    }
    seen.add(row.seq);
    prevSeq = row.seq;
    prevHash = row.entryHash;
  }

  const head = options.expectedHead;
  if (head !== undefined) {
    if (prevSeq < head.seq) return bad('removed', prevSeq + 1, `entries ${prevSeq + 1}..${head.seq} are missing at the end`);
    if (prevSeq > head.seq) return bad('inserted', head.seq + 1, `entries after ${head.seq} were added outside the log`);
    if (prevHash !== head.entryHash) return bad('changed', prevSeq, `the last entry does not match the recorded head`);
  }
  return { ok: true, count: rows.length, head: { seq: prevSeq, entryHash: prevHash } };
}

function bad(problem: AuditTampering, firstBadSeq: number, message: string): AuditChainResult {
  return { ok: false, problem, firstBadSeq, message };
}
