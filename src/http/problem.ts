import { ERROR_CODE_ALIASES, ElicenseError, type ErrorCode } from '../errors';

/**
 * The one place where domain error codes become HTTP statuses (RFC 9457
 * problem details). Routes throw ElicenseError; nothing else picks statuses.
 * The map is total (a new code does not compile until it has a status), and
 * each status is chosen: 400 input that cannot be read, 422 input read and
 * refused, 401/403 who may call, 404/409/410 the state of what is named,
 * 413/415/429 limits, 500 a fault of this node (its configuration, its
 * stored keys, its own rendering), 503 a fault that passes (database,
 * start-up, busy decoders).
 */
const STATUS: Readonly<Record<ErrorCode, number>> = {
  // input reading
  INPUT_TOO_LARGE: 413,
  INPUT_MALFORMED: 400,
  JSON_DUPLICATE_KEY: 400,
  JSON_TOO_DEEP: 400,
  INPUT_UNREADABLE: 400,
  TEXT_CONTROL_CHARACTER: 422,
  // standards and codes: a request naming an unknown type or bad codes; the catalogue itself broken is the node's fault
  TYPE_UNKNOWN: 422,
  STANDARD_SUPERSEDED: 422,
  PHOTO_INVALID: 422,
  SEAL_INVALID: 422,
  SCHEMA_INVALID: 422,
  CODE_INVALID: 422,
  STANDARD_INVALID: 500,
  // crypto and PKI material a caller presents (a CSR's key, a certificate, a JWS): read and refused
  ALGORITHM_NOT_ALLOWED: 422,
  ALGORITHM_KEY_MISMATCH: 422,
  KEY_INVALID: 422,
  CERT_MALFORMED: 422,
  CSR_INVALID: 422,
  PKCS12_INVALID: 422,
  PASSPHRASE_INVALID: 422,
  CEREMONY_INVALID: 422,
  JWS_MALFORMED: 422,
  // issuance
  ISSUER_NOT_AUTHORIZED_FOR_TYPE: 403,
  ISSUANCE_SELF_CHECK_FAILED: 422,
  LICENSE_NUMBER_IN_USE: 409,
  LICENSE_REPLACEMENT_INVALID: 422,
  RECORD_WARNING_UNACKNOWLEDGED: 422,
  // the node's own trust file and configuration: its fault, not the caller's
  TRUST_MATERIAL_INVALID: 500,
  CONFIG_INVALID: 500,
  // storage
  STORE_UNAVAILABLE: 503,
  STORE_MIGRATION_INVALID: 500,
  DEPARTMENT_NOT_FOUND: 404,
  SEAL_NOT_FOUND: 404,
  DEPARTMENT_EXISTS: 409,
  DEPARTMENT_STATE_CONFLICT: 409,
  SIGNING_KEY_NOT_FOUND: 404,
  SIGNING_KEY_STATE_CONFLICT: 409,
  /** A sealed key of the node's vault does not open (wrong master key, damaged row). */
  KEY_DECRYPT_FAILED: 500,
  LICENSE_NOT_FOUND: 404,
  LICENSE_DUPLICATE: 409,
  LICENSE_STATE_CONFLICT: 409,
  LICENSE_REVOKED: 410,
  LICENSE_SUSPENDED: 409,
  LICENSE_STATUS_SET_BY_REGION: 403,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_KEY_IN_PROGRESS: 409,
  API_KEY_NOT_FOUND: 404,
  API_KEY_REVOKED: 409,
  // HTTP edge
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RATE_LIMITED: 429,
  AUTHENTICATION_THROTTLED: 429,
  IMAGE_DECODER_BUSY: 503,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BATCH_TOO_LARGE: 413,
  DEPARTMENT_NOT_ACTIVE: 409,
  ROOT_KEY_OFFLINE: 409,
  REGION_EXISTS: 409,
  NOT_READY: 503,
  INTERNAL: 500,
  SIGNING_KEY_HELD_BY_DEPARTMENT: 409,
  LICENSE_SIGNER_UNAVAILABLE: 409,
  FEDERATION_CONFIG_INVALID: 500,
  /** The node has no region yet: nothing to publish until it is set up (elicense init). */
  REGION_NOT_SET_UP: 503,
  // departments of peer regions: who is calling (401) or who may (403); the peer node's failures as a gateway (502)
  REQUEST_SIGNATURE_MISSING: 401,
  REQUEST_SIGNATURE_INVALID: 401,
  REQUEST_EXPIRED: 401,
  REQUEST_REPLAYED: 401,
  PEER_NOT_RECOGNISED: 403,
  DEPARTMENT_NOT_LISTED: 403,
  PEER_UNREACHABLE: 502,
  PEER_ANSWER_INVALID: 502,
  PEER_REFUSED: 502,
  // compact QR form presented for reading (verification answers these as reasons; thrown, they are refused input)
  QR_PREFIX_INVALID: 422,
  QR_ENCODING_INVALID: 422,
  QR_DECOMPRESSION_LIMIT: 422,
  COSE_MALFORMED: 422,
  QR_NOT_CANONICAL: 422,
  // PDF form: the node's own fonts and rendering
  FONT_INVALID: 500,
  PDF_RENDER_FAILED: 500,
  // the holder's side: who the holder is (401), what a pointer or grant names (404), its state (409/410), whose it is (403)
  HOLDER_TOKEN_INVALID: 401,
  HOLDER_TOKEN_EXPIRED: 401,
  FEATURE_DISABLED: 404,
  DEMO_HOLDER_UNKNOWN: 404,
  PRESENTATION_INVALID: 422,
  PRESENTATION_UNKNOWN: 404,
  PRESENTATION_USED: 409,
  PRESENTATION_EXPIRED: 410,
  PRESENTATION_NOT_IN_BATCH: 422,
  GRANT_TERMS_INVALID: 422,
  GRANT_UNKNOWN: 404,
  GRANT_EXPIRED: 410,
  GRANT_REVOKED: 410,
  GRANT_ALREADY_REDEEMED: 409,
  GRANT_WRONG_DEPARTMENT: 403,
  GRANT_EXHAUSTED: 409,
  ANNOTATION_TERMS_INVALID: 422,
  ANNOTATION_LIMIT_REACHED: 409,
  ANNOTATED_COPY_NOT_FOUND: 404,
  CAUSE_REQUIRED: 422,
  CAUSE_INVALID: 422,
  SERVICE_ITEM_REQUIRED: 422,
  CONSUMER_TYPE_NOT_GRANTED: 403,
  HOLDER_CONSENT_REQUIRED: 403,
  CONSUMER_GRANT_NOT_FOUND: 404,
  CONSUMER_QUERY_INVALID: 422,
  VERIFIER_UNAVAILABLE: 503,
};

/** The HTTP status of an error code. */
export const statusOf = (code: ErrorCode): number => STATUS[code];

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Turns any thrown value into a problem document; unknown errors become a 500 that reveals nothing. */
export function toProblem(error: unknown, requestId: string | undefined): ProblemDocument {
  const e = error instanceof ElicenseError ? error : new ElicenseError('INTERNAL', 'internal error');
  const status = STATUS[e.code];
  const doc: ProblemDocument = {
    type: `https://elicense.example/problems/${e.code.toLowerCase().replace(/_/g, '-')}`,
    title: e.code.toLowerCase().replace(/_/g, ' '),
    status,
    detail: e.message,
    code: e.code,
  };
  if (requestId !== undefined) doc.instance = `urn:request:${requestId}`;
  const aliases = ERROR_CODE_ALIASES[e.code];
  if (aliases !== undefined) doc['codeAliases'] = aliases;
  // Details are machine-readable and free of secrets (see ElicenseError); pass the documented ones on.
  const errors = e.details?.['errors'];
  if (Array.isArray(errors)) doc['errors'] = errors;
  const retryAfter = e.details?.['retryAfterSeconds'];
  if (typeof retryAfter === 'number') doc['retryAfterSeconds'] = retryAfter;
  // Which rule an uploaded seal image broke (SEAL_INVALID: not-png, malformed, pixel-size, ...).
  const problem = e.details?.['problem'];
  if (e.code === 'SEAL_INVALID' && typeof problem === 'string') doc['problem'] = problem;
  // What the peer node answered when it refused this node's signed request (PEER_REFUSED).
  const peerCode = e.details?.['peerCode'];
  if (e.code === 'PEER_REFUSED' && typeof peerCode === 'string') doc['peerCode'] = peerCode;
  return doc;
}
