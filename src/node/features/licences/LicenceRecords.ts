import { parseLicenseIdentifier } from '../../../codes/licenseIdentifier';
import { ElicenseError } from '../../../errors';
import type { Queryable } from '../../../store/Database';
import type { Licence, LicenceEvent, LicencePage, LicenceQuery, LicenceStatus } from '../../../store/LicenceStore';
import type { NodeServices } from '../../NodeServices';
import { canActFor, type Principal } from '../../http/permissions';

export type LifecycleAction = 'revoke' | 'suspend' | 'reinstate';

const TARGET: Record<LifecycleAction, LicenceStatus> = { revoke: 'revoked', suspend: 'suspended', reinstate: 'valid' };

export interface StatusChangeResult {
  identifier: string;
  status: LicenceStatus;
  previousStatus: LicenceStatus;
  reason: string;
  at: string;
}

/**
 * Reading and lifecycle of issued licences, with the department rule
 * (issuers: their own department only; region admins and auditors: all) and
 * an audit entry for every read of licence data and every status change.
 */
export class LicenceRecords {
  constructor(private readonly s: NodeServices) {}

  async read(principal: Principal, identifier: string): Promise<Licence> {
    checkIdentifier(identifier);
    return this.s.db.transaction(async (tx) => {
      const licence = await this.#visible(tx, principal, identifier);
      await this.#audit(tx, principal, 'licence.read', identifier, { uscc: licence.uscc, typeCode: licence.typeCode });
      return licence;
    });
  }

  async list(principal: Principal, query: Omit<LicenceQuery, 'uscc'> & { uscc: string | undefined }): Promise<LicencePage> {
    const uscc = query.uscc ?? (principal.role === 'issuer' ? principal.uscc! : undefined);
    if (uscc === undefined) throw new ElicenseError('INPUT_MALFORMED', 'region-wide keys name the department to list: ?department=<USCC>', { errors: [{ path: 'department', message: 'required' }] });
    if (!canActFor(principal, uscc)) throw new ElicenseError('FORBIDDEN', 'an issuer key lists its own department only');
    return this.s.db.transaction(async (tx) => {
      const page = await this.s.stores.licences.list(tx, { ...query, uscc });
      await this.#audit(tx, principal, 'licence.list', uscc, {
        count: page.items.length,
        ...(query.typeCode !== undefined ? { typeCode: query.typeCode } : {}),
        ...(query.status !== undefined ? { status: query.status } : {}),
        // The holder code itself is personal data: record only that the search used one.
        ...(query.recordContains !== undefined ? { byHolderCode: true } : {}),
      });
      return page;
    });
  }

  async events(principal: Principal, identifier: string): Promise<LicenceEvent[]> {
    checkIdentifier(identifier);
    return this.s.db.transaction(async (tx) => {
      const licence = await this.#visible(tx, principal, identifier);
      await this.#audit(tx, principal, 'licence.events.read', identifier, { uscc: licence.uscc });
      return this.s.stores.licences.events(tx, identifier);
    });
  }

  async changeStatus(principal: Principal, identifier: string, action: LifecycleAction, reason: string): Promise<StatusChangeResult> {
    checkIdentifier(identifier);
    const at = this.s.clock.now();
    let result: StatusChangeResult;
    try {
      result = await this.s.db.transaction(async (tx) => {
        const before = await this.#visible(tx, principal, identifier);
        const after = await this.s.stores.licences.changeStatus(tx, { identifier, to: TARGET[action], reason, actor: principal.keyId, at });
        await this.#audit(tx, principal, `licence.${action}`, identifier, { uscc: before.uscc, typeCode: before.typeCode, from: before.status, to: after.status, reason });
        return { identifier, status: after.status, previousStatus: before.status, reason, at: at.toISOString() };
      });
    } finally {
      // Before the answer leaves: a verification through this process sees the change at once.
      this.s.ownStatus.invalidate();
    }
    this.s.metrics.lifecycle.inc({ action });
    return result;
  }

  /** The licence, if it exists and the caller may see it: 404 when it does not exist, 403 for another department's. */
  async #visible(tx: Queryable, principal: Principal, identifier: string): Promise<Licence> {
    const licence = await this.s.stores.licences.get(tx, identifier);
    if (!licence) throw new ElicenseError('LICENSE_NOT_FOUND', 'no licence with this identifier was issued here', { identifier });
    if (!canActFor(principal, licence.uscc)) throw new ElicenseError('FORBIDDEN', "an issuer key acts for its own department's licences only");
    return licence;
  }

  #audit(tx: Queryable, principal: Principal, action: string, subject: string, details: Record<string, unknown>): Promise<unknown> {
    return this.s.stores.audit.append(tx, [{ actor: principal.keyId, action, subject, details, at: this.s.clock.now() }]);
  }
}

function checkIdentifier(identifier: string): void {
  const parsed = parseLicenseIdentifier(identifier);
  if (!parsed.ok) throw new ElicenseError('INPUT_MALFORMED', `not a licence identifier: ${parsed.message}`, { errors: [{ path: 'identifier', message: parsed.code }] });
}
