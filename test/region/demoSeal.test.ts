import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { LicenseFonts } from '../../src/forms/pdf/LicenseFonts';
import { drawDemoSealPng, DEMO_SEAL_SIZE } from '../../src/region/departments/demoSeal';
import { checkSealPng } from '../../src/region/departments/sealImage';
import { repoPath } from '../../src/repoPath';

const fonts = LicenseFonts.load();
const ARTIFACTS = repoPath('test-artifacts');

function decode(png: Uint8Array) {
  return PNG.sync.read(Buffer.from(png));
}
const alphaAt = (p: PNG, x: number, y: number) => p.data[(Math.round(y) * p.width + Math.round(x)) * 4 + 3]!;

describe('demo seal drawn from the department name', () => {
  const market = drawDemoSealPng('福州市市场监督管理局', fonts);
  const long = drawDemoSealPng('福建省自然资源厅不动产登记中心测试分中心', fonts);
  beforeAll(() => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'demo-seal-market.png'), market);
    writeFileSync(join(ARTIFACTS, 'demo-seal-long-name.png'), long);
  });

  it('passes the region’s own seal checks (PNG, size, alpha, transparent background)', () => {
    expect(checkSealPng(market)).toEqual({ width: DEMO_SEAL_SIZE, height: DEMO_SEAL_SIZE });
    expect(checkSealPng(long)).toEqual({ width: DEMO_SEAL_SIZE, height: DEMO_SEAL_SIZE });
    expect(market.byteLength).toBeLessThan(64 * 1024);
  });

  it('is red ink on nothing: ring, star in the centre, transparent between them', () => {
    const p = decode(market);
    const c = DEMO_SEAL_SIZE / 2;
    const R = DEMO_SEAL_SIZE * 0.48;
    expect(alphaAt(p, c, c - R * 0.965)).toBe(255); // on the ring, top
    expect(alphaAt(p, c + R * 0.965, c)).toBe(255); // on the ring, right
    expect(alphaAt(p, c, c - R * 0.1)).toBe(255); // inside the star
    expect(alphaAt(p, 2, 2)).toBe(0);
    expect(alphaAt(p, c + R * 0.45, c - R * 0.45)).toBe(0); // between star and lettering
    const i = (Math.round(c) * p.width + Math.round(c)) * 4;
    expect([p.data[i], p.data[i + 1], p.data[i + 2]]).toEqual([0xd0, 0x1f, 0x26]);
  });

  it('different names give different seals; the same name the same bytes', () => {
    expect(Buffer.from(drawDemoSealPng('福州市市场监督管理局', fonts)).equals(Buffer.from(market))).toBe(true);
    expect(Buffer.from(long).equals(Buffer.from(market))).toBe(false);
    // The lettering is there: ink in the upper band where the name runs, and in the lower half (样章).
    const p = decode(market);
    const c = DEMO_SEAL_SIZE / 2;
    let upper = 0;
    let lower = 0;
    for (let y = 0; y < p.height; y++) {
      for (let x = 0; x < p.width; x++) {
        const r = Math.hypot(x - c, y - c) / (DEMO_SEAL_SIZE * 0.48);
        if (alphaAt(p, x, y) < 128) continue;
        if (r > 0.55 && r < 0.88 && y < c) upper++;
        if (y > c + DEMO_SEAL_SIZE * 0.48 * 0.35 && r < 0.85) lower++;
      }
    }
    expect(upper).toBeGreaterThan(2000);
    expect(lower).toBeGreaterThan(500);
  });
});
