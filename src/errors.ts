/**
 * The one domain error type. Every failure that is not a verification outcome
 * (those are results, see verify/reasonCodes.ts) is an ElicenseError with a
 * stable code from this closed set. Callers switch on `code`; messages are for
 * people and never contain key material or personal data.
 */
export const ERROR_CODES = [
  // input reading
  'INPUT_TOO_LARGE',
  'INPUT_MALFORMED',
  'JSON_DUPLICATE_KEY',
  'JSON_TOO_DEEP',
  'INPUT_UNREADABLE',
  /** A control character (or lone surrogate) in request text, at the field's JSON pointer. */
  'TEXT_CONTROL_CHARACTER',
  // standards and codes
  'TYPE_UNKNOWN',
  'SCHEMA_INVALID',
  'CODE_INVALID',
  'STANDARD_INVALID',
  /** The draft names a standard a newer one of the same type supersedes (older version or replaced type code). */
  'STANDARD_SUPERSEDED',
  /** A photo of the draft is not an allowed, decodable image within the type standard's bounds. */
  'PHOTO_INVALID',
  /** A department seal image is not a PNG with a transparent background of a sensible size (details.problem says which). */
  'SEAL_INVALID',
  // crypto and PKI
  'ALGORITHM_NOT_ALLOWED',
  'ALGORITHM_KEY_MISMATCH',
  'KEY_INVALID',
  'CERT_MALFORMED',
  'CSR_INVALID',
  'PKCS12_INVALID',
  'PASSPHRASE_INVALID',
  'CEREMONY_INVALID',
  'JWS_MALFORMED',
  // issuance
  'ISSUER_NOT_AUTHORIZED_FOR_TYPE',
  'ISSUANCE_SELF_CHECK_FAILED',
  /** A valid licence of the same type, issuer and certificate number exists (name it in `replaces` to re-issue). */
  'LICENSE_NUMBER_IN_USE',
  /** `replaces` names a licence of another type, or one already replaced. */
  'LICENSE_REPLACEMENT_INVALID',
  /** The data carries a code warning verification would show, and the request did not acknowledge it. */
  'RECORD_WARNING_UNACKNOWLEDGED',
  'TRUST_MATERIAL_INVALID',
  'CONFIG_INVALID',
  // storage (issuing node)
  'STORE_UNAVAILABLE',
  'STORE_MIGRATION_INVALID',
  'DEPARTMENT_NOT_FOUND',
  /** The department has no registered seal. */
  'SEAL_NOT_FOUND',
  'DEPARTMENT_EXISTS',
  'DEPARTMENT_STATE_CONFLICT',
  'SIGNING_KEY_NOT_FOUND',
  'SIGNING_KEY_STATE_CONFLICT',
  'KEY_DECRYPT_FAILED',
  'LICENSE_NOT_FOUND',
  'LICENSE_DUPLICATE',
  'LICENSE_STATE_CONFLICT',
  /** A revoked or suspended licence's PDF or QR download (docs/adr/0004, "Serving"). */
  'LICENSE_REVOKED',
  'LICENSE_SUSPENDED',
  /** An issuer key changing a licence status the region admin set (docs/adr/0005). */
  'LICENSE_STATUS_SET_BY_REGION',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_PROGRESS',
  'API_KEY_NOT_FOUND',
  'API_KEY_REVOKED',
  // HTTP edge
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'RATE_LIMITED',
  /** Too many failed authentications from this client: 429 until the window ends. */
  'AUTHENTICATION_THROTTLED',
  /** Every image decoder is busy and the queue is full: 503, retry shortly. */
  'IMAGE_DECODER_BUSY',
  'UNSUPPORTED_MEDIA_TYPE',
  'BATCH_TOO_LARGE',
  'DEPARTMENT_NOT_ACTIVE',
  'ROOT_KEY_OFFLINE',
  'REGION_EXISTS',
  'NOT_READY',
  'INTERNAL',
  'SIGNING_KEY_HELD_BY_DEPARTMENT',
  /** The key that signed the licence can no longer sign its forms (was LICENCE_SIGNER_UNAVAILABLE: see ERROR_CODE_ALIASES). */
  'LICENSE_SIGNER_UNAVAILABLE',
  'FEDERATION_CONFIG_INVALID',
  'REGION_NOT_SET_UP',
  // departments of peer regions (docs/adr/0006, "Departments of peer regions")
  /** A route for departments of peer regions was called without Elicense-Request-Signature. */
  'REQUEST_SIGNATURE_MISSING',
  /** The signed request is malformed, its signature or certificate path does not hold, or it does not match the request sent. */
  'REQUEST_SIGNATURE_INVALID',
  /** The signed request is outside its time window (expired, or issued further ahead than the clock skew allows). */
  'REQUEST_EXPIRED',
  /** The signed request's jti was seen before. */
  'REQUEST_REPLAYED',
  /** The request names a region that is not a configured peer with an accepted trust list (or this region itself). */
  'PEER_NOT_RECOGNISED',
  /** The peer's trust list, as this node holds it, does not list the department as active with the signing certificate. */
  'DEPARTMENT_NOT_LISTED',
  /** This node could not reach the peer node (connection refused, timeout). */
  'PEER_UNREACHABLE',
  /** The peer node answered something this node cannot read (too large, not JSON, unexpected status). */
  'PEER_ANSWER_INVALID',
  /** The peer node refused this node's signed request (its code in details.peerCode). */
  'PEER_REFUSED',
  // compact QR form
  'QR_PREFIX_INVALID',
  'QR_ENCODING_INVALID',
  'QR_DECOMPRESSION_LIMIT',
  'COSE_MALFORMED',
  'QR_NOT_CANONICAL',
  // PDF form
  'FONT_INVALID',
  'PDF_RENDER_FAILED',
  // the holder's side (docs/adr/0012)
  /** The holder token is not a token of a configured identity provider (signature, issuer, audience, algorithm, key, claims, holder code). */
  'HOLDER_TOKEN_INVALID',
  /** The holder token's exp has passed (beyond the small clock tolerance). */
  'HOLDER_TOKEN_EXPIRED',
  /** A feature this node does not offer now (the DEMO identity provider outside a demo region). */
  'FEATURE_DISABLED',
  /** The DEMO identity provider knows no demo holder with this code. */
  'DEMO_HOLDER_UNKNOWN',
  /** A presentation pointer that is not one (prefix, JWS, signer, typ, payload). */
  'PRESENTATION_INVALID',
  /** A presentation pointer this region never issued. */
  'PRESENTATION_UNKNOWN',
  /** The presentation was already redeemed (single use). */
  'PRESENTATION_USED',
  /** The presentation's expiry has passed. */
  'PRESENTATION_EXPIRED',
  /** A presentation pointer (LP1:, single use) as an item of POST /v1/verifications/batch: present it on its own. */
  'PRESENTATION_NOT_IN_BATCH',
  /** Grant terms that cannot be granted (expiry in the past or beyond the limit, too many uses, no licence of the type). */
  'GRANT_TERMS_INVALID',
  /** No grant with this authorisation code (or id). */
  'GRANT_UNKNOWN',
  'GRANT_EXPIRED',
  'GRANT_REVOKED',
  /** The authorisation code was already exchanged (one-time). */
  'GRANT_ALREADY_REDEEMED',
  /** The grant was given to another department. */
  'GRANT_WRONG_DEPARTMENT',
  /** Every read the grant allows has been made. */
  'GRANT_EXHAUSTED',
  /** Annotated-copy terms that cannot be met (expiry in the past or beyond the type's or region's limit). */
  'ANNOTATION_TERMS_INVALID',
  /** As many annotated copies of the licence as its type allows are unexpired: wait for one to expire. */
  'ANNOTATION_LIMIT_REACHED',
  /** No annotated copy of yours has this id. */
  'ANNOTATED_COPY_NOT_FOUND',
  /** A consuming department's call without its stated cause (申请事由, issue 16). */
  'CAUSE_REQUIRED',
  /** A cause that is empty, longer than 200 characters or has control characters. */
  'CAUSE_INVALID',
  /** A consuming department's call without its service item ({name, code?}). */
  'SERVICE_ITEM_REQUIRED',
  /** The consuming department has no permission for this licence type (the region admin grants it). */
  'CONSUMER_TYPE_NOT_GRANTED',
  /** The type needs the holder's grant (授权用证) to this department, and there is no open one. */
  'HOLDER_CONSENT_REQUIRED',
  /** No permission of this consuming department for this type (revoking one that is not there). */
  'CONSUMER_GRANT_NOT_FOUND',
  /** A consumer query that names none or more than one of identifier, holder, qr. */
  'CONSUMER_QUERY_INVALID',
  /** A verification worker thread crashed or did not answer in time (it is replaced): 503, try again. */
  'VERIFIER_UNAVAILABLE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Codes that were renamed, with the names they had: a problem document carries them in `codeAliases` so a
 * client that switched on the old name can match either (the README lists them). The code says "license".
 */
export const ERROR_CODE_ALIASES: Readonly<Partial<Record<ErrorCode, readonly string[]>>> = {
  LICENSE_SIGNER_UNAVAILABLE: ['LICENCE_SIGNER_UNAVAILABLE'],
};

export class ElicenseError extends Error {
  readonly code: ErrorCode;
  /** Machine-readable details (paths, limits); never secrets or personal data. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ElicenseError';
    this.code = code;
    this.details = details;
  }
}

export function isElicenseError(e: unknown): e is ElicenseError {
  return e instanceof ElicenseError;
}
