import { PNG } from 'pngjs';
import type { LicenseFonts } from '../../forms/pdf/LicenseFonts';
import { readGlyphOutlines, type Contour } from './glyphOutlines';

/** The words every demo seal carries in its lower half, so that it can never pass for a real one. */
export const DEMO_SEAL_MARK = '样章';
/** Size of a generated demo seal (px, square): within the region's seal limits (region/departments/sealImage). */
export const DEMO_SEAL_SIZE = 480;
const RED = [0xd0, 0x1f, 0x26] as const;

type Point = readonly [number, number];

/**
 * The seal of a department of a DEMO region (issue 14): a red ring, the
 * department's name set around the upper part of the ring (upright, reading
 * clockwise), a five-pointed star in the centre and "样章" under it, on a
 * transparent background; never the national emblem. Drawn from geometry and
 * the glyph outlines of the licence font (Noto Sans SC, through the same
 * HarfBuzz subsetter as the PDF) into an RGBA PNG (written here: zlib), so that it is registered
 * and printed like any department's seal (docs/adr/0004, "Seals").
 */
export function drawDemoSealPng(departmentName: string, fonts: LicenseFonts, size: number = DEMO_SEAL_SIZE): Uint8Array {
  const name = [...departmentName.trim()].filter((ch) => ch.trim() !== '').join('');
  const c = size / 2;
  const R = size * 0.48;
  const shapes: Contour[] = [];
  shapes.push(...ring(c, c, R, R * 0.93)); // outer ring, thick
  shapes.push(star(c, c - R * 0.02, R * 0.27, R * 0.27 * 0.382));

  const font = readGlyphOutlines(fonts.subset(name + DEMO_SEAL_MARK), name + DEMO_SEAL_MARK);
  const em = font.unitsPerEm;
  // The name: glyphs up to 0.26 R high along an arc of at most 250°, shrunk for long names, their tops just inside the ring.
  const maxSpan = (250 * Math.PI) / 180;
  const count = Math.max([...name].length, 1);
  const glyphSize = Math.min(R * 0.26, (maxSpan * R * 0.62) / count / 1.02);
  const baseline = R * 0.885 - glyphSize * 0.9;
  const step = Math.min((glyphSize * 1.08) / baseline, maxSpan / count);
  const chars = [...name];
  chars.forEach((ch, i) => {
    const g = font.glyphs.get(ch)!;
    const theta = -Math.PI / 2 + (i - (chars.length - 1) / 2) * step;
    const out: Point = [Math.cos(theta), Math.sin(theta)];
    const along: Point = [-Math.sin(theta), Math.cos(theta)];
    const scale = glyphSize / em;
    // Each glyph centred on its radius: its baseline on the `baseline` circle, its top towards the ring.
    for (const contour of g.contours) {
      shapes.push(
        contour.map(([x, y]) => {
          const u = (x - g.advance / 2) * scale;
          const v = y * scale + baseline;
          return [c + out[0] * v + along[0] * u, c + out[1] * v + along[1] * u] as const;
        }),
      );
    }
  });
  // "样章" upright under the star.
  const markSize = R * 0.24;
  const markScale = markSize / em;
  const markGlyphs = [...DEMO_SEAL_MARK].map((ch) => font.glyphs.get(ch)!);
  const markWidth = markGlyphs.reduce((w, g) => w + g.advance * markScale, 0) * 1.15;
  let x0 = c - markWidth / 2;
  const markBaseline = c + R * 0.62;
  for (const g of markGlyphs) {
    for (const contour of g.contours) shapes.push(contour.map(([x, y]) => [x0 + x * markScale, markBaseline - y * markScale] as const));
    x0 += g.advance * markScale * 1.15;
  }
  return encodeRgba(size, fill(size, shapes));
}

/** Circle of radius r as a polygon; `clockwise` in screen coordinates. */
function circle(cx: number, cy: number, r: number, clockwise: boolean): Contour {
  const n = 256;
  const pts: Point[] = [];
  for (let i = 0; i < n; i++) {
    const a = ((clockwise ? i : -i) * 2 * Math.PI) / n;
    pts.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return pts;
}

/** An annulus: the outer circle and the inner one the other way round (a hole under the non-zero rule). */
function ring(cx: number, cy: number, outer: number, inner: number): Contour[] {
  return [circle(cx, cy, outer, true), circle(cx, cy, inner, false)];
}

/** Five-pointed star, point up. */
function star(cx: number, cy: number, outer: number, inner: number): Contour {
  const pts: Point[] = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return pts;
}

/**
 * Coverage of polygons under the non-zero winding rule, 8 sample rows a
 * pixel row with exact horizontal coverage of each span: smooth edges
 * without a rendering library.
 */
function fill(size: number, polygons: readonly Contour[]): Float32Array {
  const SUB = 8;
  const cover = new Float32Array(size * size);
  const edges: Array<{ x0: number; y0: number; slope: number; y1: number; dir: number }> = [];
  for (const poly of polygons) {
    for (let i = 0; i < poly.length; i++) {
      const [ax, ay] = poly[i]!;
      const [bx, by] = poly[(i + 1) % poly.length]!;
      if (ay === by) continue;
      const [x0, y0, x1, y1, dir] = ay < by ? [ax, ay, bx, by, 1] : [bx, by, ax, ay, -1];
      edges.push({ x0, y0, slope: (x1 - x0) / (y1 - y0), y1, dir });
    }
  }
  edges.sort((p, q) => p.y0 - q.y0);
  // Active edges only (those that cross the current sample row), crossings sorted by insertion: no allocation per row.
  const active: typeof edges = [];
  let next = 0;
  const hx = new Float64Array(edges.length);
  const hd = new Int8Array(edges.length);
  for (let row = 0; row < size * SUB; row++) {
    const y = (row + 0.5) / SUB;
    const base = Math.floor(row / SUB) * size;
    while (next < edges.length && edges[next]!.y0 <= y) active.push(edges[next++]!);
    let n = 0;
    let keep = 0;
    for (let i = 0; i < active.length; i++) {
      const e = active[i]!;
      if (e.y1 <= y) continue;
      active[keep++] = e;
      const x = e.x0 + (y - e.y0) * e.slope;
      let j = n++;
      while (j > 0 && hx[j - 1]! > x) {
        hx[j] = hx[j - 1]!;
        hd[j] = hd[j - 1]!;
        j--;
      }
      hx[j] = x;
      hd[j] = e.dir;
    }
    active.length = keep;
    let winding = 0;
    for (let k = 0; k < n - 1; k++) {
      winding += hd[k]!;
      if (winding === 0) continue;
      const from = Math.max(0, hx[k]!);
      const to = Math.min(size, hx[k + 1]!);
      for (let px = Math.floor(from); px < to; px++) {
        const overlap = Math.min(to, px + 1) - Math.max(from, px);
        if (overlap > 0) cover[base + px]! += overlap / SUB;
      }
    }
  }
  return cover;
}

/** The seal's coverage as an RGBA PNG in the seal red (pngjs: the same encoder the tests read PNGs with). */
function encodeRgba(size: number, cover: Float32Array): Uint8Array {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < size * size; i++) {
    png.data[i * 4] = RED[0];
    png.data[i * 4 + 1] = RED[1];
    png.data[i * 4 + 2] = RED[2];
    png.data[i * 4 + 3] = Math.round(Math.min(1, cover[i]!) * 255);
  }
  return new Uint8Array(PNG.sync.write(png, { deflateLevel: 9 }));
}
