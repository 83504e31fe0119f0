/**
 * The full form of a licence (`*.elic.json`, docs/product.md 3.5): the licence
 * record, a detached JWS over the record's RFC 8785 canonical bytes, and the
 * region timestamp over that signature (docs/adr/0001).
 */
export const FULL_FORM_FORMAT = 'elicense/full@1';
/** JWS `typ` of the department signature. */
export const LICENSE_JWS_TYPE = 'elicense+jws';
/** JWS `typ` of the region timestamp. */
export const TIMESTAMP_JWS_TYPE = 'elicense-timestamp+jws';
/** Largest full form we read (bytes). A real licence is 3–6 KB; the margin lets bad chains reach the chain check. */
export const MAX_FULL_FORM_BYTES = 128 * 1024;

export interface FullForm {
  format: typeof FULL_FORM_FORMAT;
  license: Record<string, unknown>;
  /** Detached compact JWS: BASE64URL(protected) '..' BASE64URL(signature). */
  signature: string;
  /** Compact JWS by the region time-stamping authority; see TimestampPayload. */
  timestamp?: string;
  /**
   * The images the record's photo fields reference (envelope 1.1.0 types with photos), keyed by face field.
   * Outside the signature: each is bound by the SHA-256 its photo field in the signed record carries.
   */
  attachments?: LicenseAttachments;
}

/** A photo as the full form carries it. */
export interface LicenseAttachment {
  mediaType: 'image/jpeg' | 'image/png';
  /** The image bytes, base64. */
  data: string;
}

export type LicenseAttachments = Record<string, LicenseAttachment>;

export const FULL_FORM_KEYS: ReadonlySet<string> = new Set(['format', 'license', 'signature', 'timestamp', 'attachments']);
