/**
 * GB/T 36904 licence identifier:
 *   1.2.156.3005.2 . <type code 21> . <issuer USCC 18> . <serial> . <version 3 digits> . <check>
 * The check is ISO/IEC 7064 MOD 37,36 over type + issuer + serial + version (dots removed, root excluded).
 */
import { ElicenseError } from '../errors';
import { mod37_36CheckCharacter } from './mod37_36';

export const LICENSE_IDENTIFIER_ROOT = '1.2.156.3005.2';
/** Long enough for any real identifier, short enough to bound the work done on hostile input. */
export const LICENSE_IDENTIFIER_MAX_LENGTH = 100;
export const SERIAL_MAX_LENGTH = 32;

const TYPE_CODE = /^[0-9A-Z]{21}$/;
const ISSUER_CODE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;
const SERIAL = /^[0-9A-Z]{1,32}$/;
const VERSION = /^\d{3}$/;
const ROOT_PARTS = LICENSE_IDENTIFIER_ROOT.split('.');
/** Whole-identifier shape: one regex on the hot path; the segment-by-segment diagnosis runs only on failure. */
const WELL_FORMED = /^1\.2\.156\.3005\.2\.([0-9A-Z]{21})\.([0-9A-HJ-NPQRTUWXY]{18})\.([0-9A-Z]{1,32})\.(\d{3})\.([0-9A-Z])$/;

export interface LicenseIdentifierParts {
  typeCode: string;
  issuerCode: string;
  serial: string;
  /** 1..999 or its 3-digit form '001'. */
  version: number | string;
}

export interface ParsedLicenseIdentifier {
  root: string;
  typeCode: string;
  issuerCode: string;
  serial: string;
  version: string;
  check: string;
}

export type LicenseIdentifierErrorCode = 'IDENTIFIER_MALFORMED' | 'IDENTIFIER_ROOT_INVALID' | 'IDENTIFIER_CHECK_INVALID';

export type ParseLicenseIdentifierResult =
  | { ok: true; value: ParsedLicenseIdentifier }
  | { ok: false; code: LicenseIdentifierErrorCode; message: string };

function versionString(v: number | string): string {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 1 || v > 999) throw new ElicenseError('CODE_INVALID', 'identifier version must be 1..999');
    return String(v).padStart(3, '0');
  }
  if (!VERSION.test(v) || v === '000') throw new ElicenseError('CODE_INVALID', 'identifier version must be 3 digits 001..999');
  return v;
}

export function buildLicenseIdentifier(parts: LicenseIdentifierParts): string {
  const { typeCode, issuerCode, serial } = parts;
  if (!TYPE_CODE.test(typeCode)) throw new ElicenseError('CODE_INVALID', 'type code must be 21 characters [0-9A-Z]');
  if (!ISSUER_CODE.test(issuerCode)) throw new ElicenseError('CODE_INVALID', 'issuer code must be an 18-character USCC');
  if (!SERIAL.test(serial)) throw new ElicenseError('CODE_INVALID', `serial must be 1..${SERIAL_MAX_LENGTH} characters [0-9A-Z]`);
  const version = versionString(parts.version);
  const check = mod37_36CheckCharacter(typeCode + issuerCode + serial + version);
  return `${LICENSE_IDENTIFIER_ROOT}.${typeCode}.${issuerCode}.${serial}.${version}.${check}`;
}

function fail(code: LicenseIdentifierErrorCode, message: string): ParseLicenseIdentifierResult {
  return { ok: false, code, message };
}

export function parseLicenseIdentifier(s: unknown): ParseLicenseIdentifierResult {
  if (typeof s !== 'string') return fail('IDENTIFIER_MALFORMED', 'identifier must be a string');
  if (s.length > LICENSE_IDENTIFIER_MAX_LENGTH) return fail('IDENTIFIER_MALFORMED', 'identifier is too long');
  const m = WELL_FORMED.exec(s);
  if (!m) return diagnose(s);
  const [, typeCode, issuerCode, serial, version, check] = m as unknown as [string, string, string, string, string, string];
  if (mod37_36CheckCharacter(typeCode + issuerCode + serial + version) !== check) {
    return fail('IDENTIFIER_CHECK_INVALID', 'identifier check character does not match');
  }
  return { ok: true, value: { root: LICENSE_IDENTIFIER_ROOT, typeCode, issuerCode, serial, version, check } };
}

/** Which rule a string that is not a well-formed identifier breaks. */
function diagnose(s: string): ParseLicenseIdentifierResult {
  const parts = s.split('.');
  if (parts.length !== 10) return fail('IDENTIFIER_MALFORMED', 'identifier must have 10 dot-separated segments');
  for (let i = 0; i < ROOT_PARTS.length; i++) {
    if (parts[i] !== ROOT_PARTS[i]) return fail('IDENTIFIER_ROOT_INVALID', `identifier root must be ${LICENSE_IDENTIFIER_ROOT}`);
  }
  const [typeCode, issuerCode, serial, version] = parts.slice(5) as [string, string, string, string, string];
  if (!TYPE_CODE.test(typeCode)) return fail('IDENTIFIER_MALFORMED', 'type code must be 21 characters [0-9A-Z]');
  if (!ISSUER_CODE.test(issuerCode)) return fail('IDENTIFIER_MALFORMED', 'issuer code must be an 18-character USCC');
  if (!SERIAL.test(serial)) return fail('IDENTIFIER_MALFORMED', `serial must be 1..${SERIAL_MAX_LENGTH} characters [0-9A-Z]`);
  if (!VERSION.test(version)) return fail('IDENTIFIER_MALFORMED', 'version must be 3 digits');
  return fail('IDENTIFIER_MALFORMED', 'check must be one character [0-9A-Z]');
}

const SERIAL_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Largest multiple of 36 below 256: bytes at or above it are discarded so every character is equally likely. */
const UNBIASED_LIMIT = 252;

/**
 * A random serial of `length` characters [0-9A-Z] (default 16, about 82 bits).
 * Randomness is a parameter (e.g. `crypto.randomBytes`), so tests are deterministic.
 */
export function generateSerial(randomBytes: (n: number) => Uint8Array, length = 16): string {
  if (!Number.isInteger(length) || length < 1 || length > SERIAL_MAX_LENGTH) {
    throw new RangeError(`serial length must be 1..${SERIAL_MAX_LENGTH}`);
  }
  let out = '';
  while (out.length < length) {
    const bytes = randomBytes(length * 2);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const b = bytes[i]!;
      if (b < UNBIASED_LIMIT) out += SERIAL_ALPHABET[b % 36];
    }
  }
  return out;
}
