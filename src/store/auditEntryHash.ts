import { createHash } from 'node:crypto';
import { canonicalJson } from '../json/canonicalJson';

/** prev_hash of the first entry. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** One audit log entry as stored. */
export interface AuditEntry {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  prevHash: string;
  entryHash: string;
}

/**
 * SHA-256 (hex) over the RFC 8785 canonical JSON of the entry's fields and
 * the previous entry's hash: each entry commits to its content, its place
 * and everything before it.
 */
export function auditEntryHash(e: Omit<AuditEntry, 'entryHash'>): string {
  const body = canonicalJson({
    seq: e.seq,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    details: e.details,
    prev_hash: e.prevHash,
  });
  return createHash('sha256').update(body, 'utf8').digest('hex');
}
