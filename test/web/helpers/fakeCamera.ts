/**
 * A fake camera for Chromium (--use-file-for-fake-video-capture): a Y4M
 * video whose frames show an image (a licence QR) on white, so the verifier
 * page's camera scan runs end to end without a real camera.
 */
import { decodeRasterImage } from '../../../src/forms/image/decodeRasterImage';

export function y4mShowing(imageBytes: Uint8Array, { width = 640, height = 480, frames = 5 } = {}): Buffer {
  const decoded = decodeRasterImage(imageBytes);
  if (!decoded.ok) throw new Error(decoded.message);
  const img = decoded.value;
  // Nearest-neighbour scale to 80% of the shorter side, centred.
  const side = Math.floor(Math.min(width, height) * 0.8);
  const scale = side / Math.max(img.width, img.height);
  const w = Math.floor(img.width * scale);
  const h = Math.floor(img.height * scale);
  const x0 = Math.floor((width - w) / 2);
  const y0 = Math.floor((height - h) / 2);
  const luma = Buffer.alloc(width * height, 255);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = Math.min(img.width - 1, Math.floor(x / scale));
      const sy = Math.min(img.height - 1, Math.floor(y / scale));
      const i = (sy * img.width + sx) * 4;
      const a = img.data[i + 3]! / 255;
      const grey = 0.299 * img.data[i]! + 0.587 * img.data[i + 1]! + 0.114 * img.data[i + 2]!;
      luma[(y0 + y) * width + x0 + x] = Math.round(grey * a + 255 * (1 - a));
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), ...Array<Buffer>(frames).fill(frame)]);
}
