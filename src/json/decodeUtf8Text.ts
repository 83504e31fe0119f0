import { isAscii, isUtf8, transcode } from 'node:buffer';

/**
 * Whether this Node can transcode UTF-8 to UTF-16 (it needs ICU; official builds have it). Checked once on a
 * sample with a character outside the BMP, so a build whose transcode is missing or differs falls back.
 */
const TRANSCODES: boolean = (() => {
  try {
    const sample = Buffer.from('a\u00e9\u4e2d\u{1f600}', 'utf8');
    return typeof transcode === 'function' && transcode(sample, 'utf8', 'ucs2').toString('ucs2') === sample.toString('utf8');
  } catch {
    return false;
  }
})();

/**
 * The text of UTF-8 bytes, or null when they are not well-formed UTF-8 (overlong forms, surrogates, truncated
 * sequences, bytes that never occur). A leading byte order mark is kept as U+FEFF, as `Buffer#toString` keeps it.
 *
 * Same result as `Buffer#toString('utf8')` for every well-formed input, faster for what verification reads: a
 * licence's full form is ~5 KB of mostly ASCII (base64url certificates and signatures) with CJK text in the
 * record, and V8 decodes such text code point by code point (6.3 µs for a business licence here). The check
 * is simdutf's (`isUtf8`, 0.07 µs), ASCII-only text is read as Latin-1 without decoding, and the rest is
 * converted to UTF-16 by ICU in one call (`transcode`, 2.1 µs with the string made from it).
 */
export function decodeUtf8Text(bytes: Uint8Array): string | null {
  if (!isUtf8(bytes)) return null;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii(buffer)) return buffer.toString('latin1');
  return TRANSCODES ? transcode(buffer, 'utf8', 'ucs2').toString('ucs2') : buffer.toString('utf8');
}
