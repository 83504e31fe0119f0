/**
 * Unified social credit code (GB 32100): 18 characters from a 31-character alphabet (no I O S V Z).
 * Layout: registration authority (1) + category (1) + division code (6) + organisation code (9) + check (1).
 * A well-formed code whose check characters do not match is a warning, not a rejection: early pilot codes
 * with bad checks are legal and still in use.
 */
import { codeFail, codeOk, type CodeCheck, type CodeWarning } from './codeCheck';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** GB 11714 value of an organisation-code character: 0-9, then A-Z as 10-35 (full Latin alphabet). */
function orgValue(code: number): number {
  return code <= 57 ? code - 48 : code - 55;
}

/** Check character for the first 17 characters of a USCC. Throws RangeError on a character outside the alphabet. */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new RangeError('USCC body must be 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = first17.charCodeAt(i);
    const v = c < 128 ? VALUE[c]! : -1;
    if (v < 0) throw new RangeError(`USCC: character not allowed at position ${i + 1}`);
    sum += v * WEIGHTS[i]!;
  }
  const c = 31 - (sum % 31);
  return ALPHABET[c === 31 ? 0 : c]!;
}

/** GB 11714 check character of an organisation code from its first 8 characters. */
export function organizationCodeCheckCharacter(first8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgValue(first8.charCodeAt(i)) * ORG_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export function checkUscc(code: unknown): CodeCheck {
  if (typeof code !== 'string') return codeFail('USCC_MALFORMED', 'USCC must be a string');
  if (code.length !== 18) return codeFail('USCC_LENGTH_INVALID', `USCC must be 18 characters, got ${code.length}`);
  for (let i = 0; i < 18; i++) {
    const c = code.charCodeAt(i);
    if (c >= 128 || VALUE[c]! < 0) {
      return codeFail('USCC_CHARACTER_INVALID', `USCC character at position ${i + 1} is not in 0-9A-Z without I O S V Z`);
    }
  }
  for (let i = 2; i < 8; i++) {
    const c = code.charCodeAt(i);
    if (c < 48 || c > 57) return codeFail('USCC_DIVISION_INVALID', 'USCC positions 3-8 must be a 6-digit division code');
  }
  let warnings: CodeWarning[] | undefined;
  if (organizationCodeCheckCharacter(code.slice(8, 16)) !== code[16]) {
    (warnings ??= []).push({
      code: 'USCC_ORGANIZATION_CODE_CHECK_MISMATCH',
      message: 'embedded organisation code (positions 9-17) fails its GB 11714 check',
    });
  }
  if (usccCheckCharacter(code.slice(0, 17)) !== code[17]) {
    (warnings ??= []).push({ code: 'USCC_CHECK_CHARACTER_MISMATCH', message: 'USCC check character (position 18) does not match' });
  }
  return codeOk(warnings);
}
