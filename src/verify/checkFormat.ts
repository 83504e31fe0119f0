import { isElicenseError } from '../errors';
import { parseStrictJson } from '../json/parseStrictJson';
import { FULL_FORM_FORMAT, FULL_FORM_KEYS, MAX_FULL_FORM_BYTES } from '../format/FullForm';
import type { ReasonCode } from '../format/reasonCodes';
import type { StandardsCatalog } from '../standards/StandardsCatalog';
import { decodeCompactLicense, withFaceNames, type DecodedCompactLicense } from '../forms/qr/compactLicense';
import type { ResultBuilder } from './ResultBuilder';

/**
 * Step 1, format: is the presented thing a licence form this verifier reads?
 * The full form (strict JSON, then its envelope) and the compact QR text.
 */

const JSON_CODES: ReadonlySet<string> = new Set(['INPUT_TOO_LARGE', 'INPUT_MALFORMED', 'JSON_DUPLICATE_KEY', 'JSON_TOO_DEEP']);
const COMPACT_CODES: ReadonlySet<string> = new Set(['INPUT_TOO_LARGE', 'QR_PREFIX_INVALID', 'QR_ENCODING_INVALID', 'QR_DECOMPRESSION_LIMIT', 'COSE_MALFORMED', 'QR_NOT_CANONICAL']);

/** Returned by parseFullFormInput when the input is not readable JSON (no JSON value is this). */
export const UNREADABLE: unique symbol = Symbol('unreadable');

/** Full-form bytes or text parsed strictly (size and depth limits); UNREADABLE, with the failure recorded, otherwise. */
export function parseFullFormInput(input: string | Uint8Array, rb: ResultBuilder): unknown {
  try {
    return parseStrictJson(input, { maxBytes: MAX_FULL_FORM_BYTES, maxDepth: 16 });
  } catch (e) {
    if (isElicenseError(e) && JSON_CODES.has(e.code)) rb.fail('format', e.code as ReasonCode, e.message);
    else rb.fail('format', 'INPUT_MALFORMED', 'input is not readable JSON');
    return UNREADABLE;
  }
}

/** A parsed document as a full form: the document itself when its envelope is the full form's (format passed), null otherwise (failed). */
export function checkFullFormFormat(doc: unknown, rb: ResultBuilder): Record<string, unknown> | null {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    rb.fail('format', 'FORMAT_UNSUPPORTED', 'a full-form licence is a JSON object');
    return null;
  }
  const form = doc as Record<string, unknown>;
  for (const key of Object.keys(form)) {
    if (!FULL_FORM_KEYS.has(key)) {
      rb.fail('format', 'FORMAT_UNSUPPORTED', `unknown top-level field "${key}"`);
      return null;
    }
  }
  const license = form['license'];
  if (form['format'] !== FULL_FORM_FORMAT || license === null || typeof license !== 'object' || Array.isArray(license) ||
      typeof form['signature'] !== 'string' || (form['timestamp'] !== undefined && typeof form['timestamp'] !== 'string')) {
    rb.fail('format', 'FORMAT_UNSUPPORTED', `expected {format: "${FULL_FORM_FORMAT}", license: {...}, signature: "<jws>", timestamp?: "<jws>", attachments?: {...}}`);
    return null;
  }
  rb.pass('format');
  return form;
}

/**
 * A compact QR text decoded (ADR 0003), its face claims named by the type
 * standard's qrFields: format passed; null, with the failure recorded, when it
 * is not a compact licence. `decoded`: the same text already decoded once.
 */
export function checkCompactFormat(
  text: string,
  catalog: StandardsCatalog,
  rb: ResultBuilder,
  decoded?: () => DecodedCompactLicense,
): DecodedCompactLicense | null {
  let result: DecodedCompactLicense;
  try {
    const raw = decoded ? decoded() : decodeCompactLicense(text.trim());
    result = { cose: raw.cose, claims: withFaceNames(raw.claims, catalog.getType(raw.claims.typeCode, raw.claims.standardVersion)?.qrFields ?? []) };
  } catch (e) {
    if (isElicenseError(e) && COMPACT_CODES.has(e.code)) rb.fail('format', e.code as ReasonCode, e.message);
    else rb.fail('format', 'FORMAT_UNSUPPORTED', 'not a compact licence QR');
    return null;
  }
  rb.pass('format');
  return result;
}
