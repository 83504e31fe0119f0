import { ERROR_CODE_ALIASES, ElicenseError, type ErrorCode } from '../errors';

/**
 * The one place where domain error codes become HTTP statuses (RFC 9457
 * problem details). Routes throw ElicenseError; nothing else picks statuses.
 */
const STATUS: Partial<Record<ErrorCode, number>> = {
  INPUT_TOO_LARGE: 413,
  INPUT_MALFORMED: 400,
  JSON_DUPLICATE_KEY: 400,
  JSON_TOO_DEEP: 400,
  INPUT_UNREADABLE: 400,
  TEXT_CONTROL_CHARACTER: 422,
  TYPE_UNKNOWN: 422,
  SCHEMA_INVALID: 422,
  CODE_INVALID: 422,
  CSR_INVALID: 422,
  ISSUER_NOT_AUTHORIZED_FOR_TYPE: 403,
  ISSUANCE_SELF_CHECK_FAILED: 422,
  LICENSE_NUMBER_IN_USE: 409,
  LICENSE_REPLACEMENT_INVALID: 422,
  RECORD_WARNING_UNACKNOWLEDGED: 422,
  DEPARTMENT_NOT_FOUND: 404,
  DEPARTMENT_EXISTS: 409,
  DEPARTMENT_STATE_CONFLICT: 409,
  DEPARTMENT_NOT_ACTIVE: 409,
  SIGNING_KEY_NOT_FOUND: 404,
  SIGNING_KEY_HELD_BY_DEPARTMENT: 409,
  LICENSE_SIGNER_UNAVAILABLE: 409,
  SIGNING_KEY_STATE_CONFLICT: 409,
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
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RATE_LIMITED: 429,
  AUTHENTICATION_THROTTLED: 429,
  IMAGE_DECODER_BUSY: 503,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BATCH_TOO_LARGE: 413,
  ROOT_KEY_OFFLINE: 409,
  REGION_EXISTS: 409,
  STORE_UNAVAILABLE: 503,
  NOT_READY: 503,
};

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
  const status = STATUS[e.code] ?? (e.code === 'INTERNAL' ? 500 : 400);
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
  return doc;
}
