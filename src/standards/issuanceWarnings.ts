import { ElicenseError } from '../errors';
import type { RecordIssue } from './recordValidation';

/**
 * Issuance refuses what verification would flag (issue 10): the node and the
 * CLI run the catalogue's record validation, as a verifier does, and sign a
 * record with warnings only when the issuer acknowledged their codes.
 */

/** Where a record field comes from in a licence draft (the data an issuer sends); the rest the issuing software fills in. */
const DRAFT_FIELD: Readonly<Record<string, string>> = {
  '/certificateNumber': '/certificateNumber',
  '/certificateHolderName': '/holder/name',
  '/certificateHolderCode': '/holder/code',
  '/certificateHolderTypeCode': '/holder/typeCode',
  '/certificateHolderTypeName': '/holder/typeName',
  '/certificateIssuedDate': '/issuedDate',
  '/certificateEffectiveDate': '/effectiveDate',
  '/certificateExpiringDate': '/expiringDate',
};

const OTHER_HOLDERS = '/certificateOtherHolders/';

export interface DraftWarning {
  /** JSON pointer into the draft when the issuer supplied the field, else into the record (e.g. /certificateIssuingAuthorityCode). */
  path: string;
  /** True when the field is the issuer's data, so the warning needs its acknowledgement. */
  supplied: boolean;
  code: string;
  message: string;
}

/**
 * Record warnings placed on the draft. The issuing department's own USCC, and its division when the draft
 * names no area, are filled in from the department: the region admitted them as they are, so a warning
 * there is carried but needs no acknowledgement per licence.
 */
export function draftWarnings(warnings: readonly RecordIssue[], draft: { areaCode?: string | undefined; issuedDate?: string | undefined }): DraftWarning[] {
  return warnings.map((w) => {
    const inDraft = w.path.startsWith('/extendInfo/')
      ? w.path
      : w.path.startsWith(OTHER_HOLDERS)
        ? `/otherHolders/${w.path.slice(OTHER_HOLDERS.length)}`
        : w.path === '/certificateAreaCode'
        ? draft.areaCode !== undefined ? '/areaCode' : undefined
        : w.path === '/certificateIssuedDate' && draft.issuedDate === undefined
          ? undefined
          : DRAFT_FIELD[w.path];
    return { path: inDraft ?? w.path, supplied: inDraft !== undefined, code: w.code ?? 'CODE_WARNING', message: w.message };
  });
}

/** The warnings on the issuer's data whose codes it has not acknowledged: issuance refuses while any remain. */
export function unacknowledged(warnings: readonly DraftWarning[], acknowledged: ReadonlySet<string>): DraftWarning[] {
  return warnings.filter((w) => w.supplied && !acknowledged.has(w.code));
}

/**
 * Refuses (RECORD_WARNING_UNACKNOWLEDGED) while warnings on the issuer's data are not acknowledged; `where`
 * places a warning in the caller's input, `howToAcknowledge` says how that caller acknowledges the codes.
 */
export function refuseUnacknowledged<W extends { path: string; code: string; message: string }>(
  warnings: readonly DraftWarning[],
  acknowledged: ReadonlySet<string>,
  where: (w: DraftWarning) => W,
  howToAcknowledge: (codes: readonly string[]) => string,
): void {
  const open = unacknowledged(warnings, acknowledged).map(where);
  if (open.length === 0) return;
  const codes = [...new Set(open.map((w) => w.code))];
  throw new ElicenseError('RECORD_WARNING_UNACKNOWLEDGED', `a verifier would flag this licence: ${open.map((w) => `${w.path} ${w.code} (${w.message})`).join('; ')}. If the data is right, ${howToAcknowledge(codes)}`, {
    errors: open,
  });
}
