import { PNG } from 'pngjs';
import { ElicenseError } from '../../errors';

/** Bounds of a department seal image (issue 14): a PNG, square-ish, 200–1200 px a side, at most 256 KiB. */
export const SEAL_LIMITS = { maxBytes: 256 * 1024, minSide: 200, maxSide: 1200, maxAspect: 1.25 } as const;

/** Which rule a seal image broke: details.problem of SEAL_INVALID (stable). */
export type SealProblem = 'not-png' | 'malformed' | 'too-large' | 'pixel-size' | 'not-square' | 'no-alpha' | 'background-not-transparent' | 'blank';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const invalid = (problem: SealProblem, message: string, details: Record<string, unknown> = {}) => new ElicenseError('SEAL_INVALID', message, { problem, ...details });

/**
 * Checks a seal image before the region stores it: a real PNG (decoded in
 * full, CRCs checked), its size read from IHDR before anything is inflated,
 * an alpha channel (RGBA, grey+alpha, or a palette with tRNS), a transparent
 * background (the four corners fully transparent, as a round seal on nothing
 * has them) and some ink. SEAL_INVALID with `problem` naming the rule.
 */
export function checkSealPng(bytes: Uint8Array): { width: number; height: number } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length > SEAL_LIMITS.maxBytes) throw invalid('too-large', `a seal image is limited to ${SEAL_LIMITS.maxBytes} bytes`, { limitBytes: SEAL_LIMITS.maxBytes });
  if (b.length < 33 || !b.subarray(0, 8).equals(PNG_SIGNATURE)) throw invalid('not-png', 'the seal image must be a PNG');
  if (b.toString('latin1', 12, 16) !== 'IHDR') throw invalid('malformed', 'the PNG has no IHDR chunk first');
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  const { minSide, maxSide, maxAspect } = SEAL_LIMITS;
  if (width < minSide || height < minSide || width > maxSide || height > maxSide) {
    throw invalid('pixel-size', `a seal image is ${minSide}–${maxSide} pixels a side (this one is ${width}×${height})`, { width, height });
  }
  if (Math.max(width, height) / Math.min(width, height) > maxAspect) throw invalid('not-square', `a seal image is about square (this one is ${width}×${height})`, { width, height });
  let png: PNG & { alpha?: boolean };
  try {
    png = PNG.sync.read(b, { checkCRC: true }) as PNG & { alpha?: boolean };
  } catch (e) {
    throw invalid('malformed', `the PNG cannot be decoded: ${(e as Error).message}`);
  }
  // pngjs's metadata (not in its typings) says alpha for RGBA / grey+alpha and for a palette with tRNS.
  if (!png.alpha) throw invalid('no-alpha', 'the seal image needs an alpha channel (transparent background)');
  const alphaAt = (x: number, y: number) => png.data[(y * width + x) * 4 + 3]!;
  const corners = [alphaAt(0, 0), alphaAt(width - 1, 0), alphaAt(0, height - 1), alphaAt(width - 1, height - 1)];
  if (corners.some((a) => a !== 0)) throw invalid('background-not-transparent', 'the background of the seal image must be transparent (its corners are not)');
  let inked = 0;
  for (let i = 3; i < png.data.length; i += 4) if (png.data[i]! >= 128) inked++;
  if (inked < (width * height) / 200) throw invalid('blank', 'the seal image is (almost) fully transparent');
  return { width, height };
}
