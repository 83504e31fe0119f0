import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { base45Encode } from '../../../src/forms/qr/base45';
import { checkRasterHeader, decodeRasterImage } from '../../../src/forms/image/decodeRasterImage';
import { MAX_QR_IMAGE_PIXELS } from '../../../src/forms/image/qrImageLimits';
import { readQrFromImage } from '../../../src/forms/image/readQrFromImage';
import { qrSymbolOf, renderQrPng, renderQrSvg } from '../../../src/forms/image/renderQrImage';
import { greyPng, jpegDeclaring } from './craftedImages';
import { photoOfQr } from './photoOfQr';

/** A QR text of a realistic size (about what a licence takes), in the compact form's alphabet. */
const TEXT = 'LC1:' + base45Encode(deflateSync(Buffer.from('电子证照 '.repeat(20) + Array.from({ length: 90 }, (_, i) => i * 7919).join(','))));
const OTHER = 'LC1:' + base45Encode(Buffer.from('another licence'));

describe('QR images', () => {
  it('renders PNG at level Q in alphanumeric mode with a quiet zone, and reads it back', async () => {
    const symbol = qrSymbolOf(TEXT);
    expect(symbol.mode).toBe('alphanumeric');
    const png = await renderQrPng(TEXT, { scale: 4 });
    const img = PNG.sync.read(Buffer.from(png));
    expect(img.width).toBe((symbol.size + 8) * 4);
    // Quiet zone: the first 4 modules around the symbol are white.
    for (let i = 0; i < 16; i++) expect(img.data[(i * img.width + i) * 4]).toBe(255);
    const read = await readQrFromImage(png);
    expect(read).toEqual({ ok: true, value: TEXT });
    // Same version as the qrcode package chooses for level Q in alphanumeric mode.
    expect(symbol.version).toBe(QRCode.create([{ data: TEXT, mode: 'alphanumeric' }], { errorCorrectionLevel: 'Q' }).version);
  });

  it('renders SVG with the quiet zone in its view box', async () => {
    const svg = await renderQrSvg(TEXT);
    const { size } = qrSymbolOf(TEXT);
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain(`viewBox="0 0 ${size + 8} ${size + 8}"`);
  });

  it.each([
    ['straight, light noise', { rotate: 0, noise: 6, quality: 80 }],
    ['rotated 7°, tilted, noisy, JPEG quality 50', { rotate: 7, tilt: 0.12, noise: 14, quality: 50, seed: 3 }],
    ['rotated -12°, strong tilt, JPEG quality 35', { rotate: -12, tilt: 0.2, noise: 10, quality: 35, seed: 11, modulePixels: 4 }],
    ['upside down', { rotate: 183, tilt: 0.05, noise: 8, quality: 60, seed: 5 }],
  ])('reads a photo of paper: %s', async (_label, options) => {
    const photo = photoOfQr(TEXT, options);
    expect(decodeRasterImage(photo).ok).toBe(true);
    expect(await readQrFromImage(photo)).toEqual({ ok: true, value: TEXT });
  });

  describe('bad images', () => {
    it('an image with no QR: QR_NOT_FOUND', async () => {
      const blank = new PNG({ width: 300, height: 200 });
      blank.data.fill(230);
      expect(await readQrFromImage(PNG.sync.write(blank))).toMatchObject({ ok: false, code: 'QR_NOT_FOUND' });
      const photo = jpeg.encode({ data: Buffer.alloc(400 * 300 * 4, 128), width: 400, height: 300 }, 70).data;
      expect(await readQrFromImage(photo)).toMatchObject({ ok: false, code: 'QR_NOT_FOUND' });
    });

    it('two different QRs in one image: QR_MULTIPLE', async () => {
      const photo = photoOfQr(TEXT, { alsoText: OTHER, noise: 4, quality: 85 });
      expect(await readQrFromImage(photo)).toMatchObject({ ok: false, code: 'QR_MULTIPLE' });
    });

    it('not an image: FORMAT_UNSUPPORTED', async () => {
      for (const bytes of [Buffer.from('GIF89a......'), Buffer.from('%PDF-1.7'), Buffer.alloc(0), Buffer.from([0xff, 0xd8])]) {
        expect(await readQrFromImage(bytes)).toMatchObject({ ok: false, code: 'FORMAT_UNSUPPORTED' });
      }
    });

    it('a damaged PNG or JPEG: INPUT_MALFORMED', async () => {
      const png = Buffer.from(await renderQrPng(TEXT));
      expect(await readQrFromImage(png.subarray(0, png.length / 2))).toMatchObject({ ok: false, code: 'INPUT_MALFORMED' });
      const photo = Buffer.from(photoOfQr(TEXT));
      expect(await readQrFromImage(photo.subarray(0, 40))).toMatchObject({ ok: false, code: 'INPUT_MALFORMED' });
    });

    it('too many pixels is refused from the header, before decoding: INPUT_TOO_LARGE', async () => {
      // A small PNG whose header claims 20000×20000 pixels (a decompression bomb of sorts).
      const png = Buffer.from(await renderQrPng('LC1:X'));
      png.writeUInt32BE(20_000, 16);
      png.writeUInt32BE(20_000, 20);
      expect(20_000 * 20_000).toBeGreaterThan(MAX_QR_IMAGE_PIXELS);
      expect(await readQrFromImage(png)).toMatchObject({ ok: false, code: 'INPUT_TOO_LARGE' });
      const jpg = Buffer.from(photoOfQr('LC1:X', { modulePixels: 2 }));
      const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
      jpg.writeUInt16BE(30_000, sof + 5);
      jpg.writeUInt16BE(30_000, sof + 7);
      expect(await readQrFromImage(jpg)).toMatchObject({ ok: false, code: 'INPUT_TOO_LARGE' });
    });

    it('a 23 KB PNG or a JPEG declaring 4898×4898 pixels (seconds of decoding) is refused from its header', () => {
      const png = greyPng(4898, 4898);
      expect(png.length).toBeLessThan(100_000);
      expect(decodeRasterImage(png)).toMatchObject({ ok: false, code: 'INPUT_TOO_LARGE', message: expect.stringContaining('4898×4898') });
      // Refused from the header alone: signature and IHDR without any pixel data. Were it decoded, the
      // missing IDAT would make it INPUT_MALFORMED, as it does for a header within the cap.
      const HEADER = 8 + 25;
      expect(decodeRasterImage(png.subarray(0, HEADER))).toMatchObject({ ok: false, code: 'INPUT_TOO_LARGE' });
      expect(decodeRasterImage(greyPng(4096, 4096).subarray(0, HEADER))).toMatchObject({ ok: false, code: 'INPUT_MALFORMED' });
      expect(checkRasterHeader(jpegDeclaring(photoOfQr('LC1:X', { modulePixels: 2 }), 4898, 4898))).toMatchObject({ ok: false, code: 'INPUT_TOO_LARGE' });
      // A 12 MP phone photo (4032×3024) is still read.
      expect(checkRasterHeader(greyPng(4032, 3024))).toMatchObject({ ok: true, value: { width: 4032, height: 3024 } });
    });

    it('too many bytes: INPUT_TOO_LARGE', () => {
      const big = Buffer.alloc(64, 0);
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(big);
      expect(decodeRasterImage(big, { maxBytes: 32, maxPixels: 1e6 })).toMatchObject({ ok: false, code: 'INPUT_TOO_LARGE' });
    });
  });
});
