import jpeg from 'jpeg-js';
import QRCode from 'qrcode';
import { seededRandom as seeded } from '../../../scripts/support/seededRandom';


export interface PhotoOptions {
  /** Rotation in degrees. */
  rotate?: number;
  /** Relative change of scale from the top of the code to its bottom (a phone held at a slant). */
  tilt?: number;
  /** Standard deviation of the pixel noise (0–255 scale). */
  noise?: number;
  /** JPEG quality 1–100. */
  quality?: number;
  /** Pixels per module in the middle of the code. */
  modulePixels?: number;
  seed?: number;
  /** Further codes to place beside the first (for the two-QR case). */
  alsoText?: string;
}

/**
 * A JPEG that looks like a phone photo of a printed QR: grey paper with uneven
 * light, the code rotated and in perspective, smeared by a blur, with sensor
 * noise and JPEG compression. Made by code so the tests need no image files.
 */
export function photoOfQr(text: string, o: PhotoOptions = {}): Uint8Array {
  const rand = seeded(o.seed ?? 7);
  const codes = [text, ...(o.alsoText ? [o.alsoText] : [])].map((t) => {
    const m = QRCode.create(t, { errorCorrectionLevel: 'Q' }).modules;
    return { size: m.size, dark: Uint8Array.from(m.data) };
  });
  const px = o.modulePixels ?? 4;
  const side = Math.max(...codes.map((c) => c.size + 8)) * px;
  const W = Math.round(side * 1.4 * codes.length);
  const H = Math.round(side * 1.4);
  const angle = ((o.rotate ?? 0) * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const tilt = o.tilt ?? 0;
  const grey = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const slot = Math.min(codes.length - 1, Math.floor((x / W) * codes.length));
      const modules = codes[slot]!;
      const cx = (W / codes.length) * (slot + 0.5);
      const cy = H / 2;
      // Inverse mapping from the photo to the printed page: undo the rotation, then the slanted scale.
      const dx = x - cx;
      const dy = y - cy;
      const u = cos * dx + sin * dy;
      const v = -sin * dx + cos * dy;
      const scale = px * (1 + (tilt * v) / H);
      const mx = Math.floor(u / scale + modules.size / 2 + 4) - 4;
      const my = Math.floor(v / scale + modules.size / 2 + 4) - 4;
      const dark = mx >= 0 && my >= 0 && mx < modules.size && my < modules.size && modules.dark[my * modules.size + mx] === 1;
      const light = 200 + 35 * (x / W) - 25 * (y / H); // uneven lighting across the sheet
      grey[y * W + x] = dark ? 45 + 10 * (x / W) : light;
    }
  }
  // A 3×3 box blur (focus), then noise.
  const rgba = Buffer.alloc(W * H * 4);
  const noise = o.noise ?? 12;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let sum = 0;
      let n = 0;
      for (let j = -1; j <= 1; j++) for (let i = -1; i <= 1; i++) {
        const xx = x + i;
        const yy = y + j;
        if (xx >= 0 && yy >= 0 && xx < W && yy < H) {
          sum += grey[yy * W + xx]!;
          n++;
        }
      }
      // Box–Muller for Gaussian noise.
      const g = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
      const value = Math.max(0, Math.min(255, sum / n + g * noise));
      const k = (y * W + x) * 4;
      rgba[k] = value + 6 > 255 ? 255 : value + 6; // paper is slightly warm
      rgba[k + 1] = value;
      rgba[k + 2] = value > 8 ? value - 8 : 0;
      rgba[k + 3] = 255;
    }
  }
  const out = jpeg.encode({ data: rgba, width: W, height: H }, o.quality ?? 60);
  return new Uint8Array(out.data);
}
