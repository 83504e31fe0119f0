import { createHash } from 'node:crypto';

/** SM3 (GB/T 32905) of data: 32 bytes, from the OpenSSL that Node ships. */
export function sm3(...parts: readonly Uint8Array[]): Buffer {
  const h = createHash('sm3');
  for (const p of parts) h.update(p);
  return h.digest();
}
