import { parseLicenseIdentifier } from '../../codes/licenseIdentifier';
import { ElicenseError } from '../../errors';
import type { Clock } from '../../clock';
import type { AuditLog } from '../../store/AuditLog';
import type { Database, Queryable } from '../../store/Database';
import { statusChangeAllowed, type License, type LicenseEvent, type LicensePage, type LicenseQuery, type LicenseStatus, type LicenseStore, type StatusHolder } from '../../store/LicenseStore';
import type { NodeMetrics } from '../NodeMetrics';
import { canActFor, type Principal } from '../permissions';
import type { OwnStatusCache } from '../verifications/OwnStatusCache';

/** What reading and changing issued licences uses (a node's services fit it). */
export interface LicenseRecordsDeps {
  db: Database;
  clock: Clock;
  stores: { licenses: LicenseStore; audit: AuditLog };
  /** Dropped after a status change, so a verification through this process sees it at once. */
  ownStatus: Pick<OwnStatusCache, 'invalidate'>;
  metrics: Pick<NodeMetrics, 'lifecycle'>;
}

export type LifecycleAction = 'revoke' | 'suspend' | 'reinstate';

const TARGET: Record<LifecycleAction, LicenseStatus> = { revoke: 'revoked', suspend: 'suspended', reinstate: 'valid' };

export interface StatusChangeResult {
  identifier: string;
  status: LicenseStatus;
  previousStatus: LicenseStatus;
  reason: string;
  at: string;
}

/**
 * Reading and lifecycle of issued licences, with the department rule
 * (issuers: their own department only; region admins and auditors: all) and
 * an audit entry for every read of licence data and every status change.
 */
export class LicenseRecords {
  constructor(private readonly s: LicenseRecordsDeps) {}

  async read(principal: Principal, identifier: string): Promise<License> {
    checkIdentifier(identifier);
    return this.s.db.transaction(async (tx) => {
      const license = await this.#visible(tx, principal, identifier);
      await this.#audit(tx, principal, 'licence.read', identifier, { uscc: license.uscc, typeCode: license.typeCode });
      return license;
    });
  }

  async list(principal: Principal, query: Omit<LicenseQuery, 'uscc'> & { uscc: string | undefined }): Promise<LicensePage> {
    const uscc = query.uscc ?? (principal.role === 'issuer' ? principal.uscc! : undefined);
    if (uscc === undefined) throw new ElicenseError('INPUT_MALFORMED', 'region-wide keys name the department to list: ?department=<USCC>', { errors: [{ path: 'department', message: 'required' }] });
    if (!canActFor(principal, uscc)) throw new ElicenseError('FORBIDDEN', 'an issuer key lists its own department only');
    return this.s.db.transaction(async (tx) => {
      const page = await this.s.stores.licenses.list(tx, { ...query, uscc });
      await this.#audit(tx, principal, 'licence.list', uscc, {
        count: page.items.length,
        ...(query.typeCode !== undefined ? { typeCode: query.typeCode } : {}),
        ...(query.status !== undefined ? { status: query.status } : {}),
        // The holder code itself is personal data: record only that the search used one.
        ...(query.holderCode !== undefined || query.recordContains !== undefined ? { byHolderCode: true } : {}),
      });
      return page;
    });
  }

  async events(principal: Principal, identifier: string): Promise<LicenseEvent[]> {
    checkIdentifier(identifier);
    return this.s.db.transaction(async (tx) => {
      const license = await this.#visible(tx, principal, identifier);
      await this.#audit(tx, principal, 'licence.events.read', identifier, { uscc: license.uscc });
      return this.s.stores.licenses.events(tx, identifier);
    });
  }

  async changeStatus(principal: Principal, identifier: string, action: LifecycleAction, reason: string): Promise<StatusChangeResult> {
    checkIdentifier(identifier);
    const at = this.s.clock.now();
    let result: StatusChangeResult;
    try {
      result = await this.s.db.transaction((tx) => this.changeStatusIn(tx, principal, identifier, action, reason, at));
    } finally {
      // Before the answer leaves: a verification through this process sees the change at once.
      this.s.ownStatus.invalidate();
    }
    this.s.metrics.lifecycle.inc({ action });
    return result;
  }

  /**
   * A status change inside the caller's transaction (for a use case that changes a status as one of its
   * steps, e.g. revoking the licence a re-issue replaces): the precedence rules under the licence's row
   * lock, the change and its audit entry. The caller invalidates `ownStatus` once it has committed.
   */
  async changeStatusIn(
    tx: Queryable,
    principal: Principal,
    identifier: string,
    action: LifecycleAction,
    reason: string,
    at: Date,
    /** More for the audit entry (e.g. the licence a re-issue replaced it with). */
    auditDetails: Record<string, unknown> = {},
  ): Promise<StatusChangeResult> {
    // Decided under the licence's row lock, so two callers cannot both act on the same status.
    const holder = await this.s.stores.licenses.lockForStatusChange(tx, identifier);
    if (!holder) throw new ElicenseError('LICENSE_NOT_FOUND', 'no licence with this identifier was issued here', { identifier });
    checkLifecycleChange(principal, holder, TARGET[action], identifier);
    const after = await this.s.stores.licenses.changeStatus(tx, { identifier, to: TARGET[action], reason, actor: principal.keyId, at });
    await this.#audit(tx, principal, `licence.${action}`, identifier, { uscc: after.uscc, typeCode: after.typeCode, from: holder.status, to: after.status, reason, ...auditDetails });
    return { identifier, status: after.status, previousStatus: holder.status, reason, at: at.toISOString() };
  }

  /** The licence, if it exists and the caller may see it: 404 when it does not exist, 403 for another department's. */
  async #visible(tx: Queryable, principal: Principal, identifier: string): Promise<License> {
    const license = await this.s.stores.licenses.get(tx, identifier);
    if (!license) throw new ElicenseError('LICENSE_NOT_FOUND', 'no licence with this identifier was issued here', { identifier });
    if (!canActFor(principal, license.uscc)) throw new ElicenseError('FORBIDDEN', "an issuer key acts for its own department's licences only");
    return license;
  }

  #audit(tx: Queryable, principal: Principal, action: string, subject: string, details: Record<string, unknown>): Promise<unknown> {
    return this.s.stores.audit.append(tx, [{ actor: principal.keyId, action, subject, details, at: this.s.clock.now() }]);
  }
}

/**
 * Who may undo what (docs/adr/0005, "Licence lifecycle precedence"), checked
 * in this order: an issuer acts for its own department only (403 FORBIDDEN)
 * and only while that department is active (409 DEPARTMENT_NOT_ACTIVE); no one
 * makes a change the status machine refuses, so a revocation is final (409
 * LICENSE_STATE_CONFLICT); a status the region admin set is changed by the
 * region admin only (403 LICENSE_STATUS_SET_BY_REGION). The region admin may
 * make every change the status machine allows, whatever the department's state.
 */
export function checkLifecycleChange(principal: Principal, holder: StatusHolder, to: LicenseStatus, identifier: string): void {
  if (principal.role !== 'region_admin' && principal.role !== 'issuer') throw new ElicenseError('FORBIDDEN', 'only region admins and issuers change a licence status');
  if (!canActFor(principal, holder.uscc)) throw new ElicenseError('FORBIDDEN', "an issuer key acts for its own department's licences only");
  if (principal.role === 'issuer' && holder.departmentState !== 'active') {
    throw new ElicenseError('DEPARTMENT_NOT_ACTIVE', `the department is ${holder.departmentState} and may not change licence statuses`, { uscc: holder.uscc, state: holder.departmentState });
  }
  if (!statusChangeAllowed(holder.status, to)) {
    throw new ElicenseError('LICENSE_STATE_CONFLICT', `a ${holder.status} licence cannot become ${to}`, { identifier, from: holder.status, to });
  }
  if (principal.role === 'issuer' && holder.setByRole === 'region_admin') {
    throw new ElicenseError('LICENSE_STATUS_SET_BY_REGION', `the region admin set this licence's status (${holder.status}); only the region admin changes it`, { identifier, status: holder.status });
  }
}

function checkIdentifier(identifier: string): void {
  const parsed = parseLicenseIdentifier(identifier);
  if (!parsed.ok) throw new ElicenseError('INPUT_MALFORMED', `not a licence identifier: ${parsed.message}`, { errors: [{ path: 'identifier', message: parsed.code }] });
}
