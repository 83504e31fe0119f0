import { BATCH_RECORD_SCHEMA, ISSUE_REQUEST_SCHEMA, MAX_BATCH_RECORDS } from '../../region/licenses/issueRequest';
import { schemaRef, type JsonSchema } from './componentSchemas';

export interface ResponseDoc {
  description: string;
  schema?: JsonSchema;
  /** Default application/json. */
  contentType?: string;
  /** Response headers worth naming, with their descriptions. */
  headers?: Record<string, string>;
}

/** What the route table does not say about a route: its bodies, headers and query parameters, as JSON Schema. */
export interface RouteDoc {
  requestBody?: JsonSchema;
  /** Other media types the body may have besides application/json (e.g. uploads), with their schemas. */
  otherRequestTypes?: Record<string, JsonSchema>;
  responses?: Record<string, ResponseDoc>;
  pathParameters?: Record<string, JsonSchema>;
  headers?: Array<{ name: string; required?: boolean; description: string }>;
  query?: Record<string, JsonSchema>;
}

/** The request schemas are the ones the routes validate with; the document gets its own copy. */
const copy = (schema: object): JsonSchema => JSON.parse(JSON.stringify(schema)) as JsonSchema;

const IDEMPOTENCY_KEY = { name: 'Idempotency-Key', description: 'A retried request with the same key returns the same licence, never a second one' };
const REASON = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1 } } };
const problem = (description: string): ResponseDoc => ({ description, schema: schemaRef('Problem'), contentType: 'application/problem+json' });
const WARNINGS_HEADER = {
  'Elicense-Warnings': 'Comma-separated codes of the acknowledged validation warnings the licence carries (acknowledgeWarnings); a verifier shows the same codes',
};
const ISSUE_REFUSALS: Record<string, ResponseDoc> = {
  '409': problem(
    'LICENSE_NUMBER_IN_USE: a licence of this type and department that is not revoked holds the certificate number (errors[0].identifier names it; re-issue with replaces); ' +
      'LICENSE_STATE_CONFLICT: the licence named in replaces is revoked or already replaced; IDEMPOTENCY_KEY_REUSED / IDEMPOTENCY_KEY_IN_PROGRESS',
  ),
  '422': problem(
    'SCHEMA_INVALID, CODE_INVALID, TYPE_UNKNOWN; RECORD_WARNING_UNACKNOWLEDGED: the data carries a warning verification would show (errors: field, code), send its code in acknowledgeWarnings if the data is right; ' +
      'TEXT_CONTROL_CHARACTER: a control character in a text field (errors[0].path); LICENSE_REPLACEMENT_INVALID: replaces names a licence of another type',
  ),
};
const LICENSE_ID = { identifier: { type: 'string', description: 'Licence identifier (GB/T 36904)', examples: ['1.2.156.3005.2.…'] } };
/** The stored forms of a licence (docs/adr/0004, "Serving"): signed once, then the same bytes for every reader. */
const licenseFormDoc = (contentType: string, schema: JsonSchema): RouteDoc => ({
  pathParameters: LICENSE_ID,
  responses: {
    '200': {
      description: 'The stored form, byte for byte (signed on the first request, audited as licence.form.sign)',
      schema,
      contentType,
      headers: { ETag: 'Strong: the SHA-256 of the bytes', 'Elicense-Licence-Status': 'valid' },
    },
    '304': { description: 'Not modified (If-None-Match)' },
    '409': problem('LICENSE_SUSPENDED: no form of a suspended licence; LICENSE_SIGNER_UNAVAILABLE: the signing key is withdrawn, or the form is not stored yet and the key can no longer sign'),
    '410': problem('LICENSE_REVOKED: no form of a revoked licence, stored or not'),
  },
});

/**
 * Request and response schemas of the routes that have them, keyed by
 * routeKey ("POST /v1/licenses"). Routes not listed here still appear in the
 * document with their permission, tag and summary; a key listed here for a
 * route that does not exist is ignored (the route table is the authority).
 */
export const ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  'GET /healthz': { responses: { '200': { description: 'The process is alive', schema: { type: 'object', properties: { status: { const: 'ok' } } } } } },
  'GET /readyz': {
    responses: {
      '200': { description: 'Ready: started and the database answers', schema: { type: 'object', properties: { status: { const: 'ready' }, store: { enum: ['postgres', 'embedded'] } } } },
      '503': { description: 'NOT_READY (starting or stopping) or STORE_UNAVAILABLE', schema: schemaRef('Problem'), contentType: 'application/problem+json' },
    },
  },
  'GET /metrics': { responses: { '200': { description: 'Prometheus text exposition format', schema: { type: 'string' }, contentType: 'text/plain' } } },
  'GET /openapi.json': { responses: { '200': { description: 'This document', schema: { type: 'object' } } } },
  'GET /docs': { responses: { '200': { description: 'Interactive API page', schema: { type: 'string' }, contentType: 'text/html' } } },
  'POST /v1/verifications': {
    requestBody: {
      description: 'The full-form licence as issued, {"fullForm": <full form>}, or {"qr": "LC1:...", "fullForm"?: <full form>}',
      oneOf: [
        schemaRef('FullForm'),
        { type: 'object', additionalProperties: false, required: ['fullForm'], properties: { fullForm: schemaRef('FullForm') } },
        { type: 'object', additionalProperties: false, required: ['qr'], properties: { qr: { type: 'string', description: 'the compact QR text' }, fullForm: schemaRef('FullForm') } },
      ],
    },
    otherRequestTypes: {
      'image/png': { type: 'string', format: 'binary', description: 'a picture or photo of the QR (one QR code in the image)' },
      'image/jpeg': { type: 'string', format: 'binary', description: 'a picture or photo of the QR (one QR code in the image)' },
      'application/pdf': { type: 'string', format: 'binary', description: 'the licence PDF (embedded full form and PAdES signature are both checked)' },
      'text/plain': { type: 'string', description: 'the compact QR text (LC1:...)' },
      'application/octet-stream': { type: 'string', format: 'binary', description: 'any of the above; the form is detected from the content' },
    },
    responses: {
      '200': { description: 'Verification result (accepted or rejected, with reasons); `form` names what was presented, `pdf` has the PDF\'s own checks', schema: schemaRef('VerificationResult') },
      '400': { description: 'The body is no licence form at all (INPUT_MALFORMED / FORMAT_UNSUPPORTED)', schema: schemaRef('Problem'), contentType: 'application/problem+json' },
      '413': { description: 'The body is larger than the upload limit (INPUT_TOO_LARGE)', schema: schemaRef('Problem'), contentType: 'application/problem+json' },
    },
  },
  'GET /v1/federation/trust-list': { responses: { '200': { description: 'Compact JWS (typ elicense-trust-list+jws); payload: standards/federation/trust-list-1.0.0.schema.json', schema: { type: 'string' }, contentType: 'application/jose' }, '304': { description: 'Not modified (If-None-Match)' } } },
  'GET /v1/federation/agreement': { responses: { '200': { description: 'Compact JWS (typ elicense-recognition-agreement+jws); payload: standards/federation/recognition-agreement-1.0.0.schema.json', schema: { type: 'string' }, contentType: 'application/jose' }, '304': { description: 'Not modified (If-None-Match)' } } },
  'GET /v1/federation/status-lists/:listId': {
    pathParameters: { listId: { type: 'string', pattern: '^[0-9A-Za-z._-]{1,64}$', description: 'a status list id from the trust list (statusEntry.listId of a licence)' } },
    responses: { '200': { description: 'Compact JWS (typ elicense-status-list+jws); payload: standards/federation/status-list-1.0.0.schema.json', schema: { type: 'string' }, contentType: 'application/jose' }, '304': { description: 'Not modified (If-None-Match)' } },
  },
  'POST /v1/federation/import': { requestBody: { type: 'object', required: ['format', 'documents'], properties: { format: { const: 'elicense/trust-bundle@1' }, documents: { type: 'array' } } } },
  'POST /v1/licenses': {
    headers: [IDEMPOTENCY_KEY],
    requestBody: copy(ISSUE_REQUEST_SCHEMA),
    responses: {
      '201': { description: 'Issued (or replayed, Idempotent-Replayed: true): the signed full form; Location names the licence', schema: schemaRef('FullForm'), headers: WARNINGS_HEADER },
      ...ISSUE_REFUSALS,
    },
  },
  'POST /v1/licenses/batch': {
    headers: [IDEMPOTENCY_KEY],
    requestBody: {
      type: 'object',
      additionalProperties: false,
      required: ['records'],
      properties: { records: { type: 'array', minItems: 1, maxItems: MAX_BATCH_RECORDS, items: copy(BATCH_RECORD_SCHEMA) } },
    },
    query: { return: { enum: ['minimal'], description: 'minimal: leave the full forms out of the results' } },
    responses: {
      '200': {
        description:
          'Summary (created, replayed, failed) and a result per record, in order. A created record lists its acknowledged warnings ({path, code, message}) in `warnings`; ' +
          'a failed one has error {code, detail, errors?} with the codes of the single issuance (LICENSE_NUMBER_IN_USE also for a second record with the same number in the batch, errors[0].index naming the first)',
        schema: { type: 'object', required: ['summary', 'results'] },
      },
    },
  },
  'GET /v1/licenses/:identifier': {
    pathParameters: LICENSE_ID,
    responses: {
      '200': {
        description: 'The signed full form (status in Elicense-Licence-Status)',
        schema: schemaRef('FullForm'),
        headers: {
          'Elicense-Licence-Status': 'valid, suspended or revoked',
          'Elicense-Replaces': 'The licence this one re-issued (换发/补发), when it replaced one',
          'Elicense-Replaced-By': 'The licence that re-issued this one, when it was replaced',
        },
      },
    },
  },
  'GET /v1/licenses/:identifier.pdf': licenseFormDoc('application/pdf', { type: 'string', format: 'binary' }),
  'GET /v1/licenses/:identifier.qr.png': licenseFormDoc('image/png', { type: 'string', format: 'binary' }),
  'GET /v1/licenses/:identifier.qr.svg': licenseFormDoc('image/svg+xml', { type: 'string' }),
  'GET /v1/licenses/:identifier.qr.txt': licenseFormDoc('text/plain', { type: 'string', pattern: '^LC1:' }),
  'GET /v1/licenses/:identifier/events': { pathParameters: LICENSE_ID },
  'POST /v1/licenses/:identifier/revoke': { pathParameters: LICENSE_ID, requestBody: REASON },
  'POST /v1/licenses/:identifier/suspend': { pathParameters: LICENSE_ID, requestBody: REASON },
  'POST /v1/licenses/:identifier/reinstate': { pathParameters: LICENSE_ID, requestBody: REASON },
};
