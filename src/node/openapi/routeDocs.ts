import { schemaRef, type JsonSchema } from './componentSchemas';

export interface ResponseDoc {
  description: string;
  schema?: JsonSchema;
  /** Default application/json. */
  contentType?: string;
}

/** What the route table does not say about a route: its bodies, headers and query parameters, as JSON Schema. */
export interface RouteDoc {
  requestBody?: JsonSchema;
  responses?: Record<string, ResponseDoc>;
  pathParameters?: Record<string, JsonSchema>;
  headers?: Array<{ name: string; required?: boolean; description: string }>;
  query?: Record<string, JsonSchema>;
}

const IDEMPOTENCY_KEY = { name: 'Idempotency-Key', description: 'A retried request with the same key returns the same licence, never a second one' };
const LICENCE_ID = { identifier: { type: 'string', description: 'Licence identifier (GB/T 36904)', examples: ['1.2.156.3005.2.…'] } };

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
      description: 'A full form, or an object carrying one (fullForm) or the text of a licence QR code (qr)',
      oneOf: [schemaRef('FullForm'), { type: 'object', properties: { fullForm: schemaRef('FullForm'), qr: { type: 'string' } } }],
    },
    responses: { '200': { description: 'Verification result (accepted or rejected, with reasons)', schema: schemaRef('VerificationResult') } },
  },
  'POST /v1/licenses': {
    headers: [IDEMPOTENCY_KEY],
    requestBody: { type: 'object', description: 'Draft of the licence: type code, holder and face data (validated against the type standard)' },
    responses: { '201': { description: 'Issued; the signed full form', schema: { type: 'object' } } },
  },
  'POST /v1/licenses/batch': {
    headers: [IDEMPOTENCY_KEY],
    requestBody: { type: 'object', description: 'Up to 1,000 drafts' },
    responses: { '200': { description: 'Result per record', schema: { type: 'object' } } },
  },
  'GET /v1/licenses/:identifier': { pathParameters: LICENCE_ID, responses: { '200': { description: 'The signed full form', schema: schemaRef('FullForm') } } },
};
