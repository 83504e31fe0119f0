/**
 * Outcome of checking one code (USCC, citizen ID, division code, ...).
 * A malformed code is rejected with a stable `code`; a well-formed code that only
 * fails a check character may still be legal (early pilot USCCs), so that is a warning.
 */
export interface CodeWarning {
  code: string;
  message: string;
}

export type CodeCheck = { ok: true; warnings: CodeWarning[] } | { ok: false; code: string; message: string };

const NO_WARNINGS: CodeWarning[] = [];

/** A passing check without warnings. The shared empty array is frozen so nobody appends to it. */
export function codeOk(warnings: CodeWarning[] = NO_WARNINGS): CodeCheck {
  return { ok: true, warnings };
}

export function codeFail(code: string, message: string): CodeCheck {
  return { ok: false, code, message };
}

Object.freeze(NO_WARNINGS);
