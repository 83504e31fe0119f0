import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { PDFHexString, type PDFDocument, type PDFRef } from 'pdf-lib';
import { ElicenseError } from '../../errors';

/** Largest seal we accept, in pixels per side: a seal prints at ~4 cm. */
const MAX_SEAL_PIXELS = 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface PngChunks {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
  palette?: Buffer;
  idat: Buffer;
}

/** A seal made ready for embedding: the image stream's data and dictionary, and its soft mask if any. */
interface PreparedSeal {
  width: number;
  height: number;
  data: Buffer;
  /** DeviceGray / DeviceRGB, or an Indexed palette (its RGB triples). */
  colorSpace: 'DeviceGray' | 'DeviceRGB' | { palette: Buffer };
  /** PNG predictors on the data (embedded as is), with the colour count. */
  predictorColors?: number;
  /** Deflated 8-bit alpha, for seals with transparency. */
  mask?: Buffer;
}

/**
 * Seals already prepared, by SHA-256 of the PNG: a department's seal is the
 * same for every licence it issues, and decoding and recompressing a PNG with
 * alpha costs more than the rest of the page. Bounded: least recently used out.
 */
const preparedSeals = new Map<string, PreparedSeal>();
const PREPARED_SEALS_KEPT = 32;

/**
 * Embeds a PNG seal as an image XObject. An 8-bit, non-interlaced grey, RGB
 * or palette PNG goes in as is: its zlib data with the PNG predictors is a
 * valid PDF FlateDecode stream, so nothing is decoded or recompressed (the
 * seal is printed with the Multiply blend mode, white acting as paper). Any
 * other PNG (alpha, 16-bit, interlaced) is decoded and its alpha becomes a
 * soft mask. Either way the work is done once per distinct seal.
 */
export function embedSealImage(doc: PDFDocument, png: Uint8Array): PDFRef {
  const key = createHash('sha256').update(png).digest('base64');
  let seal = preparedSeals.get(key);
  if (seal) preparedSeals.delete(key);
  else seal = prepareSeal(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  preparedSeals.set(key, seal);
  if (preparedSeals.size > PREPARED_SEALS_KEPT) preparedSeals.delete(preparedSeals.keys().next().value!);

  const ctx = doc.context;
  const { width, height } = seal;
  const common = { Type: 'XObject', Subtype: 'Image', Width: width, Height: height, BitsPerComponent: 8, Filter: 'FlateDecode' };
  const colorSpace =
    typeof seal.colorSpace === 'string' ? seal.colorSpace
      : ctx.obj(['Indexed', 'DeviceRGB', seal.colorSpace.palette.length / 3 - 1, PDFHexString.of(seal.colorSpace.palette.toString('hex'))]);
  if (seal.predictorColors !== undefined) {
    return ctx.register(
      ctx.stream(seal.data, {
        ...common,
        ColorSpace: colorSpace,
        DecodeParms: { Predictor: 15, Colors: seal.predictorColors, BitsPerComponent: 8, Columns: width },
      }),
    );
  }
  const mask = seal.mask ? ctx.register(ctx.stream(seal.mask, { ...common, ColorSpace: 'DeviceGray' })) : undefined;
  return ctx.register(ctx.stream(seal.data, { ...common, ColorSpace: colorSpace, ...(mask ? { SMask: mask } : {}) }));
}

function prepareSeal(buf: Buffer): PreparedSeal {
  const chunks = readPngChunks(buf);
  if (chunks.width > MAX_SEAL_PIXELS || chunks.height > MAX_SEAL_PIXELS) throw new ElicenseError('PDF_RENDER_FAILED', 'the seal image is too large');
  const { width, height } = chunks;
  const colors = { 0: 1, 2: 3, 3: 1 }[chunks.colorType];
  if (colors !== undefined && chunks.bitDepth === 8 && chunks.interlace === 0 && (chunks.colorType !== 3 || chunks.palette)) {
    // Copies (idat is concatenated), so the cache does not hold on to the caller's bytes.
    const colorSpace = chunks.colorType === 0 ? 'DeviceGray' : chunks.colorType === 2 ? 'DeviceRGB' : { palette: Buffer.from(chunks.palette!) };
    return { width, height, data: chunks.idat, colorSpace, predictorColors: colors };
  }
  let img: PNG;
  try {
    img = PNG.sync.read(buf);
  } catch (e) {
    throw new ElicenseError('PDF_RENDER_FAILED', 'the seal is not a readable PNG', undefined, { cause: e });
  }
  const rgb = Buffer.alloc(width * height * 3);
  const alpha = Buffer.alloc(width * height);
  for (let p = 0; p < width * height; p++) {
    rgb[p * 3] = img.data[p * 4]!;
    rgb[p * 3 + 1] = img.data[p * 4 + 1]!;
    rgb[p * 3 + 2] = img.data[p * 4 + 2]!;
    alpha[p] = img.data[p * 4 + 3]!;
  }
  return { width, height, data: deflateSync(rgb), colorSpace: 'DeviceRGB', mask: deflateSync(alpha) };
}

function readPngChunks(buf: Buffer): PngChunks {
  const bad = (why: string) => new ElicenseError('PDF_RENDER_FAILED', `the seal is not a readable PNG: ${why}`);
  if (buf.length < 33 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw bad('no PNG signature');
  let pos = 8;
  let header: Omit<PngChunks, 'idat' | 'palette'> | undefined;
  let palette: Buffer | undefined;
  const idat: Buffer[] = [];
  while (pos + 12 <= buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + length);
    if (data.length !== length) throw bad('truncated chunk');
    if (type === 'IHDR') {
      header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), bitDepth: data[8]!, colorType: data[9]!, interlace: data[12]! };
    } else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + length;
  }
  if (!header || idat.length === 0 || header.width === 0 || header.height === 0) throw bad('no image header or data');
  return { ...header, ...(palette ? { palette } : {}), idat: Buffer.concat(idat) };
}
