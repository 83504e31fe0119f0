import { readFileSync } from 'node:fs';
import { IDEMPOTENCY_KEY_PATTERN, MAX_BATCH_RECORDS, type IssueRequestBody } from '../../../region/licenses/issueRequest';
import { repoPath } from '../../../repoPath';
import type { StandardsCatalog } from '../../../standards/StandardsCatalog';
import { dateQuery, REASON } from '../../schema/commonSchemas';
import { annotated, array, integer, jsonSchema, object, oneOf, string, type JsonSchema, type Schema } from '../../schema/Schema';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });

/** The licence data a department sends; the node fills in issuer, identifier, dates of issue and status entry. */
const HOLDER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'code', 'typeCode', 'typeName'],
  properties: { name: text(200), code: text(64), typeCode: text(8), typeName: text(60) },
};

/** Base64 of the largest photo a type standard allows (64 KiB). */
const MAX_PHOTO_BASE64 = Math.ceil(65536 / 3) * 4;

const DATA_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['holder', 'certificateNumber', 'effectiveDate', 'extendInfo'],
  properties: {
    holder: { ...HOLDER_SCHEMA, description: 'The first (or only) holder' },
    otherHolders: {
      type: 'array',
      minItems: 1,
      maxItems: 49,
      items: HOLDER_SCHEMA,
      description: "Further holders (co-owners) in the order printed, for types whose standard allows several (maxHolders, standards 1.1.0)",
    },
    relatedItem: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: text(200), code: text(64) },
      description: '关联事项: the government service item the licence is issued under (standards 1.1.0)',
    },
    photos: {
      type: 'object',
      maxProperties: 4,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['mediaType', 'data'],
        properties: { mediaType: text(40), data: { type: 'string', minLength: 4, maxLength: MAX_PHOTO_BASE64 } },
      },
      description: "Images of the type's photo fields (standard's photos: media types, bytes, pixels), base64; the node puts their SHA-256 into the signed face data",
    },
    certificateNumber: text(100),
    effectiveDate: text(10),
    expiringDate: text(10),
    areaCode: text(6),
    extendInfo: { type: 'object', description: "The type's face data, checked against the face schema of its standard (GET /v1/standards/{type})" },
  },
};

/** Stable codes of validation warnings (USCC_CHECK_CHARACTER_MISMATCH, CITIZEN_ID_BIRTH_DATE_MISMATCH, ...). */
const WARNING_CODE = { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,63}$' };

const RECORD_PROPERTIES: Record<string, JsonSchema> = {
  typeCode: { ...text(64), description: 'The type code (GET /v1/standards lists them); or give type' },
  type: { ...text(64), description: 'The type slug, e.g. business-licence; or give typeCode' },
  standardVersion: { ...text(32), description: 'A published version of the type standard; the latest when left out' },
  data: DATA_SCHEMA,
  acknowledgeWarnings: {
    type: 'array',
    maxItems: 20,
    uniqueItems: true,
    items: WARNING_CODE,
    description: 'Warnings verification would show that the issuer has checked and signs anyway (pilot-era USCCs exist)',
  },
  replaces: {
    type: 'object',
    additionalProperties: false,
    required: ['identifier', 'reason'],
    properties: { identifier: text(200), reason: REASON.json },
    description: 'A re-issue (换发/补发): the licence this one replaces, revoked with reason in the same transaction',
  },
};

/** Body of POST /v1/licenses: the type (code or slug), optionally its standard version, and the data. */
export const ISSUE_REQUEST: Schema<IssueRequestBody> = jsonSchema<IssueRequestBody>({
  type: 'object',
  additionalProperties: false,
  required: ['data'],
  anyOf: [{ required: ['typeCode'] }, { required: ['type'] }],
  properties: RECORD_PROPERTIES,
});

/** One record of POST /v1/licenses/batch: an issue request with its own optional idempotency key. */
export const BATCH_RECORD: Schema<IssueRequestBody & { idempotencyKey?: string }> = jsonSchema({
  ...ISSUE_REQUEST.json,
  properties: { ...RECORD_PROPERTIES, idempotencyKey: { ...text(255), description: 'Makes a re-run of this record return the same licence' } },
});

/**
 * Body of POST /v1/licenses/batch. The door checks the envelope; each record
 * is read on its own by the handler (BATCH_RECORD), so one bad record fails alone.
 */
export const BATCH_REQUEST = object({ records: array(jsonSchema<unknown>(BATCH_RECORD.json), { minItems: 1, maxItems: MAX_BATCH_RECORDS }) }, ['records']);

export const IDEMPOTENCY_HEADER = object({
  'Idempotency-Key': string({
    pattern: IDEMPOTENCY_KEY_PATTERN,
    description: 'A retried request with the same key returns the same licence, never a second one (1 to 255 visible ASCII characters)',
    examples: ['2024-0315-0017'],
  }),
});

export const LICENSE_PARAMS = object(
  { identifier: string({ minLength: 1, maxLength: 200, description: 'Licence identifier (GB/T 36904)', examples: ['1.2.156.3005.2.11100000PH00000122901.11350102EL000101X1.0000000000000001.1'] }) },
  ['identifier'],
);

export const REASON_BODY = object({ reason: REASON }, ['reason']);

export const STATUSES = ['valid', 'revoked', 'suspended'] as const;

/** GET /v1/licenses: every parameter it knows; others are refused. */
export const LICENSE_QUERY = object({
  department: string({ description: 'USCC of the department (region-wide keys must name one; issuers see their own)', examples: ['11350102EL000101X1'] }),
  typeCode: string({ description: 'Only licences of this type code' }),
  status: oneOf(STATUSES, { description: 'Only licences in this status' }),
  holderCode: string({ description: "Only licences naming a holder with this code (the first holder or a co-owner; e.g. the holder's USCC)" }),
  from: dateQuery('Issued at or after', '2024-01-01'),
  to: dateQuery('Issued before', '2030-01-01'),
  cursor: string({ description: 'The `next` of the previous page' }),
  limit: annotated(integer({ minimum: 1, maximum: 500 }), { description: 'Page size', default: 100 }),
});

export const RETURN_QUERY = object({ return: oneOf(['minimal'] as const, { description: 'minimal: leave the full forms out of the results' }) });

/**
 * An issue request that works against the demo node ("Try it out" in /docs):
 * the fictional business licence of fixtures/data, by the business licence's
 * type code, to be signed by whichever department the caller's key belongs to.
 */
export function sampleIssueRequest(catalog: StandardsCatalog): IssueRequestBody {
  const sample = JSON.parse(readFileSync(repoPath('fixtures', 'data', 'business-licence.json'), 'utf8')) as Omit<IssueRequestBody['data'], 'issuedDate'> & { slug: string };
  const standard = catalog.getTypeBySlug(sample.slug);
  return {
    typeCode: standard?.typeCode ?? sample.slug,
    data: { holder: sample.holder, certificateNumber: sample.certificateNumber, effectiveDate: sample.effectiveDate, extendInfo: sample.extendInfo },
  };
}
