import type { Signer } from '../crypto/Signer';
import { ElicenseError } from '../errors';
import type { StandardsCatalog } from '../standards/StandardsCatalog';
import type { VerifierCaches } from '../verify/VerifyContext';
import { verifyFullFormDocument } from '../verify/verifyLicense';
import type { TrustInputs } from '../trust/TrustInputs';
import { chinaCalendarDate } from '../chinaCalendarDate';
import type { FullForm } from '../format/FullForm';
import { prepareCheckedRecord, type IssuingDepartment, type LicenseDraft } from './prepareLicenseRecord';
import { signLicense } from './signLicense';

export interface IssueLicenseContext {
  catalog: StandardsCatalog;
  /** The region's own trust inputs: the new licence must verify against them before it leaves. */
  trust: TrustInputs;
  department: IssuingDepartment & { signer: Signer };
  timestampAuthority: Signer;
  serial: string;
  at: Date;
  /** Status-list slot allocated for this licence (issuing node). */
  statusEntry?: { listId: string; index: number };
  /** Sign under a superseded standard: only to regenerate the golden vectors of an older standard. */
  allowSuperseded?: boolean;
  /** Keeps the self-check's path validation warm across a batch. */
  caches?: VerifierCaches;
}

/**
 * Issue one licence: prepare and check the record, sign it, have the region
 * timestamp the signature, then verify the result exactly as a relying party
 * would. A licence that would not verify is never handed out.
 */
export async function issueLicense(draft: LicenseDraft, ctx: IssueLicenseContext): Promise<FullForm> {
  const form = await signNewLicense(draft, ctx);
  selfCheckLicense(form, { trust: ctx.trust, catalog: ctx.catalog, at: ctx.at, ...(ctx.caches ? { caches: ctx.caches } : {}) });
  return form;
}

/**
 * The first half of issueLicense: prepare and check the record, sign and timestamp it. The form may not
 * leave before selfCheckLicense has passed on it (the issuing node runs the check on a worker thread).
 */
export async function signNewLicense(draft: LicenseDraft, ctx: Omit<IssueLicenseContext, 'trust' | 'caches'>): Promise<FullForm> {
  const { record, attachments } = prepareCheckedRecord(draft, {
    catalog: ctx.catalog,
    issuer: ctx.department,
    serial: ctx.serial,
    today: chinaCalendarDate(ctx.at),
    ...(ctx.statusEntry !== undefined ? { statusEntry: ctx.statusEntry } : {}),
    ...(ctx.allowSuperseded === true ? { allowSuperseded: true } : {}),
  });
  const form = await signLicense(record as unknown as Record<string, unknown>, { department: ctx.department.signer, timestampAuthority: ctx.timestampAuthority }, ctx.at);
  if (Object.keys(attachments).length > 0) form.attachments = attachments;
  return form;
}

/**
 * The second half: verify a freshly signed form as a relying party would, at its signing time. Throws
 * ISSUER_NOT_AUTHORIZED_FOR_TYPE or ISSUANCE_SELF_CHECK_FAILED (details.reasons) when it would not verify.
 */
export function selfCheckLicense(form: FullForm, ctx: { trust: TrustInputs; catalog: StandardsCatalog; at: Date; caches?: VerifierCaches }): void {
  const check = verifyFullFormDocument(form, { trust: ctx.trust, catalog: ctx.catalog, at: ctx.at, ...(ctx.caches ? { caches: ctx.caches } : {}) });
  const blocking = check.reasons.filter((r) => r !== 'LICENSE_NOT_YET_VALID' && r !== 'LICENSE_EXPIRED');
  if (blocking.length > 0) {
    const code = blocking.includes('ISSUER_NOT_AUTHORIZED_FOR_TYPE') ? 'ISSUER_NOT_AUTHORIZED_FOR_TYPE' : 'ISSUANCE_SELF_CHECK_FAILED';
    throw new ElicenseError(code, `the signed licence would not verify: ${blocking.join(', ')}`, { reasons: blocking });
  }
}
