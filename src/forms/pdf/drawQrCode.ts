import { create as createQr } from 'qrcode';
import { QR_ERROR_CORRECTION, QR_QUIET_ZONE, qrSegmentsOf } from '../image/renderQrImage';
import type { PageCanvas } from './PageCanvas';

/**
 * Draws `text` as a vector QR code (error-correction level Q) with its quiet
 * zone, `size` points wide including the quiet zone, lower-left corner at
 * (x, y): the same symbol as the QR images (qrSegmentsOf). Dark modules are
 * merged into one rectangle per horizontal run, written in module units
 * (PageCanvas.fillGrid), so the content stays small and the code prints
 * sharp at any resolution.
 * Returns the QR version.
 */
export function drawQrCode(canvas: PageCanvas, text: string, box: { x: number; y: number; size: number }): number {
  return drawQrSymbol(canvas, qrSymbolOf(text), box);
}

export type QrSymbol = ReturnType<typeof createQr>;

/** The symbol drawQrCode prints for `text`, for a caller that sizes the code by its modules first. */
export function qrSymbolOf(text: string): QrSymbol {
  return createQr(qrSegmentsOf(text), { errorCorrectionLevel: QR_ERROR_CORRECTION });
}

/** Modules across the symbol, quiet zone included. */
export const qrSideModules = (qr: QrSymbol): number => qr.modules.size + 2 * QR_QUIET_ZONE;

/** Draws an encoded symbol as drawQrCode does; returns its version. */
export function drawQrSymbol(canvas: PageCanvas, qr: QrSymbol, box: { x: number; y: number; size: number }): number {
  const count = qr.modules.size;
  const side = count + 2 * QR_QUIET_ZONE;
  // Runs of dark modules in module units, quiet zone included; rows counted from the bottom.
  const runs: [number, number, number][] = [];
  for (let row = 0; row < count; row++) {
    const y = side - QR_QUIET_ZONE - 1 - row;
    let col = 0;
    while (col < count) {
      if (!qr.modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < count && qr.modules.get(row, col)) col++;
      runs.push([start + QR_QUIET_ZONE, y, col - start]);
    }
  }
  canvas.fillRects([[box.x, box.y, box.size, box.size]], [1, 1, 1]);
  canvas.fillGrid(runs, box.x, box.y, box.size / side, [0, 0, 0]);
  return qr.version;
}
