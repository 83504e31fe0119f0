import { readFileSync } from 'node:fs';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { decodeRasterImage, type ImageOutcome, type RasterImage } from './decodeRasterImage';

let prepared: Promise<unknown> | undefined;

/**
 * Loads ZXing-C++'s reader (WebAssembly) from this package's node_modules.
 * Left to its defaults, zxing-wasm fetches the .wasm from a CDN; handing it
 * the bytes keeps verification offline. The module is process-wide inside
 * zxing-wasm itself, so it is prepared once here too.
 */
export function loadQrReader(): Promise<unknown> {
  if (!prepared) {
    const bytes = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    prepared = prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  }
  return prepared;
}

/**
 * The text of the one QR code in an image. Photos of paper are expected:
 * ZXing binarises locally, tries rotations, inversions and downscaling.
 * No QR → QR_NOT_FOUND; more than one → QR_MULTIPLE (which would we mean?).
 */
export async function readQrFromRaster(image: RasterImage): Promise<ImageOutcome<string>> {
  await loadQrReader();
  const found = await readBarcodes(
    { data: image.data, width: image.width, height: image.height, colorSpace: 'srgb' } as unknown as Parameters<typeof readBarcodes>[0],
    { formats: ['QRCode'], tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true, maxNumberOfSymbols: 8 },
  );
  const valid = found.filter((r) => r.isValid);
  if (valid.length === 0) return { ok: false, code: 'QR_NOT_FOUND', message: 'no readable QR code in the image' };
  const texts = new Set(valid.map((r) => r.text));
  if (texts.size > 1) return { ok: false, code: 'QR_MULTIPLE', message: `${texts.size} different QR codes in the image; send one` };
  return { ok: true, value: valid[0]!.text };
}

/** PNG or JPEG bytes → the text of its single QR code (or why not). */
export async function readQrFromImage(bytes: Uint8Array): Promise<ImageOutcome<string>> {
  const image = decodeRasterImage(bytes);
  if (!image.ok) return image;
  return readQrFromRaster(image.value);
}
