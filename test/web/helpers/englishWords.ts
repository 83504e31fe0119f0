/**
 * Words a zh-CN page may show in Latin letters: codes (all capitals), algorithm and format names,
 * identifiers (anything with a digit), URLs, and the language switch, which names English in English.
 */
const ALLOWED = new Set(['English', 'Ed25519', 'ECDSA', 'EdDSA', 'SM2', 'SM3', 'RSA', 'SHA', 'JPEG', 'PNG', 'sha256']);

/** The English words in a page's visible text (innerText: hidden elements and collapsed dialogs excluded). */
export function englishWords(text: string): string[] {
  const words = text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\/[a-z0-9/._{}-]+/gi, ' ') // paths such as /v1/licenses
    .match(/[A-Za-z][A-Za-z0-9_'.-]*/g);
  return [
    ...new Set(
      (words ?? [])
        .map((w) => w.replace(/[.'-]+$/, ''))
        .filter((w) => !/\d/.test(w)) // identifiers, key ids, algorithm names with numbers
        .filter((w) => !/^[A-Z][A-Z_]*$/.test(w)) // codes: SIGNATURE_INVALID, QR, PDF, JSON, API, DEMO, LC
        .filter((w) => !/^[0-9a-f]{6,}$/.test(w)) // hex digests
        .filter((w) => !ALLOWED.has(w)),
    ),
  ];
}
