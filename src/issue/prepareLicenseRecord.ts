import { divisionWithinRegion } from '../codes/divisionCode';
import { buildLicenseIdentifier } from '../codes/licenseIdentifier';
import { ElicenseError } from '../errors';
import type { StandardsCatalog } from '../standards/StandardsCatalog';
import type { LicenseRecord } from '../standards/generated/LicenseRecord';
import type { TypeStandard } from '../standards/generated/TypeStandard';
import type { RecordIssue } from '../standards/recordValidation';
import type { LicenseAttachments } from '../format/FullForm';
import { photoReferences, type DraftPhoto } from './photoReferences';

export interface DraftHolder {
  name: string;
  code: string;
  typeCode: string;
  typeName: string;
}

/** What a department supplies to issue a licence; the rest of the record is filled in here. */
export interface LicenseDraft {
  typeCode: string;
  /** Type standard version; the latest published one when omitted. */
  standardVersion?: string;
  certificateNumber: string;
  /** The first (or only) holder: certificateHolder* of the record. */
  holder: DraftHolder;
  /** Further holders (co-owners), envelope 1.1.0 types whose maxHolders allows them. */
  otherHolders?: DraftHolder[];
  /** 关联事项: the government service item the licence was issued under (envelope 1.1.0). */
  relatedItem?: { name: string; code?: string };
  /**
   * Images of the type standard's photo fields (driving licence, social security card), base64: the record
   * carries each one's media type and SHA-256, the full form carries the bytes (docs/adr/0010).
   */
  photos?: Record<string, DraftPhoto>;
  /** YYYY-MM-DD; the issue day when omitted. */
  issuedDate?: string;
  effectiveDate: string;
  /** Omitted: long-term (长期). */
  expiringDate?: string;
  /** GB/T 2260 division of the issuing jurisdiction; the department's own when omitted. */
  areaCode?: string;
  extendInfo: Record<string, unknown>;
}

export interface IssuingDepartment {
  name: string;
  uscc: string;
  divisionCode: string;
}

export interface PrepareOptions {
  catalog: StandardsCatalog;
  issuer: IssuingDepartment;
  /** Unique per issuer and type (allocated by the caller: the node's store or the CLI). */
  serial: string;
  /** Identifier version segment, 001 for a first issue. */
  version?: string;
  /** Calendar date of issue (YYYY-MM-DD, UTC+8). */
  today: string;
  /** Where the licence's status lives (allocated by the issuing node's store). */
  statusEntry?: { listId: string; index: number };
  /**
   * The region whose trust data lists the issuer: the licence's area code must lie in it, since a region
   * vouches only for its own areas and verification refuses anything else (ISSUER_AREA_OUTSIDE_REGION).
   */
  regionCode?: string;
  /**
   * Sign under a standard a newer one supersedes (an older version of the slug, or a replaced type code).
   * Only for regenerating the golden vectors of the older standard: a department issues under the newest
   * standard of its type (docs/adr/0010).
   */
  allowSuperseded?: boolean;
}

export interface PreparedRecord {
  record: LicenseRecord;
  /** What the same validation found and a verifier will show. */
  warnings: readonly RecordIssue[];
  /** The photo bytes the record's photo references bind (the full form's attachments); empty without photos. */
  attachments: LicenseAttachments;
}

/**
 * Builds the complete licence record from a draft and checks it against the
 * type's standard and the code rules before anything is signed (prepare →
 * record → sign → store: nothing is signed that was not first checked).
 */
export function prepareLicenseRecord(draft: LicenseDraft, opts: PrepareOptions): LicenseRecord {
  return prepareCheckedRecord(draft, opts).record;
}

/**
 * STANDARD_SUPERSEDED unless `standard` is the newest of its type: new licences are issued under the newest
 * standard (docs/adr/0010). Callers that decide the right to issue first run it before that decision, so a
 * replaced code is answered as replaced, not as a type the department may not issue.
 */
export function refuseSuperseded(catalog: StandardsCatalog, standard: TypeStandard): void {
  const newest = catalog.getTypeBySlug(standard.slug);
  if (!newest || newest === standard) return;
  throw new ElicenseError('STANDARD_SUPERSEDED', `${standard.slug} ${standard.version} (${standard.typeCode}) is superseded by ${newest.version} (${newest.typeCode}): new licences are issued under the newest standard of their type`, {
    typeCode: standard.typeCode,
    version: standard.version,
    successor: { typeCode: newest.typeCode, version: newest.version },
  });
}

/** prepareLicenseRecord, with the warnings the same validation found (what a verifier will show) and the photo bytes. */
export function prepareCheckedRecord(draft: LicenseDraft, opts: PrepareOptions): PreparedRecord {
  const standard = opts.catalog.getType(draft.typeCode, draft.standardVersion);
  if (!standard) {
    throw new ElicenseError('TYPE_UNKNOWN', `no licence type standard ${draft.typeCode}${draft.standardVersion ? ` version ${draft.standardVersion}` : ''}`);
  }
  if (opts.allowSuperseded !== true) refuseSuperseded(opts.catalog, standard);
  const onEnvelope110 = standard.envelopeVersion !== undefined;
  const photos = photoReferences(draft, standard);
  const identifier = buildLicenseIdentifier({
    typeCode: standard.typeCode,
    issuerCode: opts.issuer.uscc,
    serial: opts.serial,
    version: opts.version ?? '001',
  });
  // Built field by field in the record's order, a field left out rather than set to undefined: a literal
  // with spreads and a delete pass after it leaves V8 a slow dictionary object that every later step
  // (validation, canonical JSON, the full form's JSON) walks more slowly. Named stores keep it a fast
  // object (keyed stores turn an object of this many fields into a dictionary too). Same fields, same order.
  const r: { [field: string]: unknown } = {};
  if (onEnvelope110 && standard.envelopeVersion !== undefined) r.envelopeVersion = standard.envelopeVersion;
  if (standard.nameZh !== undefined) r.certificateName = standard.nameZh;
  r.certificateIdentifier = identifier;
  if (standard.typeCode !== undefined) r.certificateTypeCode = standard.typeCode;
  if (standard.nameZh !== undefined) r.certificateTypeName = standard.nameZh;
  if (standard.version !== undefined) r.standardVersion = standard.version;
  if (standard.definingAuthority.name !== undefined) r.definingAuthorityName = standard.definingAuthority.name;
  if (standard.definingAuthority.uscc !== undefined) r.definingAuthorityCode = standard.definingAuthority.uscc;
  if (draft.certificateNumber !== undefined) r.certificateNumber = draft.certificateNumber;
  if (opts.issuer.name !== undefined) r.certificateIssuingAuthorityName = opts.issuer.name;
  if (opts.issuer.uscc !== undefined) r.certificateIssuingAuthorityCode = opts.issuer.uscc;
  const issued = draft.issuedDate ?? opts.today;
  if (issued !== undefined) r.certificateIssuedDate = issued;
  // Drafts come from outside (HTTP, files): a missing holder is a schema error, not a crash.
  const holder = draft.holder as Partial<DraftHolder> | undefined;
  if (holder?.name !== undefined) r.certificateHolderName = holder.name;
  if (holder?.code !== undefined) r.certificateHolderCode = holder.code;
  if (holder?.typeCode !== undefined) r.certificateHolderTypeCode = holder.typeCode;
  if (holder?.typeName !== undefined) r.certificateHolderTypeName = holder.typeName;
  if (draft.otherHolders !== undefined && (draft.otherHolders.length > 0 || !onEnvelope110)) r.certificateOtherHolders = draft.otherHolders;
  if (draft.effectiveDate !== undefined) r.certificateEffectiveDate = draft.effectiveDate;
  if (draft.expiringDate !== undefined) r.certificateExpiringDate = draft.expiringDate;
  const area0 = draft.areaCode ?? opts.issuer.divisionCode;
  if (area0 !== undefined) r.certificateAreaCode = area0;
  const related = draft.relatedItem as Partial<NonNullable<LicenseDraft['relatedItem']>> | undefined;
  if (related?.name !== undefined) r.relatedItemName = related.name;
  if (related?.code !== undefined) r.relatedItemCode = related.code;
  if (opts.statusEntry !== undefined) r.statusEntry = { listId: opts.statusEntry.listId, index: opts.statusEntry.index };
  const extendInfo = photos.references === undefined ? draft.extendInfo : { ...draft.extendInfo, ...photos.references };
  if (extendInfo !== undefined) r.extendInfo = extendInfo;
  const record = r;
  const built = record as unknown as LicenseRecord;
  const check = opts.catalog.validateRecord(built);
  if (!check.ok) {
    throw new ElicenseError(check.code === 'TYPE_UNKNOWN' ? 'TYPE_UNKNOWN' : check.code === 'CODE_INVALID' ? 'CODE_INVALID' : 'SCHEMA_INVALID',
      `licence data does not meet ${standard.slug} ${standard.version}: ${check.errors.slice(0, 5).map((e) => `${e.path} ${e.message}`).join('; ')}`,
      { reason: check.code, errors: check.errors });
  }
  const area = built.certificateAreaCode;
  if (opts.regionCode !== undefined && !divisionWithinRegion(area, opts.regionCode)) {
    const message = `area ${area} lies outside region ${opts.regionCode}, which vouches for this department`;
    throw new ElicenseError('CODE_INVALID', `licence data does not meet ${standard.slug} ${standard.version}: /certificateAreaCode ${message}`, {
      reason: 'CODE_INVALID',
      errors: [{ path: '/certificateAreaCode', code: 'AREA_OUTSIDE_REGION', message }],
    });
  }
  return { record: built, warnings: check.warnings, attachments: photos.attachments };
}
