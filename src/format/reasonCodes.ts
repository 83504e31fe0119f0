/**
 * The checks a verification runs, in the order of docs/product.md 4.1, and the
 * closed set of stable reason codes a result can carry. Scripts and other
 * regions switch on these strings: never rename one, only add.
 */
export const CHECKS = [
  'format',
  'schema',
  'identifier',
  'signature',
  /** The images a full form carries (photos), each bound by the digest its photo field in the signed record holds (issue 13). */
  'attachments',
  'chain',
  'issuer',
  'validity',
  'status',
  'recognition',
] as const;
export type CheckName = (typeof CHECKS)[number];

export const REASON_CODES = {
  // format: the input could not be examined as a licence at all
  INPUT_TOO_LARGE: 'format',
  INPUT_MALFORMED: 'format',
  JSON_DUPLICATE_KEY: 'format',
  JSON_TOO_DEEP: 'format',
  FORMAT_UNSUPPORTED: 'format',
  // format, compact QR form
  QR_PREFIX_INVALID: 'format',
  QR_ENCODING_INVALID: 'format',
  QR_DECOMPRESSION_LIMIT: 'format',
  COSE_MALFORMED: 'format',
  /** A second encoding of a licence QR (trailing bytes, another COSE wrapper, unprotected headers, a high-S ECDSA signature): docs/adr/0003. */
  QR_NOT_CANONICAL: 'format',
  // format, QR images
  /** An image with no readable QR code. */
  QR_NOT_FOUND: 'format',
  /** An image with more than one QR code (which one was meant?). */
  QR_MULTIPLE: 'format',
  // schema
  ENVELOPE_SCHEMA_INVALID: 'schema',
  TYPE_UNKNOWN: 'schema',
  TYPE_SCHEMA_INVALID: 'schema',
  CODE_INVALID: 'schema',
  // identifier
  IDENTIFIER_MALFORMED: 'identifier',
  IDENTIFIER_ROOT_INVALID: 'identifier',
  IDENTIFIER_CHECK_INVALID: 'identifier',
  IDENTIFIER_MISMATCH: 'identifier',
  // signature
  JWS_MALFORMED: 'signature',
  ALGORITHM_NOT_ALLOWED: 'signature',
  ALGORITHM_KEY_MISMATCH: 'signature',
  KEY_ID_MISMATCH: 'signature',
  SIGNATURE_INVALID: 'signature',
  SIGNING_TIME_INVALID: 'signature',
  TIMESTAMP_INVALID: 'signature',
  /** A key-id-only form (QR) whose key id the trust data does not know. */
  KEY_UNKNOWN: 'signature',
  /** A QR presented with a full form it does not belong to. */
  FULL_FORM_MISMATCH: 'signature',
  // attachments: the photos a full form carries beside the signed record (src/verify/checkAttachments.ts)
  /** A photo field of the signed record references an image the form does not carry. */
  PHOTO_MISSING: 'attachments',
  /** An attached image is not the one its photo field references: another SHA-256 (a swapped photo) or media type. */
  PHOTO_MISMATCH: 'attachments',
  /** An attachment no photo field of the signed record references. */
  ATTACHMENT_UNREFERENCED: 'attachments',
  /** An attachment that is not {mediaType, data} with canonical base64 data, or attachments that are not an object. */
  ATTACHMENT_MALFORMED: 'attachments',
  /** An attachment beyond its photo field's maxBytes, or attachments beyond MAX_ATTACHMENTS_BYTES together. */
  ATTACHMENT_TOO_LARGE: 'attachments',
  // chain
  CERT_MALFORMED: 'chain',
  CHAIN_UNTRUSTED: 'chain',
  CHAIN_INVALID: 'chain',
  CHAIN_TOO_LONG: 'chain',
  CERT_EXPIRED: 'chain',
  CERT_NOT_YET_VALID: 'chain',
  CERT_NOT_AUTHORIZED: 'chain',
  // issuer
  ISSUER_MISMATCH: 'issuer',
  ISSUER_UNKNOWN: 'issuer',
  ISSUER_NOT_AUTHORIZED_FOR_TYPE: 'issuer',
  ISSUER_SUSPENDED: 'issuer',
  ISSUER_WITHDRAWN: 'issuer',
  /** The licence's certificateAreaCode lies outside the region whose trust data lists its issuer (issue 10). */
  ISSUER_AREA_OUTSIDE_REGION: 'issuer',
  /** The peer trust list listing the issuer is past its nextUpdate plus the grace (docs/adr/0006). */
  TRUST_LIST_EXPIRED: 'issuer',
  // validity
  LICENSE_NOT_YET_VALID: 'validity',
  LICENSE_EXPIRED: 'validity',
  // status
  LICENSE_REVOKED: 'status',
  LICENSE_SUSPENDED: 'status',
  STATUS_UNKNOWN: 'status',
  STATUS_STALE: 'status',
  // recognition
  TYPE_NOT_RECOGNIZED: 'recognition',
  // PDF form: the PDF around the embedded full form (src/forms/pdf)
  /** The PDF carries no embedded full form (licence.elic.json). */
  PDF_NO_ATTACHMENT: 'format',
  /** The embedded full form cannot be read out of the PDF (filter, size). */
  PDF_ATTACHMENT_INVALID: 'format',
  PDF_SIGNATURE_MISSING: 'signature',
  /** The PDF signature's CMS does not parse or does not verify over its byte range. */
  PDF_SIGNATURE_INVALID: 'signature',
  /** Bytes (an incremental update) follow the signed byte range. */
  PDF_MODIFIED_AFTER_SIGNING: 'signature',
  /** The PDF was signed by another certificate than the embedded licence. */
  PDF_SIGNER_MISMATCH: 'signature',
  // annotated copy (加注件, docs/adr/0012): the copy's own failures, under the check they are the copy's part of
  /** The copy is not an annotated copy by its published schema (annotated-copy-1.0.0), or its QR text (EAC1:) is unreadable. */
  ANNOTATION_MALFORMED: 'format',
  /** The copy's signature (or its QR's) is malformed or does not verify over the annotation. */
  ANNOTATION_SIGNATURE_INVALID: 'signature',
  /** The copy's signer has no valid path with the trust-list-signing EKU to the pinned root of the region the copy names. */
  ANNOTATION_SIGNER_UNTRUSTED: 'chain',
  /** The original carried is not the one the copy references (identifier, type code or SHA-256 of its JCS bytes). */
  ANNOTATION_DIGEST_MISMATCH: 'signature',
  /** The verification time is after the copy's notAfter. */
  ANNOTATION_EXPIRED: 'validity',
  /** The copy was made later than the verification time allows (beyond the clock skew). */
  ANNOTATION_NOT_YET_VALID: 'validity',
} as const satisfies Record<string, CheckName>;

export type ReasonCode = keyof typeof REASON_CODES;

/** Warnings never reject a licence; they are shown to the person verifying. */
export const WARNING_CODES = [
  'USCC_CHECK_CHARACTER_MISMATCH',
  'USCC_ORGANIZATION_CODE_CHECK_MISMATCH',
  /** A face birth date differs from the one in the citizen ID number it goes with. */
  'CITIZEN_ID_BIRTH_DATE_MISMATCH',
  /** A citizen ID number's division is not in the current list (abolished divisions stay in old numbers). */
  'CITIZEN_ID_DIVISION_UNLISTED',
  'CODE_WARNING',
  'CERT_EXPIRED_AFTER_SIGNING',
  'STATUS_NOT_CHECKED',
  'RECOGNITION_NOT_CHECKED',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number] | string;
