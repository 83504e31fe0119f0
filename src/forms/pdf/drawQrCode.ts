import { create as createQr } from 'qrcode';
import type { PageCanvas } from './PageCanvas';

/** Quiet zone of ISO/IEC 18004: four modules of light on every side. */
export const QR_QUIET_ZONE_MODULES = 4;

/**
 * Draws `text` as a vector QR code (error-correction level Q) with its quiet
 * zone, `size` points wide including the quiet zone, lower-left corner at
 * (x, y). Dark modules are merged into one rectangle per horizontal run, so
 * the content stays small and the code prints sharp at any resolution.
 * Returns the QR version.
 */
export function drawQrCode(canvas: PageCanvas, text: string, box: { x: number; y: number; size: number }): number {
  const qr = createQr(text, { errorCorrectionLevel: 'Q' });
  const count = qr.modules.size;
  const m = box.size / (count + 2 * QR_QUIET_ZONE_MODULES);
  const rects: [number, number, number, number][] = [];
  for (let row = 0; row < count; row++) {
    const y = box.y + box.size - (row + 1 + QR_QUIET_ZONE_MODULES) * m;
    let col = 0;
    while (col < count) {
      if (!qr.modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < count && qr.modules.get(row, col)) col++;
      rects.push([box.x + (start + QR_QUIET_ZONE_MODULES) * m, y, (col - start) * m, m]);
    }
  }
  canvas.fillRects([[box.x, box.y, box.size, box.size]], [1, 1, 1]);
  canvas.fillRects(rects, [0, 0, 0]);
  return qr.version;
}
