import { createHash } from 'node:crypto';
import { parseLicenseIdentifier } from '../../codes/licenseIdentifier';
import { ElicenseError } from '../../errors';
import { canonicalJson } from '../../json/canonicalJson';
import { refuseSuperseded, type LicenseDraft } from '../../issue/prepareLicenseRecord';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { TypeStandard } from '../../standards/generated/TypeStandard';
import type { RecordIssue } from '../../standards/recordValidation';

/** Largest batch accepted by POST /v1/licenses/batch. */
export const MAX_BATCH_RECORDS = 1000;

/**
 * An issue request as its schema has accepted it (the HTTP door checks the
 * shape): the type by code or slug, optionally its standard version, the data,
 * acknowledged warnings and the licence it replaces.
 */
export interface IssueRequestBody {
  typeCode?: string;
  type?: string;
  standardVersion?: string;
  data: Omit<LicenseDraft, 'typeCode' | 'standardVersion'>;
  acknowledgeWarnings?: string[];
  replaces?: { identifier: string; reason: string };
}

export interface IssueRequest {
  standard: TypeStandard;
  draft: LicenseDraft;
  /** SHA-256 (hex) of the canonical request without its idempotency key: what a replay must match. */
  hash: string;
  /** Warning codes the request acknowledges (`acknowledgeWarnings`). */
  acknowledged: ReadonlySet<string>;
  /** The licence this one replaces, and the reason it is revoked with. */
  replaces: { identifier: string; reason: string } | undefined;
}

export interface BatchRecordRequest extends IssueRequest {
  idempotencyKey: string | undefined;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * What a schema cannot say about an issue request, checked after it: the type
 * standard it names (TYPE_UNKNOWN when the catalogue has none, or code and slug
 * name different types; STANDARD_SUPERSEDED when a newer standard of the type exists) and the identifier of the licence it replaces
 * (SCHEMA_INVALID). `body` is the request without its idempotency key.
 */
export function resolveIssueRequest(catalog: StandardsCatalog, body: IssueRequestBody): IssueRequest {
  const standard = namedStandard(catalog, body.typeCode, body.type, body.standardVersion);
  refuseSuperseded(catalog, standard);
  const draft: LicenseDraft = { ...body.data, typeCode: standard.typeCode, standardVersion: standard.version };
  const replaces = body.replaces;
  if (replaces !== undefined) {
    const id = parseLicenseIdentifier(replaces.identifier);
    const issues: RecordIssue[] = [];
    if (!id.ok) issues.push({ path: '/replaces/identifier', code: id.code, message: `not a licence identifier: ${id.message}` });
    if (replaces.reason.trim() === '') issues.push({ path: '/replaces/reason', message: 'a reason (换发, 补发, ...) is required' });
    if (issues.length > 0) throw new ElicenseError('SCHEMA_INVALID', `replaces: ${issues.map((i) => i.message).join('; ')}`, { errors: issues });
  }
  return {
    standard,
    draft,
    hash: createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex'),
    acknowledged: new Set(body.acknowledgeWarnings ?? []),
    replaces: replaces === undefined ? undefined : { identifier: replaces.identifier, reason: replaces.reason },
  };
}

/** The standard a request names by code and/or slug (and version): TYPE_UNKNOWN when there is none, or they name different types. */
function namedStandard(catalog: StandardsCatalog, typeCode: string | undefined, slug: string | undefined, version: string | undefined): TypeStandard {
  const byCode = typeCode !== undefined ? catalog.getType(typeCode, version) : undefined;
  const bySlug = slug !== undefined ? catalog.getTypeBySlug(slug, version) : undefined;
  const standard = byCode ?? bySlug;
  if (!standard || (typeCode !== undefined && slug !== undefined && byCode?.typeCode !== bySlug?.typeCode)) {
    const named = [typeCode, slug].filter((x) => x !== undefined).join(' / ');
    throw new ElicenseError('TYPE_UNKNOWN', `no licence type standard ${named}${version !== undefined ? ` version ${version}` : ''}`);
  }
  return standard;
}

/**
 * Run on an issue request before its schema: a type the catalogue does not know is TYPE_UNKNOWN whatever
 * its data (the data's shape depends on the type). Leaves everything else, including badly typed type
 * names, to the schema.
 */
export function refuseUnknownType(catalog: StandardsCatalog, body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const { typeCode, type, standardVersion } = body as Record<string, unknown>;
  const text = (v: unknown): v is string | undefined => v === undefined || (typeof v === 'string' && v !== '');
  if ((typeCode === undefined && type === undefined) || !text(typeCode) || !text(type) || !text(standardVersion)) return;
  namedStandard(catalog, typeCode, type, standardVersion);
}

/** Batch keys (and `Idempotency-Key` header values): 1–255 visible ASCII characters; INPUT_MALFORMED otherwise. */
export function checkIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ElicenseError('INPUT_MALFORMED', 'an idempotency key is 1 to 255 visible ASCII characters', { errors: [{ path: '/idempotencyKey', message: 'invalid' }] });
  }
  return key;
}

/** The visible-ASCII rule of idempotency keys as a schema pattern. */
export const IDEMPOTENCY_KEY_PATTERN = IDEMPOTENCY_KEY.source;
