import { createHash } from 'node:crypto';
import type { AuditLog } from '../store/AuditLog';
import type { Queryable } from '../store/Database';
import type { NewUsageEvent, SqlHolderStore, UsageEvent } from '../store/HolderStore';

/**
 * The kinds of use the log records. The column takes any lower-case word (later kinds need no migration); these are
 * the ones the node writes: the holder's side (issue 15) and consuming departments' uses (issue 16, src/consumer).
 */
export const USAGE_KINDS = ['presentation', 'exchange', 'read', 'annotated_copy', 'consumer_query', 'consumer_verification', 'consumer_copy'] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

/** Every holder a licence record names: the first holder and the co-holders (envelope 1.1.0). */
export function holderCodesOf(record: Record<string, unknown>): string[] {
  const codes: string[] = [];
  const first = record['certificateHolderCode'];
  if (typeof first === 'string') codes.push(first);
  const others = record['certificateOtherHolders'];
  if (Array.isArray(others)) {
    for (const h of others) {
      const code = (h as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && !codes.includes(code)) codes.push(code);
    }
  }
  return codes;
}

/** How a holder appears in the audit log: a pseudonym (the first 16 hex of the SHA-256 of the code), never the code. */
export const holderActor = (holderCode: string): string => `holder:${createHash('sha256').update(holderCode, 'utf8').digest('hex').slice(0, 16)}`;

/**
 * Records uses of licences (docs/adr/0012, "Usage log"): a usage event keyed by every holder of the licence,
 * and an audit-chain entry without personal data (no holder codes, no names). Run in the transaction of the use.
 */
export async function recordUsage(q: Queryable, deps: { holder: SqlHolderStore; audit: AuditLog }, auditActor: string, events: readonly NewUsageEvent[]): Promise<void> {
  if (events.length === 0) return;
  await deps.holder.insertUsage(q, events);
  await deps.audit.append(
    q,
    events.map((e) => ({
      actor: auditActor,
      action: `usage.${e.kind}`,
      subject: e.licenseIdentifier,
      details: {
        actorKind: e.actor.kind,
        ...(e.actor.region ? { actorRegion: e.actor.region } : {}),
        ...(e.actor.uscc ? { actorUscc: e.actor.uscc } : {}),
        ...(e.purpose ? { purpose: e.purpose } : {}),
        ...(e.serviceItem ? { serviceItem: e.serviceItem } : {}),
        ...(e.caseNumber ? { caseNumber: e.caseNumber } : {}),
        ...(e.grantId ? { grantId: e.grantId } : {}),
        ...(e.copyId ? { copyId: e.copyId } : {}),
        ...(e.presentationId ? { presentationId: e.presentationId } : {}),
      },
      at: e.at,
    })),
  );
}

/** A use as the holder sees it (the other holders' codes left out). */
export function usageViewForHolder(e: UsageEvent) {
  return {
    eventId: e.eventId,
    at: e.at.toISOString(),
    kind: e.kind,
    licenseIdentifier: e.licenseIdentifier,
    actor: { kind: e.actor.kind, region: e.actor.region ?? null, uscc: e.actor.uscc ?? null, name: e.actor.name ?? null },
    purpose: e.purpose ?? null,
    serviceItem: e.serviceItem ?? null,
    caseNumber: e.caseNumber ?? null,
    grantId: e.grantId ?? null,
    copyId: e.copyId ?? null,
    presentationId: e.presentationId ?? null,
  };
}

/** A use as the region admin and the auditor see it: who used which licence for what, no holder codes. */
export function usageViewForRegion(e: UsageEvent) {
  return {
    ...usageViewForDepartment(e),
    actor: { kind: e.actor.kind, region: e.actor.region ?? null, uscc: e.actor.uscc ?? null, name: e.actor.name ?? null },
    copyId: e.copyId ?? null,
    presentationId: e.presentationId ?? null,
  };
}

/** A use as the department that made it sees it: no holder codes. */
export function usageViewForDepartment(e: UsageEvent) {
  return {
    eventId: e.eventId,
    at: e.at.toISOString(),
    kind: e.kind,
    licenseIdentifier: e.licenseIdentifier,
    purpose: e.purpose ?? null,
    serviceItem: e.serviceItem ?? null,
    caseNumber: e.caseNumber ?? null,
    grantId: e.grantId ?? null,
  };
}
