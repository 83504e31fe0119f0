import { ERROR_CODES } from '../../errors';
import { FULL_FORM_FORMAT } from '../../format/FullForm';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import { CHECKS, REASON_CODES, WARNING_CODES } from '../../format/reasonCodes';
import type { JsonSchema } from '../schema/Schema';

export type { JsonSchema } from '../schema/Schema';

/** Where the named schemas live in the OpenAPI document. */
export const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** A party named on an annotated copy. */
const PARTY = { type: 'object', required: ['name', 'code'], properties: { name: { type: 'string' }, code: { type: 'string' } } } as const;

/**
 * The JSON Schemas the API document names. Each is taken from, or built out
 * of, the one place its facts live: the envelope schema file of the standards
 * catalogue, the closed code lists of errors.ts and verify/reasonCodes.ts, the
 * full-form constants. Nothing here restates a list by hand.
 */
export function componentSchemas(catalog: StandardsCatalog): Record<string, JsonSchema> {
  return {
    Problem: {
      description: 'RFC 9457 problem details; `code` is stable and is what clients switch on.',
      type: 'object',
      required: ['type', 'title', 'status', 'detail', 'code'],
      properties: {
        type: { type: 'string', format: 'uri' },
        title: { type: 'string' },
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { type: 'string' },
        code: { enum: [...ERROR_CODES] },
        codeAliases: { type: 'array', items: { type: 'string' }, description: 'Earlier names of a renamed code (LICENSE_SIGNER_UNAVAILABLE was LICENCE_SIGNER_UNAVAILABLE)' },
        instance: { type: 'string', description: 'urn:request:<request id>, also sent as X-Request-Id' },
        errors: { type: 'array', items: { type: 'object' }, description: 'Validation failures (path and message), when the input failed a schema' },
        retryAfterSeconds: { type: 'integer', minimum: 1, description: 'With RATE_LIMITED, AUTHENTICATION_THROTTLED and IMAGE_DECODER_BUSY; also sent as Retry-After' },
      },
    },
    // A record follows envelope 1.0.0 (no envelopeVersion) or a later one (envelopeVersion names it).
    LicenceRecord: { oneOf: [...catalog.envelopeSchemas.values()].map((schema) => embeddable(schema)) },
    FullForm: {
      description: 'The signed full form of a licence (*.elic.json): record, detached JWS over its RFC 8785 bytes, region timestamp, and the photos the record references.',
      type: 'object',
      additionalProperties: false,
      required: ['format', 'license', 'signature'],
      properties: {
        format: { const: FULL_FORM_FORMAT },
        license: schemaRef('LicenceRecord'),
        signature: { type: 'string', description: 'Detached compact JWS: BASE64URL(header)..BASE64URL(signature)' },
        timestamp: { type: 'string', description: 'Compact JWS by the region time-stamping authority over the signature' },
        attachments: {
          type: 'object',
          description: "The photos the record's photo fields reference (types with photos), keyed by face field; outside the signature, each bound by the SHA-256 its photo field carries",
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['mediaType', 'data'],
            properties: { mediaType: { enum: ['image/jpeg', 'image/png'] }, data: { type: 'string', contentEncoding: 'base64' } },
          },
        },
      },
    },
    VerificationResult: {
      description: 'Outcome of a verification. A rejected licence is a result (200), not an error.',
      type: 'object',
      required: ['result', 'reasons', 'warnings', 'checks', 'verifiedAt'],
      properties: {
        result: { enum: ['accepted', 'rejected'] },
        reasons: { type: 'array', items: { enum: Object.keys(REASON_CODES) } },
        warnings: { type: 'array', items: { type: 'string', examples: [...WARNING_CODES] } },
        checks: {
          type: 'array',
          items: {
            type: 'object',
            required: ['check', 'status', 'reasons'],
            properties: {
              check: { enum: [...CHECKS] },
              status: { enum: ['passed', 'failed', 'not_checked'] },
              reasons: { type: 'array', items: { enum: Object.keys(REASON_CODES) } },
              detail: { type: 'string' },
            },
          },
        },
        license: { oneOf: [schemaRef('LicenceRecord'), { type: 'null' }] },
        signer: { type: ['object', 'null'] },
        issuer: {
          description: 'the issuing department as the trust data lists it',
          oneOf: [{ type: 'object', required: ['uscc', 'name', 'regionCode'], properties: { uscc: { type: 'string' }, name: { type: 'string' }, regionCode: { type: 'string' } } }, { type: 'null' }],
        },
        signingTime: { type: ['object', 'null'] },
        status: { type: ['object', 'null'] },
        recognizedLocalType: { type: ['string', 'null'], description: 'the local type code the licence is recognised as (mutual recognition)' },
        demo: { const: true, description: "present only for a licence of a DEMO region (no legal effect): the signer's validated chain carries the elicense demo-region certificate policy" },
        annotatedCopy: {
          type: 'object',
          description: "present only for an annotated copy (加注件, docs/adr/0012): the copy's terms; license and checks are then the original's, with the copy's own failures (ANNOTATION_*) in the checks they belong to",
          required: ['copyId', 'region', 'purpose', 'userDepartment', 'maker', 'madeAt', 'notAfter', 'originalIdentifier', 'mark', 'form'],
          properties: {
            copyId: { type: 'string' },
            region: { type: 'string' },
            purpose: { type: 'string', description: '制作事由' },
            userDepartment: { ...PARTY, description: '用证部门' },
            maker: { ...PARTY, description: '制作方' },
            madeAt: { type: 'string', format: 'date-time' },
            notAfter: { type: 'string', format: 'date-time' },
            originalIdentifier: { type: 'string' },
            mark: { type: 'string', description: '仅供<用证部门><制作事由>使用，他用无效' },
            form: { enum: ['document', 'qr'] },
            signer: {
              type: 'object',
              description: "the copy's signer (its region's trust-list signer), when its signature verified",
              properties: { keyId: { type: 'string' }, subject: { type: 'string' }, certificateSha256: { type: 'string' } },
            },
          },
        },
        presentation: {
          type: 'object',
          description: "present only when a holder's presentation QR (亮证, LP1:…) was presented: resolved once at the holder's region, then its licence verified here (docs/adr/0012)",
          required: ['region', 'presentationId', 'presentedAt'],
          properties: { region: { type: 'string' }, presentationId: { type: ['string', 'null'] }, presentedAt: { type: ['string', 'null'], format: 'date-time' } },
        },
        photos: {
          type: 'object',
          description: 'the photos the form carried, each bound by SHA-256 to its photo field in the signed record (full forms and PDFs of types with photos; never a QR)',
          additionalProperties: { type: 'object', required: ['mediaType', 'data'], properties: { mediaType: { enum: ['image/jpeg', 'image/png'] }, data: { type: 'string', contentEncoding: 'base64' } } },
        },
        trust: {
          type: 'object',
          required: ['source', 'asOf'],
          properties: {
            source: { type: 'string' },
            asOf: { type: ['string', 'null'] },
            details: {
              type: 'array',
              items: {
                type: 'object',
                required: ['data', 'region', 'source', 'asOf'],
                properties: {
                  data: { enum: ['trust-list', 'status-list', 'recognition-agreement', 'local'] },
                  region: { type: 'string' },
                  source: { type: 'string' },
                  asOf: { type: ['string', 'null'] },
                  fetchedAt: { type: 'string' },
                  sequence: { type: 'integer' },
                  stale: { type: 'boolean' },
                },
              },
            },
          },
        },
        verifiedAt: { type: 'string', format: 'date-time' },
      },
    },
  };
}

/** A standalone schema file as an OpenAPI component: its own $id and dialect are the document's business, not the component's. */
function embeddable(schema: Readonly<Record<string, unknown>>): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return JSON.parse(JSON.stringify(rest)) as JsonSchema;
}
