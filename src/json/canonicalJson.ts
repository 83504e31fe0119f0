import { ElicenseError } from '../errors';
import { isWellFormedString } from './isWellFormedString';

/** Beyond this nesting we assume a cycle (real records nest a handful of levels). */
const MAX_CANONICAL_DEPTH = 128;

/**
 * RFC 8785 (JCS) canonical JSON: object keys sorted by UTF-16 code units,
 * numbers in ECMAScript Number-to-String form (what JSON.stringify emits),
 * strings escaped as JSON.stringify does, no whitespace.
 *
 * Only JSON data is accepted: plain objects, arrays, strings, finite numbers,
 * booleans and null. undefined (also as a property value or array element),
 * functions, symbols, BigInt, non-finite numbers, lone surrogates (I-JSON)
 * and non-plain objects (Date, Map, Buffer, class instances) throw
 * ElicenseError INPUT_MALFORMED, so nothing is silently dropped or coerced
 * before it is signed.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, 0);
}

function serialise(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return serialiseString(value);
    case 'number':
      if (!Number.isFinite(value)) throw malformed('a number is not finite');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth >= MAX_CANONICAL_DEPTH) throw malformed(`value nests deeper than ${MAX_CANONICAL_DEPTH} (or is cyclic)`);
      if (Array.isArray(value)) return serialiseArray(value, depth + 1);
      return serialiseObject(value, depth + 1);
    default:
      throw malformed(`a value of type ${typeof value} is not JSON`);
  }
}

/**
 * Strings JSON.stringify writes between quotes unchanged: no control character, quote or backslash (the
 * characters it escapes) and no surrogate at all (a lone one would be escaped, or refused here).
 */
const VERBATIM = /^[^\u0000-\u001f"\\\ud800-\udfff]*$/;

function serialiseString(s: string): string {
  // Most of a licence's strings (codes, dates, names) need no escaping: quoted as they are, without a call
  // into JSON.stringify per string. Anything else as JSON.stringify writes it, after the surrogate check.
  if (VERBATIM.test(s)) return `"${s}"`;
  if (!isWellFormedString(s)) throw malformed('a string contains a lone surrogate');
  return JSON.stringify(s);
}

function serialiseArray(items: readonly unknown[], depth: number): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    if (!(i in items)) throw malformed('an array has a hole');
    out += serialise(items[i], depth);
  }
  return out + ']';
}

function serialiseObject(obj: object, depth: number): string {
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto !== Object.prototype && proto !== null) throw malformed('only plain objects are JSON objects');
  // Default sort compares UTF-16 code units, which is exactly RFC 8785 section 3.2.3.
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0) out += ',';
    out += serialiseString(key);
    out += ':';
    out += serialise((obj as Record<string, unknown>)[key], depth);
  }
  return out + '}';
}


function malformed(message: string): ElicenseError {
  return new ElicenseError('INPUT_MALFORMED', `cannot canonicalise: ${message}`);
}
