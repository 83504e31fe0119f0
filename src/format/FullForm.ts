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
/**
 * Largest total of the images a full form carries (decoded bytes): one photo at the largest maxBytes the
 * type-standard meta-schema allows (64 KiB). A type with several photo fields shares this budget.
 */
export const MAX_ATTACHMENTS_BYTES = 64 * 1024;
/** Length of n bytes in padded base64. */
export const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;
/**
 * Largest full form we read (bytes): 128 KiB for the signed part (a real licence is 3–6 KB; the margin lets
 * bad chains reach the chain check) and 96 KiB for the attachments (MAX_ATTACHMENTS_BYTES is 87,384
 * characters of base64; the rest is their JSON and margin). The attachments check holds them to
 * MAX_ATTACHMENTS_BYTES whatever door the form came through.
 */
export const MAX_FULL_FORM_BYTES = 128 * 1024 + 96 * 1024;

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
