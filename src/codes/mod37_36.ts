/**
 * ISO/IEC 7064 MOD 37,36 (hybrid system), the check character of GB/T 36904 licence identifiers.
 * Alphabet 0-9 → 0-9, A-Z → 10-35; M = 36.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const M = 36;

function valueOf(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 65 && code <= 90) return code - 55; // A-Z
  return -1;
}

/** Check character for `body` (upper-case alphanumerics only). Throws RangeError on any other character. */
export function mod37_36CheckCharacter(body: string): string {
  let p = M;
  for (let i = 0; i < body.length; i++) {
    const v = valueOf(body.charCodeAt(i));
    if (v < 0) throw new RangeError(`MOD 37,36: character not allowed at position ${i}`);
    let s = (p + v) % M;
    if (s === 0) s = M;
    p = (2 * s) % (M + 1);
  }
  return ALPHABET[(M + 1 - p) % M]!;
}
