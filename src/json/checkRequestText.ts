import { ElicenseError } from '../errors';
import { isWellFormedString } from './isWellFormedString';

/**
 * Which characters request text may not hold, decided once for every door:
 *
 * - C0 controls U+0000–U+001F, DEL U+007F and C1 controls U+0080–U+009F.
 *   PostgreSQL refuses U+0000 in text and jsonb outright (a 500 when it got
 *   that far); the others store fine but are never meaningful in a licence,
 *   a reason or a label, and a terminal escape (ESC, CSI) in an audit log or
 *   a printed licence is an attack, not data.
 * - In free text (JSON bodies) TAB, LF and CR stay allowed: business scopes
 *   and reasons are written on more than one line. Path segments, query
 *   parameters and keys are single-line (`singleLine`).
 * - Lone UTF-16 surrogates (no UTF-8 form; the strict JSON parser already
 *   refuses them in bodies, this covers values that came another way).
 *
 * Object keys are text too (a face data key reaches the jsonb column).
 */
const REFUSED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const REFUSED_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f]/;

export interface TextCheckOptions {
  /** Refuse TAB, LF and CR too (path segments, query parameters). */
  singleLine?: boolean;
}

export interface RefusedText {
  /** JSON pointer (RFC 6901) of the string, or of the key, holding the character. */
  path: string;
  /** U+XXXX of the first refused character, or 'lone surrogate'. */
  character: string;
}

/** The first string or key in `value` holding a refused character, depth first in document order. */
export function findRefusedText(value: unknown, options: TextCheckOptions = {}, base = ''): RefusedText | undefined {
  const pattern = options.singleLine ? REFUSED_SINGLE_LINE : REFUSED;
  const visit = (v: unknown, path: string): RefusedText | undefined => {
    if (typeof v === 'string') return refusedIn(v, pattern, path);
    if (typeof v !== 'object' || v === null) return undefined;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const found = visit(v[i], `${path}/${i}`);
        if (found) return found;
      }
      return undefined;
    }
    for (const key of Object.keys(v)) {
      const child = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const found = refusedIn(key, pattern, child) ?? visit((v as Record<string, unknown>)[key], child);
      if (found) return found;
    }
    return undefined;
  };
  return visit(value, base);
}

function refusedIn(s: string, pattern: RegExp, path: string): RefusedText | undefined {
  const m = pattern.exec(s);
  if (m) return { path, character: `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` };
  if (!isWellFormedString(s)) return { path, character: 'lone surrogate' };
  return undefined;
}

/** Throws TEXT_CONTROL_CHARACTER (422) naming the field when `value` holds a refused character. */
export function checkRequestText(value: unknown, options: TextCheckOptions = {}, base = ''): void {
  const found = findRefusedText(value, options, base);
  if (found) throw textError(found);
}

export function textError(found: RefusedText): ElicenseError {
  const message = found.character === 'lone surrogate' ? 'contains a lone surrogate (no UTF-8 form)' : `contains ${found.character}, a control character not allowed here`;
  return new ElicenseError('TEXT_CONTROL_CHARACTER', `${found.path || '/'} ${message}`, {
    errors: [{ path: found.path, code: 'TEXT_CONTROL_CHARACTER', message }],
  });
}
