import QRCode, { type QRCodeSegment } from 'qrcode';

/** Error-correction level Q (25 % recoverable): survives print, creases and a phone camera. */
export const QR_ERROR_CORRECTION = 'Q' as const;
/** The four-module quiet zone the QR standard asks for. */
export const QR_QUIET_ZONE = 4;

/** Characters of the QR alphanumeric mode (base45 is built on exactly this set). */
const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

/**
 * One segment, in alphanumeric mode when the text allows (our base45 QR text
 * always does: 5.5 bits a character instead of 8), else bytes. Left to
 * itself, the qrcode package may split the text into mixed segments, and
 * searching for the best split costs more than the rest of the encoding.
 * The PDF form draws the same symbol (drawQrCode).
 */
export function qrSegmentsOf(text: string): QRCodeSegment[] {
  return [ALPHANUMERIC.test(text) ? { data: text, mode: 'alphanumeric' } : { data: Buffer.from(text, 'utf8'), mode: 'byte' }];
}

/** The QR version (1–40) and mode a text needs at level Q. */
export function qrSymbolOf(text: string): { version: number; mode: 'alphanumeric' | 'byte'; size: number } {
  const qr = QRCode.create(qrSegmentsOf(text), { errorCorrectionLevel: QR_ERROR_CORRECTION });
  return { version: qr.version, mode: ALPHANUMERIC.test(text) ? 'alphanumeric' : 'byte', size: qr.modules.size };
}

/** PNG of the QR for a text: level Q, quiet zone, `scale` pixels per module (black on white, 8-bit). */
export async function renderQrPng(text: string, opts: { scale?: number } = {}): Promise<Uint8Array> {
  const buf = await QRCode.toBuffer(qrSegmentsOf(text), {
    type: 'png',
    errorCorrectionLevel: QR_ERROR_CORRECTION,
    margin: QR_QUIET_ZONE,
    scale: opts.scale ?? 4,
    color: { dark: '#000000ff', light: '#ffffffff' },
  });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** SVG of the QR for a text (one path, scales to any print size). */
export function renderQrSvg(text: string): Promise<string> {
  return QRCode.toString(qrSegmentsOf(text), { type: 'svg', errorCorrectionLevel: QR_ERROR_CORRECTION, margin: QR_QUIET_ZONE });
}
