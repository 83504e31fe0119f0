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
}

export const FULL_FORM_KEYS: ReadonlySet<string> = new Set(['format', 'license', 'signature', 'timestamp']);
