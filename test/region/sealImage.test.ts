import { checkSealPng } from '../../src/region/departments/sealImage';
import { makePng, ringSeal } from './sealPngs';

const problem = (png: Uint8Array) => {
  try {
    checkSealPng(png);
    return 'accepted';
  } catch (e) {
    const err = e as { code: string; details: { problem: string } };
    return `${err.code}:${err.details.problem}`;
  }
};

describe('checkSealPng', () => {
  it('accepts a square RGBA seal on a transparent background, 200–1200 px', () => {
    expect(checkSealPng(ringSeal(300))).toEqual({ width: 300, height: 300 });
    expect(checkSealPng(ringSeal(200))).toEqual({ width: 200, height: 200 });
  });

  it('refuses each bad image with SEAL_INVALID and a stable problem', () => {
    expect(problem(Buffer.from('GIF89a not a png at all, nowhere near one'))).toBe('SEAL_INVALID:not-png');
    expect(problem(Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.alloc(40)]))).toBe('SEAL_INVALID:not-png');
    const good = ringSeal(300);
    const truncated = good.subarray(0, good.length - 40);
    expect(problem(truncated)).toBe('SEAL_INVALID:malformed');
    const corrupt = Buffer.from(good);
    corrupt[60] = corrupt[60]! ^ 0xff; // inside IDAT: the CRC no longer matches
    expect(problem(corrupt)).toBe('SEAL_INVALID:malformed');
    expect(problem(ringSeal(100))).toBe('SEAL_INVALID:pixel-size');
    // The size is read from IHDR before anything is inflated: a 20000×20000 header is refused as it stands.
    const huge = Buffer.from(good);
    huge.writeUInt32BE(20000, 16);
    huge.writeUInt32BE(20000, 20);
    expect(problem(huge)).toBe('SEAL_INVALID:pixel-size');
    expect(problem(makePng(400, 220, () => [0, 0, 0, 0]))).toBe('SEAL_INVALID:not-square');
    expect(problem(ringSeal(300, 2, [255, 255, 255, 255]))).toBe('SEAL_INVALID:no-alpha');
    expect(problem(ringSeal(300, 6, [255, 255, 255, 255]))).toBe('SEAL_INVALID:background-not-transparent');
    expect(problem(makePng(300, 300, () => [0, 0, 0, 0]))).toBe('SEAL_INVALID:blank');
    expect(problem(Buffer.concat([good, Buffer.alloc(256 * 1024)]))).toBe('SEAL_INVALID:too-large');
  });
});
