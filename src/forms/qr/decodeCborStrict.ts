import cbor from 'cbor';
import { ElicenseError } from '../../errors';

export interface CborLimits {
  maxDepth: number;
  maxItems: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Strict decoder for untrusted CBOR (RFC 8949), checking while it decodes:
 * definite lengths only, no map with a repeated key (integer, text and simple
 * keys by value, whatever their encoding, other keys by their exact encoding:
 * a general decoder silently keeps the last of two equal keys, so two readers
 * could see different claims), valid UTF-8 text, integers
 * within JavaScript's safe range, bounded nesting and item counts, nothing
 * after the top-level item. Maps become Maps (integer keys survive), tags
 * become `cbor.Tagged`, byte strings Buffers. Errors are COSE_MALFORMED.
 * Decoding in one synchronous pass also avoids the stream machinery of the
 * general-purpose package on the verification hot path.
 */
export function decodeCborStrict(bytes: Uint8Array, limits: CborLimits): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let items = 0;
  const fail = (message: string): never => {
    throw new ElicenseError('COSE_MALFORMED', `CBOR: ${message}`);
  };
  const argument = (info: number): number => {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0) fail(info === 31 ? 'indefinite lengths are not allowed' : 'reserved additional information');
    if (pos + size > buf.length) fail('truncated');
    let value = 0;
    for (let k = 0; k < size; k++) value = value * 256 + buf[pos + k]!;
    pos += size;
    if (value > Number.MAX_SAFE_INTEGER) fail('integer or length too large');
    return value;
  };
  const take = (n: number): Buffer => {
    if (pos + n > buf.length) fail('truncated string');
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const item = (depth: number): unknown => {
    if (depth > limits.maxDepth) fail('nested too deeply');
    if (++items > limits.maxItems) fail('too many items');
    if (pos >= buf.length) fail('truncated');
    const ib = buf[pos++]!;
    const major = ib >> 5;
    const info = ib & 0x1f;
    switch (major) {
      case 0:
        return argument(info);
      case 1:
        return -1 - argument(info);
      case 2:
        return Buffer.from(take(argument(info)));
      case 3: {
        const n = argument(info);
        if (pos + n > buf.length) fail('truncated string');
        const start = pos;
        pos += n;
        // ASCII (codes, dates, identifiers: most of a licence's text) is valid UTF-8 read byte for byte; read
        // in place, without a view of its own. Anything else through the fatal decoder.
        let ascii = true;
        for (let k = start; k < pos; k++) {
          if (buf[k]! > 0x7f) {
            ascii = false;
            break;
          }
        }
        if (ascii) return buf.toString('latin1', start, pos);
        try {
          return UTF8.decode(buf.subarray(start, pos));
        } catch {
          return fail('text is not UTF-8');
        }
      }
      case 4: {
        const n = argument(info);
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(item(depth + 1));
        return out;
      }
      case 5: {
        const n = argument(info);
        const map = new Map<unknown, unknown>();
        // Integer, text and simple keys are compared by value (so 1 and a longer encoding of 1 are one key,
        // which a general decoder would silently collapse), other keys by their exact encoding.
        let seen: Set<string> | undefined;
        for (let i = 0; i < n; i++) {
          const start = pos;
          const key = item(depth + 1);
          if (typeof key === 'object' && key !== null) {
            const raw = buf.toString('latin1', start, pos);
            seen ??= new Set();
            if (seen.has(raw)) fail('a map repeats a key');
            seen.add(raw);
          } else if (map.has(key)) fail('a map repeats a key');
          map.set(key, item(depth + 1));
        }
        return map;
      }
      case 6: {
        const tag = argument(info);
        return new cbor.Tagged(tag, item(depth + 1));
      }
      default:
        return simple(info);
    }
  };
  const simple = (info: number): unknown => {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25:
        return halfFloat(take(2).readUInt16BE(0));
      case 26:
        return take(4).readFloatBE(0);
      case 27:
        return take(8).readDoubleBE(0);
      default:
        return fail(`simple value ${info} is not allowed`);
    }
  };
  const value = item(0);
  if (pos !== buf.length) fail('bytes after the top-level item');
  return value;
}

function halfFloat(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
