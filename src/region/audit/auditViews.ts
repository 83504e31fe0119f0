import type { AuditEntry } from '../../store/auditEntryHash';
import type { StoredAuditVerification } from './verifyStoredAuditLog';

export function auditEntryView(e: AuditEntry) {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    details: e.details,
    prevHash: e.prevHash,
    entryHash: e.entryHash,
  };
}

export function auditVerificationView(v: StoredAuditVerification) {
  return v.ok
    ? { ok: true, count: v.count, head: v.head }
    : { ok: false, problem: v.problem, firstBadSeq: v.firstBadSeq, message: v.message, entry: v.entry ? auditEntryView(v.entry) : null };
}
