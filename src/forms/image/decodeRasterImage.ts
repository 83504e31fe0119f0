import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { ReasonCode } from '../../format/reasonCodes';
import { QR_IMAGE_LIMITS } from './qrImageLimits';

/** Pixels as RGBA, 4 bytes each, row by row. */
export interface RasterImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A returned outcome, not an exception: a bad upload is an answer with a reason code. */
export type ImageOutcome<T> = { ok: true; value: T } | { ok: false; code: ReasonCode; message: string };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && PNG_SIGNATURE.every((v, i) => b[i] === v);
}

export function isJpeg(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

/** Width and height from the PNG IHDR chunk, which must come first. */
function pngSize(b: Uint8Array): { width: number; height: number } | undefined {
  if (b.length < 24 || String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

/** Width and height from the first JPEG start-of-frame marker, walking the marker segments. */
function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const length = (b[i + 2]! << 8) | b[i + 3]!;
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (b[i + 5]! << 8) | b[i + 6]!, width: (b[i + 7]! << 8) | b[i + 8]! };
    }
    if (marker === 0xd9 || marker === 0xda || length < 2) return undefined;
    i += 2 + length;
  }
  return undefined;
}

/** The byte and pixel caps of an uploaded image. */
export interface RasterLimits {
  maxBytes: number;
  maxPixels: number;
  /**
   * The JPEG decoder's memory budget, MB. Default: the RGBA output twice over, which suits the large images
   * the QR reader takes; a small image needs more than that (the decoder's per-component buffers and tables
   * dominate), so small-image callers (photos) give a fixed budget.
   */
  maxMemoryMB?: number;
}

/**
 * What the header of PNG or JPEG bytes declares, checked against the caps
 * without decoding a pixel (a small file can declare a huge canvas): too large
 * in bytes or pixels INPUT_TOO_LARGE, neither PNG nor JPEG FORMAT_UNSUPPORTED,
 * an unreadable header INPUT_MALFORMED. Cheap enough for the event loop.
 */
export function checkRasterHeader(bytes: Uint8Array, limits: RasterLimits = QR_IMAGE_LIMITS): ImageOutcome<{ png: boolean; width: number; height: number }> {
  if (bytes.length > limits.maxBytes) return { ok: false, code: 'INPUT_TOO_LARGE', message: `image larger than ${limits.maxBytes} bytes` };
  const png = isPng(bytes);
  if (!png && !isJpeg(bytes)) return { ok: false, code: 'FORMAT_UNSUPPORTED', message: 'not a PNG or JPEG image' };
  const size = png ? pngSize(bytes) : jpegSize(bytes);
  if (!size || size.width === 0 || size.height === 0) return { ok: false, code: 'INPUT_MALFORMED', message: `the ${png ? 'PNG' : 'JPEG'} header is unreadable` };
  if (size.width * size.height > limits.maxPixels) {
    return { ok: false, code: 'INPUT_TOO_LARGE', message: `image of ${size.width}×${size.height} pixels; at most ${limits.maxPixels} pixels are read` };
  }
  return { ok: true, value: { png, ...size } };
}

/**
 * PNG or JPEG bytes to RGBA pixels, refusing before decoding what
 * checkRasterHeader refuses, and a damaged image with INPUT_MALFORMED.
 * Seconds of CPU for a large photo: servers call it off the event loop
 * (QrImageReaderPool).
 */
export function decodeRasterImage(bytes: Uint8Array, limits: RasterLimits = QR_IMAGE_LIMITS): ImageOutcome<RasterImage> {
  const header = checkRasterHeader(bytes, limits);
  if (!header.ok) return header;
  const { png } = header.value;
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (png) {
      const img = PNG.sync.read(buffer);
      return { ok: true, value: { width: img.width, height: img.height, data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length) } };
    }
    const img = jpeg.decode(buffer, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: limits.maxPixels / 1e6,
      maxMemoryUsageInMB: limits.maxMemoryMB ?? Math.ceil((limits.maxPixels * 4 * 2) / 2 ** 20),
    });
    return { ok: true, value: { width: img.width, height: img.height, data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length) } };
  } catch {
    return { ok: false, code: 'INPUT_MALFORMED', message: `the ${png ? 'PNG' : 'JPEG'} image could not be decoded` };
  }
}
