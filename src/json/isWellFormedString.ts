/** ES2024 String#isWellFormed, native in Node 20 (our TypeScript lib is ES2022). */
const nativeIsWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed;

/** True when the string has no lone UTF-16 surrogate (so it has an exact UTF-8 form). */
export function isWellFormedString(s: string): boolean {
  return nativeIsWellFormed.call(s);
}
