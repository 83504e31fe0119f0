import { createHash } from 'node:crypto';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { parseLicenseIdentifier } from '../../codes/licenseIdentifier';
import { ElicenseError } from '../../errors';
import { canonicalJson } from '../../json/canonicalJson';
import { checkRequestText } from '../../json/checkRequestText';
import type { LicenseDraft } from '../../issue/prepareLicenseRecord';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { TypeStandard } from '../../standards/generated/TypeStandard';
import type { RecordIssue } from '../../standards/recordValidation';

/** Largest batch accepted by POST /v1/licenses/batch. */
export const MAX_BATCH_RECORDS = 1000;

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });

/** The licence data a department sends; the node fills in issuer, identifier, dates of issue and status entry. */
const DATA_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['holder', 'certificateNumber', 'effectiveDate', 'extendInfo'],
  properties: {
    holder: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'code', 'typeCode', 'typeName'],
      properties: { name: text(200), code: text(64), typeCode: text(8), typeName: text(60) },
    },
    certificateNumber: text(100),
    effectiveDate: text(10),
    expiringDate: text(10),
    areaCode: text(6),
    extendInfo: { type: 'object' },
  },
} as const;

/** Stable codes of validation warnings (USCC_CHECK_CHARACTER_MISMATCH, CITIZEN_ID_BIRTH_DATE_MISMATCH, ...). */
const WARNING_CODE = { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,63}$' } as const;

const RECORD_PROPERTIES = {
  typeCode: text(64),
  type: text(64),
  standardVersion: text(32),
  data: DATA_SCHEMA,
  /** Warnings verification would show that the issuer has checked and signs anyway (pilot-era USCCs exist). */
  acknowledgeWarnings: { type: 'array', maxItems: 20, uniqueItems: true, items: WARNING_CODE },
  /** A re-issue (换发/补发): the licence this one replaces, revoked with `reason` in the same transaction. */
  replaces: {
    type: 'object',
    additionalProperties: false,
    required: ['identifier', 'reason'],
    properties: { identifier: text(200), reason: text(1000) },
  },
} as const;

/** Body of POST /v1/licenses: the type (code or slug), optionally its standard version, and the data. */
export const ISSUE_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['data'],
  anyOf: [{ required: ['typeCode'] }, { required: ['type'] }],
  properties: RECORD_PROPERTIES,
} as const;

/** One record of POST /v1/licenses/batch: an issue request with its own optional idempotency key. */
export const BATCH_RECORD_SCHEMA = {
  ...ISSUE_REQUEST_SCHEMA,
  properties: { ...RECORD_PROPERTIES, idempotencyKey: text(255) },
} as const;

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

/** Validates requests against the schemas above (compiled once) and resolves the type standard. */
export class IssueRequestReader {
  readonly #validateIssue;
  readonly #validateRecord;

  constructor(private readonly catalog: StandardsCatalog) {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
    this.#validateIssue = ajv.compile(ISSUE_REQUEST_SCHEMA);
    this.#validateRecord = ajv.compile(BATCH_RECORD_SCHEMA);
  }

  /** POST /v1/licenses. Shape errors: SCHEMA_INVALID (422) with every issue; unknown type: TYPE_UNKNOWN. */
  readIssue(body: unknown): IssueRequest {
    if (!this.#validateIssue(body)) throw shapeError(this.#validateIssue.errors);
    return this.#resolve(body as unknown as Record<string, unknown>);
  }

  /** One record of a batch: the text check runs here, per record (the door leaves batch bodies to it), before the shape. */
  readBatchRecord(body: unknown): BatchRecordRequest {
    checkRequestText(body);
    if (!this.#validateRecord(body)) throw shapeError(this.#validateRecord.errors);
    const { idempotencyKey, ...rest } = body as unknown as Record<string, unknown> & { idempotencyKey?: string };
    if (idempotencyKey !== undefined) checkIdempotencyKey(idempotencyKey);
    return { ...this.#resolve(rest), idempotencyKey };
  }

  #resolve(body: Record<string, unknown>): IssueRequest {
    const typeCode = body['typeCode'] as string | undefined;
    const slug = body['type'] as string | undefined;
    const version = body['standardVersion'] as string | undefined;
    const byCode = typeCode !== undefined ? this.catalog.getType(typeCode, version) : undefined;
    const bySlug = slug !== undefined ? this.catalog.getTypeBySlug(slug, version) : undefined;
    const standard = byCode ?? bySlug;
    if (!standard || (typeCode !== undefined && slug !== undefined && byCode?.typeCode !== bySlug?.typeCode)) {
      const named = [typeCode, slug].filter((x) => x !== undefined).join(' / ');
      throw new ElicenseError('TYPE_UNKNOWN', `no licence type standard ${named}${version !== undefined ? ` version ${version}` : ''}`);
    }
    const data = body['data'] as Omit<LicenseDraft, 'typeCode' | 'standardVersion'>;
    const draft: LicenseDraft = { ...data, typeCode: standard.typeCode, standardVersion: standard.version };
    const replaces = body['replaces'] as { identifier: string; reason: string } | undefined;
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
      hash: requestHash(body),
      acknowledged: new Set((body['acknowledgeWarnings'] as string[] | undefined) ?? []),
      replaces: replaces === undefined ? undefined : { identifier: replaces.identifier, reason: replaces.reason },
    };
  }
}

/** `Idempotency-Key` header values and batch keys: 1–255 visible ASCII characters. */
export function checkIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ElicenseError('INPUT_MALFORMED', 'an idempotency key is 1 to 255 visible ASCII characters', { errors: [{ path: '/idempotencyKey', message: 'invalid' }] });
  }
  return key;
}

function requestHash(body: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

function shapeError(errors: ErrorObject[] | null | undefined): ElicenseError {
  const issues: RecordIssue[] = (errors ?? [])
    .filter((e) => e.keyword !== 'anyOf')
    .map((e) => ({
      path: e.instancePath,
      message:
        e.keyword === 'additionalProperties'
          ? `unknown property ${String((e.params as { additionalProperty?: unknown }).additionalProperty)}`
          : e.keyword === 'required' && e.instancePath === '' && (e.params as { missingProperty?: string }).missingProperty !== 'data'
            ? 'needs typeCode (the type code) or type (the type slug)'
            : (e.message ?? e.keyword),
    }));
  const unique = [...new Map(issues.map((i) => [`${i.path} ${i.message}`, i])).values()].slice(0, 20);
  return new ElicenseError('SCHEMA_INVALID', `the request does not match the issue request schema: ${unique.slice(0, 3).map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`, {
    errors: unique,
  });
}
