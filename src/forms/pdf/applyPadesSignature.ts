import type { Signer } from '../../crypto/Signer';
import { ElicenseError } from '../../errors';
import { BYTE_RANGE_PLACEHOLDER } from './addSignaturePlaceholder';
import { buildCadesSignature } from './buildCadesSignature';

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/**
 * Fills the placeholder left by addSignaturePlaceholder in a saved PDF:
 * writes the /ByteRange (everything but the /Contents hex string, delimiters
 * included), signs those bytes as CAdES and writes the CMS into /Contents.
 * Offsets do not move, so the xref table stays right.
 */
export async function applyPadesSignature(pdf: Uint8Array, signer: Signer): Promise<Uint8Array> {
  const out = Uint8Array.from(pdf);
  const text = latin1(out);
  const rangeText = `[ 0 /${BYTE_RANGE_PLACEHOLDER} /${BYTE_RANGE_PLACEHOLDER} /${BYTE_RANGE_PLACEHOLDER} ]`;
  const rangeAt = uniqueIndex(text, rangeText, '/ByteRange placeholder');
  const holeStart = uniqueIndex(text, '<0000000000000000', '/Contents placeholder');
  let holeEnd = holeStart + 1;
  while (text.charCodeAt(holeEnd) === 0x30) holeEnd++;
  if (text[holeEnd] !== '>') throw new ElicenseError('PDF_RENDER_FAILED', 'the /Contents placeholder is not a hex string of zeros');
  holeEnd++;

  const range = [0, holeStart, holeEnd, out.length - holeEnd];
  const written = `[ ${range.join(' ')}`;
  if (written.length + 2 > rangeText.length) throw new ElicenseError('PDF_RENDER_FAILED', 'the PDF is too large for the /ByteRange placeholder');
  out.set(Buffer.from(written.padEnd(rangeText.length - 1, ' ') + ']', 'latin1'), rangeAt);

  const signed = new Uint8Array(holeStart + range[3]!);
  signed.set(out.subarray(0, holeStart), 0);
  signed.set(out.subarray(holeEnd), holeStart);
  const cms = await buildCadesSignature(signed, signer);
  const capacity = (holeEnd - holeStart - 2) / 2;
  if (cms.length > capacity) throw new ElicenseError('PDF_RENDER_FAILED', `the CMS signature (${cms.length} bytes) exceeds the reserved ${capacity} bytes`);
  out.set(Buffer.from(Buffer.from(cms).toString('hex').toUpperCase(), 'latin1'), holeStart + 1);
  return out;
}

function uniqueIndex(text: string, needle: string, what: string): number {
  const at = text.indexOf(needle);
  if (at < 0 || text.indexOf(needle, at + 1) >= 0) throw new ElicenseError('PDF_RENDER_FAILED', `${what} not found exactly once`);
  return at;
}
