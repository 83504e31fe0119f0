import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * An 8-bit greyscale PNG written by hand (IHDR, one IDAT, IEND), so a test can
 * declare any size: `row(y)` gives each row's pixels; without it the image is
 * all zeros, which deflate squeezes to almost nothing (a 4898×4898 image is ~23 KB).
 */
export function greyPng(width: number, height: number, row?: (y: number, out: Buffer) => void): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const stride = width + 1; // filter byte 0 (none) before each row
  const raw = Buffer.alloc(stride * height);
  if (row) for (let y = 0; y < height; y++) row(y, raw.subarray(y * stride + 1, (y + 1) * stride));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A legitimate but laborious picture: random black and white blocks, which
 * keep a QR reader busy (many finder-pattern candidates) while compressing to
 * a few hundred KB. About 2 s of reading at 4000×4000 on one core.
 */
export function busyPng(size: number, block = 8, seed = 1): Buffer {
  let s = seed;
  const random = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const row = Buffer.alloc(size);
  return greyPng(size, size, (y, out) => {
    if (y % block === 0) for (let x = 0; x < size; x += block) row.fill(random() < 0.5 ? 0 : 255, x, Math.min(size, x + block));
    row.copy(out);
  });
}

/** A copy of a JPEG whose first start-of-frame (SOF0) declares another size. */
export function jpegDeclaring(jpeg: Uint8Array, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  const sof = out.indexOf(Buffer.from([0xff, 0xc0]));
  out.writeUInt16BE(height, sof + 5);
  out.writeUInt16BE(width, sof + 7);
  return out;
}
