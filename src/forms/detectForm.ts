import { COMPACT_PREFIX } from './qr/compactLicense';

import { isJpeg, isPng } from './image/decodeRasterImage';

/** Prefix of an annotated copy's QR text (src/annotation/annotatedCopyQr.ts, docs/adr/0012). */
export const ANNOTATED_COPY_QR_PREFIX = 'EAC1:';
/** Prefix of a holder's presentation QR (亮证: a signed, single-use pointer, src/holder/presentationPointer.ts, docs/adr/0012). */
export const PRESENTATION_QR_PREFIX = 'LP1:';

/** The forms a licence is presented in, as told apart by their first bytes. */
export type DetectedForm = 'full-form' | 'qr-text' | 'pdf' | 'png' | 'jpeg' | 'unknown';

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
/** How far into the file a PDF header may sit (readers tolerate leading junk up to 1 KB). */
const PDF_HEADER_WINDOW = 1024;

/** Index of the first byte that is not JSON whitespace, after an optional UTF-8 byte-order mark. */
function firstSignificant(b: Uint8Array): number {
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return i;
}

/**
 * Which form some bytes are, from magic numbers and a sniff, without parsing:
 * PNG and JPEG signatures, `%PDF-` near the start, a JSON object (the full
 * form, or a JSON wrapper the caller unpacks), or text beginning with the
 * compact QR prefix. Everything else is 'unknown'. Deciding by content, not
 * by file name or declared media type, means a mislabelled upload still works
 * and a disguised one is read as what it is.
 */
export function detectForm(bytes: Uint8Array): DetectedForm {
  if (isPng(bytes)) return 'png';
  if (isJpeg(bytes)) return 'jpeg';
  const i = firstSignificant(bytes);
  if (bytes[i] === 0x7b /* { */) return 'full-form';
  const prefix = Buffer.from(bytes.buffer, bytes.byteOffset + i, Math.min(bytes.byteLength - i, COMPACT_PREFIX.length)).toString('latin1');
  if (prefix.toUpperCase() === COMPACT_PREFIX) return 'qr-text';
  // An annotated copy's QR text (EAC1:, docs/adr/0012) is QR text too; its verifier is chosen by the prefix.
  const copyPrefix = Buffer.from(bytes.buffer, bytes.byteOffset + i, Math.min(bytes.byteLength - i, ANNOTATED_COPY_QR_PREFIX.length)).toString('latin1');
  if (copyPrefix.toUpperCase() === ANNOTATED_COPY_QR_PREFIX) return 'qr-text';
  // A presentation QR is QR text as well: the verification route resolves it before verifying (docs/adr/0012).
  if (copyPrefix.slice(0, PRESENTATION_QR_PREFIX.length).toUpperCase() === PRESENTATION_QR_PREFIX) return 'qr-text';
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, PDF_HEADER_WINDOW));
  if (head.indexOf(PDF_MAGIC) !== -1) return 'pdf';
  return 'unknown';
}
