import { ElicenseError } from '../../errors';

/** RFC 9285 base45: the QR alphanumeric-mode alphabet, so a QR code can carry binary data compactly. */
export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE45_ALPHABET.length; i++) VALUE[BASE45_ALPHABET.charCodeAt(i)] = i;

export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = bytes[i]! * 256 + bytes[i + 1]!;
    const c = n % 45;
    n = (n - c) / 45;
    const d = n % 45;
    const e = (n - d) / 45;
    out += BASE45_ALPHABET[c]! + BASE45_ALPHABET[d]! + BASE45_ALPHABET[e]!;
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1]!;
    out += BASE45_ALPHABET[n % 45]! + BASE45_ALPHABET[Math.floor(n / 45)]!;
  }
  return out;
}

/**
 * Strict decoding: only alphabet characters, no dangling single character,
 * and no triple above 65535 or pair above 255 (RFC 9285 section 4.2 says
 * such input must be rejected). Errors are QR_ENCODING_INVALID.
 */
export function base45Decode(text: string): Uint8Array {
  if (text.length % 3 === 1) throw invalid('base45 length leaves a single character');
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const c = digit(text, i);
    const d = digit(text, i + 1);
    if (i + 2 < text.length) {
      const n = c + d * 45 + digit(text, i + 2) * 2025;
      if (n > 0xffff) throw invalid('base45 triple above 65535');
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      const n = c + d * 45;
      if (n > 0xff) throw invalid('base45 pair above 255');
      out[o++] = n;
    }
  }
  return out;
}

function digit(text: string, i: number): number {
  const code = text.charCodeAt(i);
  const v = code < 128 ? VALUE[code]! : -1;
  if (v < 0) throw invalid(`character ${JSON.stringify(text[i])} is not base45`);
  return v;
}

function invalid(message: string): ElicenseError {
  return new ElicenseError('QR_ENCODING_INVALID', message);
}
