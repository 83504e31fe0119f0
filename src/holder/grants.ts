import { ElicenseError } from '../errors';
import { SqlAuditLog, type AuditLog } from '../store/AuditLog';
import type { Queryable } from '../store/Database';
import { SqlHolderStore, type GrantRow } from '../store/HolderStore';
import { SqlLicenseStore, type LicenseStatus, type LicenseStore } from '../store/LicenseStore';
import { grantCodeDigest, normaliseGrantCode } from './grantCode';
import { holderCodesOf, recordUsage } from './usageLog';

/** The department a grant is for, or the one asking to use it: its region and USCC (and name, for the holder's log). */
export interface GrantDepartment {
  region: string;
  uscc: string;
  name?: string | null;
}

/** Who is using the grant: the department, how it was authenticated, and what stands in the audit log for it. */
export interface GrantCaller {
  department: GrantDepartment;
  /** department: an API key of this region; peer_department: a signed request from a peer region (docs/adr/0006). */
  kind: 'department' | 'peer_department';
  /** The audit actor (an API key id, or peer:<region>:<uscc>). */
  auditActor: string;
}

export interface GrantedLicense {
  identifier: string;
  typeCode: string;
  status: LicenseStatus;
  fullForm: string;
}

export interface GrantStores {
  holder: SqlHolderStore;
  audit: AuditLog;
  licenses: LicenseStore;
}

/** The stores as every node has them (the SQL classes keep no state). */
export const defaultGrantStores = (): GrantStores => ({ holder: new SqlHolderStore(), audit: new SqlAuditLog(), licenses: new SqlLicenseStore() });

/** The grant's terms judged for a use by `department` at `now`: the refusals in a fixed order. */
function checkGrantUse(grant: GrantRow | null, department: GrantDepartment, now: Date, first: boolean): GrantRow {
  if (!grant) throw new ElicenseError('GRANT_UNKNOWN', 'no grant has this authorisation code');
  if (grant.department.uscc !== department.uscc || grant.department.region !== department.region) {
    // details.grantId lets the node audit the attempt; problem documents do not carry it.
    throw new ElicenseError('GRANT_WRONG_DEPARTMENT', 'the holder granted this to another department', { grantId: grant.grantId });
  }
  if (grant.revokedAt !== null) throw new ElicenseError('GRANT_REVOKED', 'the holder revoked this grant');
  if (now.getTime() >= grant.expiresAt.getTime()) throw new ElicenseError('GRANT_EXPIRED', `the grant expired at ${grant.expiresAt.toISOString()}`);
  if (first && grant.redeemedAt !== null) throw new ElicenseError('GRANT_ALREADY_REDEEMED', 'this authorisation code was already exchanged (one-time); read the licences with the grant id');
  if (!first && grant.redeemedAt === null) throw new ElicenseError('GRANT_UNKNOWN', 'the grant has not been redeemed: exchange its authorisation code first');
  if (grant.uses >= grant.maxUses) throw new ElicenseError('GRANT_EXHAUSTED', `every one of the ${grant.maxUses} reads the grant allows has been made`);
  return grant;
}

/** LICENSE_REVOKED / LICENSE_SUSPENDED for a licence that is not valid (the codes its forms are refused with). */
export function refuseNotCurrent(identifier: string, status: LicenseStatus): void {
  if (status === 'revoked') throw new ElicenseError('LICENSE_REVOKED', 'the licence has been revoked', { identifier });
  if (status === 'suspended') throw new ElicenseError('LICENSE_SUSPENDED', 'the licence is suspended', { identifier });
}

/** The valid licences a grant covers now: its one licence, or the holder's licences of its type. */
async function grantedLicenses(q: Queryable, grant: GrantRow, stores: GrantStores): Promise<GrantedLicense[]> {
  if (grant.licenseIdentifier !== null) {
    const license = await stores.licenses.get(q, grant.licenseIdentifier);
    if (!license) throw new ElicenseError('LICENSE_NOT_FOUND', 'the granted licence is no longer held by this node');
    refuseNotCurrent(license.identifier, license.status);
    return [{ identifier: license.identifier, typeCode: license.typeCode, status: license.status, fullForm: license.fullForm }];
  }
  const ofType = await stores.holder.walletLicensesOfType(q, grant.holderCode, grant.typeCode!);
  const valid = ofType.filter((l) => l.status === 'valid');
  if (valid.length === 0) {
    if (ofType[0]) refuseNotCurrent(ofType[0].identifier, ofType[0].status);
    throw new ElicenseError('LICENSE_NOT_FOUND', 'the holder has no licence of the granted type');
  }
  return valid.map((l) => ({ identifier: l.identifier, typeCode: l.typeCode, status: l.status, fullForm: l.fullForm }));
}

async function logUses(q: Queryable, stores: GrantStores, caller: GrantCaller, grant: GrantRow, kind: 'exchange' | 'read', licenses: readonly GrantedLicense[], now: Date): Promise<void> {
  const events = [];
  for (const l of licenses) {
    const record = (await stores.licenses.get(q, l.identifier))?.record ?? {};
    events.push({
      at: now,
      kind,
      licenseIdentifier: l.identifier,
      holderCodes: holderCodesOf(record).length > 0 ? holderCodesOf(record) : [grant.holderCode],
      actor: { kind: caller.kind, region: caller.department.region, uscc: caller.department.uscc, name: caller.department.name ?? null },
      serviceItem: grant.serviceItem,
      caseNumber: grant.caseNumber,
      grantId: grant.grantId,
    });
  }
  await recordUsage(q, stores, caller.auditActor, events);
}

export interface RedeemGrantInput {
  code: string;
  caller: GrantCaller;
  now: Date;
}

export interface GrantUse {
  grant: GrantRow;
  licenses: GrantedLicense[];
  readsLeft: number;
}

/**
 * A department exchanges a holder's one-time authorisation code (docs/adr/0012, "Authorised use"), for a
 * department of this region (API key) or of a peer region (signed request, H3). Refusals: GRANT_UNKNOWN,
 * GRANT_WRONG_DEPARTMENT, GRANT_REVOKED, GRANT_EXPIRED, GRANT_ALREADY_REDEEMED, GRANT_EXHAUSTED, then the
 * licence's own state (LICENSE_REVOKED, LICENSE_SUSPENDED). The exchange counts as the first read; it is
 * logged for every holder of each licence and in the audit chain. Run it in a transaction (`q` = the
 * transaction): the grant row is locked, so one code is exchanged once.
 */
export async function redeemGrant(q: Queryable, input: RedeemGrantInput, stores: GrantStores = defaultGrantStores()): Promise<GrantUse> {
  const code = normaliseGrantCode(input.code);
  const row = code === null ? null : await stores.holder.grantByCodeForUpdate(q, grantCodeDigest(code.code));
  const grant = checkGrantUse(row, input.caller.department, input.now, true);
  const licenses = await grantedLicenses(q, grant, stores);
  const used = await stores.holder.useGrant(q, grant.grantId, input.now);
  await logUses(q, stores, input.caller, used, 'exchange', licenses, input.now);
  return { grant: used, licenses, readsLeft: used.maxUses - used.uses };
}

export interface ReadGrantInput {
  grantId: string;
  identifier: string;
  caller: GrantCaller;
  now: Date;
}

/**
 * A later read of a granted licence, within the grant's expiry and count (each read counts). Same refusals as
 * redeemGrant, and LICENSE_NOT_FOUND for a licence the grant does not cover. Run in a transaction.
 */
export async function readGrantLicense(q: Queryable, input: ReadGrantInput, stores: GrantStores = defaultGrantStores()): Promise<GrantUse & { license: GrantedLicense }> {
  const grant = checkGrantUse(await stores.holder.grant(q, input.grantId, true), input.caller.department, input.now, false);
  const covered = grant.licenseIdentifier !== null ? grant.licenseIdentifier === input.identifier : (await stores.licenses.get(q, input.identifier))?.typeCode === grant.typeCode;
  const license = covered ? (await grantedLicenses(q, grant, stores)).find((l) => l.identifier === input.identifier) : undefined;
  if (!license) {
    // The licence may exist and belong to the type, yet not be valid or not be the holder's: say the state only when it is covered.
    if (covered && grant.licenseIdentifier === null) {
      const l = await stores.licenses.get(q, input.identifier);
      if (l && holderCodesOf(l.record).includes(grant.holderCode)) refuseNotCurrent(l.identifier, l.status);
    }
    throw new ElicenseError('LICENSE_NOT_FOUND', 'the grant does not cover this licence', { identifier: input.identifier });
  }
  const used = await stores.holder.useGrant(q, grant.grantId, input.now);
  await logUses(q, stores, input.caller, used, 'read', [license], input.now);
  return { grant: used, licenses: [license], license, readsLeft: used.maxUses - used.uses };
}

/** A grant as its holder and the department see it (never the code: it is shown once, when made). */
export function grantView(g: GrantRow, now: Date) {
  const state = g.revokedAt !== null ? 'revoked' : now.getTime() >= g.expiresAt.getTime() ? 'expired' : g.uses >= g.maxUses ? 'exhausted' : g.redeemedAt !== null ? 'redeemed' : 'open';
  return {
    grantId: g.grantId,
    state,
    licenseIdentifier: g.licenseIdentifier,
    typeCode: g.typeCode,
    department: g.department,
    serviceItem: g.serviceItem,
    caseNumber: g.caseNumber,
    createdAt: g.createdAt.toISOString(),
    expiresAt: g.expiresAt.toISOString(),
    maxUses: g.maxUses,
    uses: g.uses,
    redeemedAt: g.redeemedAt?.toISOString() ?? null,
    revokedAt: g.revokedAt?.toISOString() ?? null,
  };
}
