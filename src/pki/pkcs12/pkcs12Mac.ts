import { createHash, createHmac } from 'node:crypto';

export type MacHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const SIZES: Record<MacHash, { u: number; v: number }> = {
  sha1: { u: 20, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
};

/**
 * The PFX integrity MAC: HMAC keyed by the RFC 7292 appendix B.2 KDF with
 * ID 3 and the password as a NUL-terminated BMPString. Native hashing: the
 * KDF is iterated hashing, and forge's pure-JS version took ~10 s at our
 * 600,000 iterations. (A MAC key is one hash output long, so one block A_1
 * suffices and the B/I update step of B.2 never runs.)
 */
export function pkcs12Mac(passphrase: string, salt: Uint8Array, iterations: number, hash: MacHash, data: Uint8Array): Uint8Array {
  const { u, v } = SIZES[hash];
  const password = Buffer.concat([Buffer.from(passphrase, 'utf16le').swap16(), Buffer.alloc(2)]);
  const fill = (src: Uint8Array): Buffer => {
    const out = Buffer.alloc(src.length === 0 ? 0 : v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  let a: Buffer = createHash(hash).update(Buffer.alloc(v, 3)).update(fill(salt)).update(fill(password)).digest();
  for (let i = 1; i < iterations; i++) a = createHash(hash).update(a).digest();
  return new Uint8Array(createHmac(hash, a.subarray(0, u)).update(data).digest());
}
