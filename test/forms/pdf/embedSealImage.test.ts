import { PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';
import { PNG } from 'pngjs';
import { embedSealImage } from '../../../src/forms/pdf/embedSealImage';
import { sealPng } from './pdfTestRegion';

/** The demo seal as RGBA, white made transparent: the path that decodes and builds a soft mask. */
function rgbaSeal(): Uint8Array {
  const src = PNG.sync.read(Buffer.from(sealPng));
  const out = new PNG({ width: src.width, height: src.height });
  for (let p = 0; p < src.width * src.height; p++) {
    const white = src.data[p * 4]! > 250 && src.data[p * 4 + 1]! > 250 && src.data[p * 4 + 2]! > 250;
    src.data.copy(out.data, p * 4, p * 4, p * 4 + 3);
    out.data[p * 4 + 3] = white ? 0 : 255;
  }
  return new Uint8Array(PNG.sync.write(out, { colorType: 6 }));
}

async function embedded(png: Uint8Array): Promise<{ image: PDFRawStream; mask?: PDFRawStream }> {
  const doc = await PDFDocument.create();
  const stream = (ref: PDFRef) => {
    const s = doc.context.lookup(ref);
    if (!(s instanceof PDFRawStream)) throw new Error('not a stream');
    return s;
  };
  const image = stream(embedSealImage(doc, png));
  const maskRef = image.dict.get(PDFName.of('SMask'));
  return { image, ...(maskRef instanceof PDFRef ? { mask: stream(maskRef) } : {}) };
}

describe('embedSealImage', () => {
  it('embeds a palette PNG as is, and the same way for every document', async () => {
    const a = await embedded(sealPng);
    const b = await embedded(sealPng);
    expect(a.mask).toBeUndefined();
    expect(a.image.dict.get(PDFName.of('DecodeParms'))).toBeDefined();
    expect(Buffer.from(a.image.contents).equals(Buffer.from(b.image.contents))).toBe(true);
    expect(a.image.dict.toString()).toBe(b.image.dict.toString());
  });

  it('gives a PNG with alpha a soft mask, prepared once and the same for every document', async () => {
    const png = rgbaSeal();
    const a = await embedded(png);
    const b = await embedded(png);
    expect(a.mask).toBeDefined();
    expect(a.image.dict.get(PDFName.of('ColorSpace'))).toBe(PDFName.of('DeviceRGB'));
    expect(Buffer.from(a.image.contents).equals(Buffer.from(b.image.contents))).toBe(true);
    expect(Buffer.from(a.mask!.contents).equals(Buffer.from(b.mask!.contents))).toBe(true);
  });

  it('prepares changed bytes anew: the cache is by content, not by array', async () => {
    const png = rgbaSeal();
    const before = await embedded(png);
    // Same array, other picture: an opaque seal (alpha 255 everywhere) replaces it in place.
    const decoded = PNG.sync.read(Buffer.from(png));
    for (let p = 3; p < decoded.data.length; p += 4) decoded.data[p] = 255;
    const opaque = PNG.sync.write(decoded, { colorType: 6 });
    const same = new Uint8Array(Math.max(png.length, opaque.length));
    same.set(png);
    const first = await embedded(same.subarray(0, png.length));
    same.set(opaque);
    const second = await embedded(same.subarray(0, opaque.length));
    expect(Buffer.from(first.mask!.contents).equals(Buffer.from(before.mask!.contents))).toBe(true);
    expect(Buffer.from(second.mask!.contents).equals(Buffer.from(before.mask!.contents))).toBe(false);
  });

  it('still refuses what is not a PNG', async () => {
    const doc = await PDFDocument.create();
    expect(() => embedSealImage(doc, new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: 'PDF_RENDER_FAILED' }));
    expect(() => embedSealImage(doc, new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: 'PDF_RENDER_FAILED' }));
  });
});
