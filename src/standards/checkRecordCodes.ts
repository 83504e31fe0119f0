/**
 * The code checks of a schema-valid record: issuer USCC, holder code per holder type, jurisdiction
 * division code, identifier consistency, face code fields and the validity period. The reference date
 * for birth dates is the licence's issue date, so no clock is needed.
 */
import { checkBirthDateAgainstCitizenId, checkCitizenId } from '../codes/citizenId';
import type { CodeCheck } from '../codes/codeCheck';
import { checkDivisionCode, type DivisionCodeList } from '../codes/divisionCode';
import { checkHolderCode } from '../codes/holderCode';
import type { HolderCodeTypes } from '../codes/holderCodeTypes';
import { parseLicenseIdentifier } from '../codes/licenseIdentifier';
import { checkUscc } from '../codes/uscc';
import type { LicenseRecord } from './generated/LicenseRecord';
import type { TypeStandard } from './generated/TypeStandard';
import type { RecordIssue } from './recordValidation';

export interface CodeCheckContext {
  divisions: DivisionCodeList;
  holderCodeTypes: HolderCodeTypes;
}

export interface CodeCheckOutcome {
  errors: RecordIssue[];
  warnings: RecordIssue[];
}

function collect(out: CodeCheckOutcome, path: string, check: CodeCheck): void {
  if (!check.ok) {
    out.errors.push({ path, message: check.message, code: check.code });
    return;
  }
  for (const w of check.warnings) out.warnings.push({ path, message: w.message, code: w.code });
}

export function checkRecordCodes(record: LicenseRecord, standard: TypeStandard, ctx: CodeCheckContext): CodeCheckOutcome {
  const out: CodeCheckOutcome = { errors: [], warnings: [] };
  const today = record.certificateIssuedDate;

  collect(out, '/certificateIssuingAuthorityCode', checkUscc(record.certificateIssuingAuthorityCode));

  checkHolder(out, '/certificate', { typeCode: record.certificateHolderTypeCode, code: record.certificateHolderCode }, standard, ctx, today);
  const others = record.certificateOtherHolders ?? [];
  const maxHolders = standard.maxHolders ?? 1;
  if (others.length + 1 > maxHolders) {
    out.errors.push({ path: '/certificateOtherHolders', code: 'HOLDERS_TOO_MANY', message: `${standard.nameEn} names at most ${maxHolders} holder${maxHolders === 1 ? '' : 's'}` });
  }
  const seen = new Set([`${record.certificateHolderTypeCode}:${record.certificateHolderCode}`]);
  others.forEach((h, i) => {
    const key = `${h.typeCode}:${h.code}`;
    if (seen.has(key)) out.errors.push({ path: `/certificateOtherHolders/${i}/code`, code: 'HOLDER_DUPLICATE', message: 'this holder is already named' });
    seen.add(key);
    checkHolder(out, `/certificateOtherHolders/${i}/`, h, standard, ctx, today);
  });

  collect(out, '/certificateAreaCode', checkDivisionCode(record.certificateAreaCode, ctx.divisions));

  const id = parseLicenseIdentifier(record.certificateIdentifier);
  if (!id.ok) {
    out.errors.push({ path: '/certificateIdentifier', message: id.message, code: id.code });
  } else {
    if (id.value.typeCode !== record.certificateTypeCode) {
      out.errors.push({ path: '/certificateIdentifier', code: 'IDENTIFIER_TYPE_MISMATCH', message: 'identifier type code differs from certificateTypeCode' });
    }
    if (id.value.issuerCode !== record.certificateIssuingAuthorityCode) {
      out.errors.push({ path: '/certificateIdentifier', code: 'IDENTIFIER_ISSUER_MISMATCH', message: 'identifier issuer code differs from certificateIssuingAuthorityCode' });
    }
  }

  if (record.definingAuthorityCode !== undefined && record.definingAuthorityCode !== standard.definingAuthority.uscc) {
    out.errors.push({ path: '/definingAuthorityCode', code: 'DEFINING_AUTHORITY_MISMATCH', message: 'definingAuthorityCode differs from the type standard' });
  }

  const faceChecks = standard.faceCodeChecks;
  if (faceChecks) {
    const face = record.extendInfo;
    for (const field in faceChecks) {
      const value = face[field];
      if (value === undefined) continue;
      const path = `/extendInfo/${field}`;
      const kind = faceChecks[field];
      if (kind === 'uscc') collect(out, path, checkUscc(value));
      else if (kind === 'citizenId') collect(out, path, checkCitizenId(value, { today, divisions: ctx.divisions }));
      else collect(out, path, checkDivisionCode(value, ctx.divisions));
    }
  }

  checkFaceBirthDates(record, out);

  const expiring = record.certificateExpiringDate;
  if (expiring !== undefined && expiring < record.certificateEffectiveDate) {
    out.errors.push({ path: '/certificateExpiringDate', code: 'VALIDITY_PERIOD_INVALID', message: 'expiring date is before the effective date' });
  }
  return out;
}

/** One holder's code type (allowed for the type) and code (checked per its type); `at` prefixes the field names. */
function checkHolder(out: CodeCheckOutcome, at: string, holder: { typeCode: string; code: string }, standard: TypeStandard, ctx: CodeCheckContext, today: string): void {
  const field = (name: string) => (at === '/certificate' ? `/certificateHolder${name}` : `${at}${name.charAt(0).toLowerCase()}${name.slice(1)}`);
  if (!standard.holderTypeCodes.includes(holder.typeCode)) {
    out.errors.push({ path: field('TypeCode'), code: 'HOLDER_TYPE_NOT_ALLOWED', message: `holder code type ${holder.typeCode} is not allowed for ${standard.nameEn}` });
    return;
  }
  collect(out, field('Code'), checkHolderCode(holder.typeCode, holder.code, { types: ctx.holderCodeTypes, today, divisions: ctx.divisions }));
}

const BIRTH_DATE = 'BirthDate';

/**
 * Face birth dates against the citizen ID they belong to, by the naming the
 * type standards share: `<who>BirthDate` with `<who>IdNumber` (spouses), and a
 * bare `birthDate` with `idNumber`, else with the holder's own code when it is
 * a citizen ID (type 111: degree, driving licence, newborn with an ID).
 */
function checkFaceBirthDates(record: LicenseRecord, out: CodeCheckOutcome): void {
  const face = record.extendInfo as Record<string, unknown>;
  for (const field in face) {
    let who: string;
    if (field === 'birthDate') who = '';
    else if (field.endsWith(BIRTH_DATE) && field.length > BIRTH_DATE.length) who = field.slice(0, -BIRTH_DATE.length);
    else continue;
    const idField = who === '' ? 'idNumber' : `${who}IdNumber`;
    const check =
      face[idField] !== undefined
        ? checkBirthDateAgainstCitizenId(face[field], face[idField], idField)
        : who === '' && record.certificateHolderTypeCode === '111'
          ? checkBirthDateAgainstCitizenId(face[field], record.certificateHolderCode, 'the holder code')
          : undefined;
    if (check) collect(out, `/extendInfo/${field}`, check);
  }
}
