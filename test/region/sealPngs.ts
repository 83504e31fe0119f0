import { crc32, deflateSync } from 'node:zlib';

/** A PNG of width×height, 8-bit RGBA (colourType 6) or RGB (2), from a pixel function; written here with zlib. */
export function makePng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number], colourType: 2 | 6 = 6): Buffer {
  const channels = colourType === 6 ? 4 : 3;
  const stride = width * channels + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = pixel(x, y);
      for (let k = 0; k < channels; k++) raw[y * stride + 1 + x * channels + k] = p[k]!;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colourType, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

/** A red ring on a transparent background: what a registered seal looks like to the checks. */
export function ringSeal(size = 300, colourType: 2 | 6 = 6, background: [number, number, number, number] = [0, 0, 0, 0]): Buffer {
  const c = size / 2;
  return makePng(size, size, (x, y) => {
    const r = Math.hypot(x + 0.5 - c, y + 0.5 - c);
    return r < c * 0.95 && r > c * 0.8 ? [200, 30, 40, 255] : background;
  }, colourType);
}
