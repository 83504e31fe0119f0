import { ElicenseError } from '../../errors';

/**
 * Structural check of untrusted CBOR before it is decoded (RFC 8949 section
 * 5.3 "valid" and the deterministic-encoding constraints that matter for
 * signed data): definite lengths only, no map with a repeated key (compared
 * by the key's exact encoding), nesting and item counts bounded, nothing
 * after the top-level item. A general decoder silently keeps the last of two
 * equal keys, which would let two readers see different claims.
 */
export function checkCborStrict(bytes: Uint8Array, limits: { maxDepth: number; maxItems: number }): void {
  let items = 0;
  const fail = (message: string): never => {
    throw new ElicenseError('COSE_MALFORMED', `CBOR: ${message}`);
  };
  const head = (at: number): { major: number; value: number; next: number } => {
    if (at >= bytes.length) fail('truncated');
    const ib = bytes[at]!;
    const major = ib >> 5;
    const info = ib & 0x1f;
    if (info < 24) return { major, value: info, next: at + 1 };
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0) fail(info === 31 ? 'indefinite lengths are not allowed' : 'reserved additional information');
    if (at + 1 + size > bytes.length) fail('truncated');
    let value = 0;
    for (let k = 1; k <= size; k++) value = value * 256 + bytes[at + k]!;
    if (value > Number.MAX_SAFE_INTEGER) fail('length too large');
    return { major, value, next: at + 1 + size };
  };
  const item = (at: number, depth: number): number => {
    if (depth > limits.maxDepth) fail('nested too deeply');
    if (++items > limits.maxItems) fail('too many items');
    const h = head(at);
    switch (h.major) {
      case 0:
      case 1:
        return h.next;
      case 2:
      case 3:
        if (h.next + h.value > bytes.length) fail('truncated string');
        return h.next + h.value;
      case 4: {
        let p = h.next;
        for (let i = 0; i < h.value; i++) p = item(p, depth + 1);
        return p;
      }
      case 5: {
        let p = h.next;
        const keys = new Set<string>();
        for (let i = 0; i < h.value; i++) {
          const end = item(p, depth + 1);
          const key = Buffer.from(bytes.subarray(p, end)).toString('hex');
          if (keys.has(key)) fail('a map repeats a key');
          keys.add(key);
          p = item(end, depth + 1);
        }
        return p;
      }
      case 6:
        return item(h.next, depth + 1);
      default:
        // major 7: simple values and floats; h.next already skipped their bytes
        return h.next;
    }
  };
  const end = item(0, 0);
  if (end !== bytes.length) fail('bytes after the top-level item');
}
