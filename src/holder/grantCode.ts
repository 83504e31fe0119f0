import { createHash } from 'node:crypto';

/** Crockford's base32: no I, L, O, U, so a code read out or typed is not mistaken. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_BYTES = 10;

/**
 * A one-time authorisation code (授权码, docs/adr/0012): `<6-digit region code>-XXXX-XXXX-XXXX-XXXX`, 80 random
 * bits in Crockford base32. The region prefix says which node to redeem it at.
 */
export function makeGrantCode(region: string, random: (n: number) => Uint8Array): string {
  const bytes = random(CODE_BYTES);
  if (bytes.length !== CODE_BYTES) throw new RangeError('random source gave the wrong length');
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let chars = '';
  for (let i = 15; i >= 0; i--) chars += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return `${region}-${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}-${chars.slice(12)}`;
}

/**
 * A code as typed or scanned, in its one written form: case, spaces and hyphens do not matter, and O, I, L
 * read as 0, 1, 1 (Crockford). Null when it cannot be a code.
 */
export function normaliseGrantCode(text: unknown): { region: string; code: string } | null {
  if (typeof text !== 'string' || text.length > 64) return null;
  const compact = text
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (!/^\d{6}[0-9A-HJKMNP-TV-Z]{16}$/.test(compact)) return null;
  const region = compact.slice(0, 6);
  const c = compact.slice(6);
  return { region, code: `${region}-${c.slice(0, 4)}-${c.slice(4, 8)}-${c.slice(8, 12)}-${c.slice(12)}` };
}

/** What is stored of a code: the SHA-256 (hex) of its written form. */
export const grantCodeDigest = (code: string): string => createHash('sha256').update(code, 'utf8').digest('hex');
