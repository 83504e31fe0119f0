import { ElicenseError } from '../errors';
import { decodeUtf8Text } from './decodeUtf8Text';
import { isWellFormedString } from './isWellFormedString';

export interface StrictJsonLimits {
  /** Maximum size of the input in UTF-8 bytes. Default 256 KiB. */
  maxBytes?: number;
  /** Maximum nesting of objects and arrays (a top-level object is depth 1). Default 32. */
  maxDepth?: number;
}

export const DEFAULT_MAX_JSON_BYTES = 256 * 1024;
export const DEFAULT_MAX_JSON_DEPTH = 32;

/**
 * Parses untrusted JSON strictly: size and depth limits, no duplicate keys
 * anywhere (also when they differ only by escapes, "a" vs "\u0061"), no lone
 * surrogates (raw or escaped, I-JSON / RFC 7493), valid UTF-8 for byte input,
 * and no byte order mark (RFC 8259 forbids sending one; we refuse rather than
 * guess). Throws ElicenseError: INPUT_TOO_LARGE, INPUT_MALFORMED,
 * JSON_DUPLICATE_KEY, JSON_TOO_DEEP.
 *
 * Speed: the syntax is checked by the native JSON.parse; one string-aware pass
 * over the text then tracks depth and counts the key occurrences of each
 * object (in document order). JSON.parse keeps only the last of duplicate
 * keys, so a duplicate shows up as an object with fewer own keys than the
 * text has, and key equality is exactly JSON.parse's own (escapes decoded).
 */
export function parseStrictJson(input: string | Uint8Array, limits?: StrictJsonLimits): unknown {
  const maxBytes = limits?.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
  const maxDepth = limits?.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const text = typeof input === 'string' ? checkedString(input, maxBytes) : decodeUtf8(input, maxBytes);
  const bytes = typeof input === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ElicenseError('INPUT_MALFORMED', 'input is not well-formed JSON');
  }
  const keyCounts = scanStructure(bytes, maxDepth);
  if (keyCounts.length > 0 && firstDuplicateObject(value, keyCounts) >= 0) {
    throw new ElicenseError('JSON_DUPLICATE_KEY', 'an object has a repeated key', { key: findDuplicateKeyName(text) });
  }
  return value;
}

function checkedString(text: string, maxBytes: number): string {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit: skip the exact count when it cannot matter.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes)) {
    throw new ElicenseError('INPUT_TOO_LARGE', `input exceeds ${maxBytes} bytes`, { maxBytes });
  }
  if (!isWellFormedString(text)) throw new ElicenseError('INPUT_MALFORMED', 'input contains a lone surrogate');
  return text;
}

function decodeUtf8(bytes: Uint8Array, maxBytes: number): string {
  if (bytes.byteLength > maxBytes) {
    throw new ElicenseError('INPUT_TOO_LARGE', `input exceeds ${maxBytes} bytes`, { maxBytes });
  }
  // A leading BOM is kept as U+FEFF, which JSON.parse then refuses.
  const text = decodeUtf8Text(bytes);
  if (text === null) throw new ElicenseError('INPUT_MALFORMED', 'input is not valid UTF-8');
  return text;
}


const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * One pass over the UTF-8 bytes of text that JSON.parse accepted. Returns the
 * number of key occurrences of every object, in pre-order (the order objects
 * open). Also refuses nesting deeper than maxDepth and escaped lone
 * surrogates. It scans bytes, not the JS string: structural characters are
 * ASCII and never occur inside a multi-byte UTF-8 sequence, and Buffer#indexOf
 * is a native memchr, whereas String#indexOf on a large (external) string can
 * cost time proportional to the whole string per call once optimised, which
 * made this pass quadratic on large bodies.
 */
function scanStructure(bytes: Buffer, maxDepth: number): number[] {
  const counts: number[] = [];
  // Per open container: index into counts for an object, -1 for an array.
  const stack: number[] = [];
  let depth = 0;
  let expectKey = false;
  let nextBackslash = bytes.indexOf(BACKSLASH);
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      if (expectKey) {
        counts[stack[depth - 1]!]!++;
        expectKey = false;
      }
      let end = bytes.indexOf(QUOTE, i + 1);
      if (nextBackslash !== -1 && nextBackslash < end) {
        end = endOfEscapedString(bytes, i + 1);
        nextBackslash = bytes.indexOf(BACKSLASH, end);
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) {
        throw new ElicenseError('JSON_TOO_DEEP', `JSON nests deeper than ${maxDepth}`, { maxDepth });
      }
      if (c === OPEN_OBJECT) {
        stack[depth - 1] = counts.length;
        counts.push(0);
        expectKey = true;
      } else {
        stack[depth - 1] = -1;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = stack[depth - 1]! >= 0;
    }
  }
  return counts;
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const lower = b | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** Index of the closing quote of a string containing escapes; checks \u surrogate pairing. */
function endOfEscapedString(bytes: Buffer, from: number): number {
  let pendingHigh = false;
  for (let i = from; ; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      if (pendingHigh) throw loneSurrogate();
      return i;
    }
    if (c === BACKSLASH && bytes[i + 1] === 0x75 /* u */) {
      // JSON.parse already accepted the text, so four hex digits follow.
      const unit = (hexValue(bytes[i + 2]!) << 12) | (hexValue(bytes[i + 3]!) << 8) | (hexValue(bytes[i + 4]!) << 4) | hexValue(bytes[i + 5]!);
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        if (!pendingHigh) throw loneSurrogate();
        pendingHigh = false;
      } else {
        if (pendingHigh) throw loneSurrogate();
        pendingHigh = unit >= 0xd800 && unit <= 0xdbff;
      }
      i += 5;
      continue;
    }
    if (pendingHigh) throw loneSurrogate();
    if (c === BACKSLASH) i++;
  }
}

function loneSurrogate(): ElicenseError {
  return new ElicenseError('INPUT_MALFORMED', 'a string contains an escaped lone surrogate');
}

/** Walks the parsed value in pre-order; returns the index of the first object that lost keys, or -1. */
function firstDuplicateObject(root: unknown, counts: readonly number[]): number {
  let index = 0;
  const visit = (v: unknown): boolean => {
    if (typeof v !== 'object' || v === null) return false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (visit(v[i])) return true;
      return false;
    }
    const mine = index++;
    let own = 0;
    for (const k in v) {
      own++;
      if (visit((v as Record<string, unknown>)[k])) return true;
    }
    if (own !== counts[mine]) {
      index = mine;
      return true;
    }
    return false;
  };
  return visit(root) ? index : -1;
}

/** Slow path, only on error: the first repeated key's decoded name, for the message. */
function findDuplicateKeyName(text: string): string | undefined {
  let found: string | undefined;
  const seen: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length && found === undefined; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = i + 1;
      while (text.charCodeAt(end) !== QUOTE) end += text.charCodeAt(end) === BACKSLASH ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        const set = seen[seen.length - 1]!;
        if (set.has(key)) found = key;
        set.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT) {
      seen.push(new Set());
      expectKey = true;
    } else if (c === OPEN_ARRAY) {
      seen.push(null);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      seen.pop();
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = seen[seen.length - 1] != null;
    }
  }
  return found;
}
