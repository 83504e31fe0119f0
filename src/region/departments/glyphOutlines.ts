import { ElicenseError } from '../../errors';
import { readTrueTypeMetrics } from '../../forms/pdf/readTrueTypeMetrics';

/** A closed contour of a glyph, flattened to straight segments, in font units (y up). */
export type Contour = Array<readonly [number, number]>;

export interface GlyphOutline {
  contours: Contour[];
  advance: number;
}

/**
 * The outlines of characters of a TrueType font (glyf/loca: quadratic
 * B-splines, flattened here), read from a small subset of the font made for
 * them (LicenseFonts.subset). Simple and composite glyphs; hinting ignored.
 * Used to draw the demo seal's lettering into a PNG.
 */
export function readGlyphOutlines(font: Uint8Array, text: string): { unitsPerEm: number; ascent: number; descent: number; glyphs: Map<string, GlyphOutline> } {
  const bad = (why: string) => new ElicenseError('FONT_INVALID', `unreadable TrueType outlines: ${why}`);
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const tables = new Map<string, { offset: number; length: number }>();
  const numTables = view.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const at = 12 + 16 * i;
    const tag = String.fromCharCode(font[at]!, font[at + 1]!, font[at + 2]!, font[at + 3]!);
    tables.set(tag, { offset: view.getUint32(at + 8), length: view.getUint32(at + 12) });
  }
  const head = tables.get('head');
  const loca = tables.get('loca');
  const glyf = tables.get('glyf');
  const maxp = tables.get('maxp');
  if (!head || !loca || !glyf || !maxp) throw bad('no head/loca/glyf/maxp table');
  const longLoca = view.getInt16(head.offset + 50) === 1;
  const numGlyphs = view.getUint16(maxp.offset + 4);
  const glyphRange = (gid: number): [number, number] => {
    if (gid < 0 || gid >= numGlyphs) throw bad(`glyph ${gid} out of range`);
    const start = longLoca ? view.getUint32(loca.offset + 4 * gid) : 2 * view.getUint16(loca.offset + 2 * gid);
    const end = longLoca ? view.getUint32(loca.offset + 4 * gid + 4) : 2 * view.getUint16(loca.offset + 2 * gid + 2);
    if (end < start || end > glyf.length) throw bad(`glyph ${gid} past the glyf table`);
    return [glyf.offset + start, glyf.offset + end];
  };

  const outline = (gid: number, depth: number): Contour[] => {
    if (depth > 8) throw bad('composite glyphs nested too deep');
    const [start, end] = glyphRange(gid);
    if (end === start) return [];
    const contours = view.getInt16(start);
    return contours >= 0 ? simpleGlyph(view, start, contours) : compositeGlyph(start, depth);
  };

  const compositeGlyph = (start: number, depth: number): Contour[] => {
    const out: Contour[] = [];
    let p = start + 10;
    for (;;) {
      const flags = view.getUint16(p);
      const component = view.getUint16(p + 2);
      p += 4;
      let dx: number;
      let dy: number;
      if (flags & 0x0001) {
        dx = view.getInt16(p);
        dy = view.getInt16(p + 2);
        p += 4;
      } else {
        dx = view.getInt8(p);
        dy = view.getInt8(p + 1);
        p += 2;
      }
      if (!(flags & 0x0002)) dx = dy = 0; // point-matching anchors: not used by the CJK fonts we ship
      let [a, b, c, d] = [1, 0, 0, 1];
      const f2dot14 = (at: number) => view.getInt16(at) / 16384;
      if (flags & 0x0008) {
        a = d = f2dot14(p);
        p += 2;
      } else if (flags & 0x0040) {
        a = f2dot14(p);
        d = f2dot14(p + 2);
        p += 4;
      } else if (flags & 0x0080) {
        [a, b, c, d] = [f2dot14(p), f2dot14(p + 2), f2dot14(p + 4), f2dot14(p + 6)];
        p += 8;
      }
      for (const contour of outline(component, depth + 1)) out.push(contour.map(([x, y]) => [a * x + c * y + dx, b * x + d * y + dy] as const));
      if (!(flags & 0x0020)) break;
    }
    return out;
  };

  const metrics = readTrueTypeMetrics(font);
  const glyphs = new Map<string, GlyphOutline>();
  for (const ch of new Set(text)) {
    const { gid, advance } = metrics.glyph(ch.codePointAt(0)!);
    if (gid === 0) throw bad(`the font has no glyph for ${ch}`);
    glyphs.set(ch, { contours: outline(gid, 0), advance });
  }
  return { unitsPerEm: metrics.unitsPerEm, ascent: metrics.ascent, descent: metrics.descent, glyphs };
}

/** A simple glyph: end points, instructions (skipped), flags, x and y deltas; quadratic curves flattened. */
function simpleGlyph(view: DataView, start: number, numberOfContours: number): Contour[] {
  let p = start + 10;
  const ends: number[] = [];
  for (let i = 0; i < numberOfContours; i++, p += 2) ends.push(view.getUint16(p));
  const count = ends.length ? ends[ends.length - 1]! + 1 : 0;
  p += 2 + view.getUint16(p);
  const flags: number[] = [];
  while (flags.length < count) {
    const f = view.getUint8(p++);
    flags.push(f);
    if (f & 0x08) for (let r = view.getUint8(p++); r > 0; r--) flags.push(f);
  }
  const coords = (short: number, same: number): number[] => {
    const out: number[] = [];
    let v = 0;
    for (const f of flags.slice(0, count)) {
      if (f & short) {
        const d = view.getUint8(p++);
        v += f & same ? d : -d;
      } else if (!(f & same)) {
        v += view.getInt16(p);
        p += 2;
      }
      out.push(v);
    }
    return out;
  };
  const xs = coords(0x02, 0x10);
  const ys = coords(0x04, 0x20);
  const contours: Contour[] = [];
  let first = 0;
  for (const last of ends) {
    const pts = [];
    for (let i = first; i <= last; i++) pts.push({ x: xs[i]!, y: ys[i]!, on: (flags[i]! & 1) === 1 });
    first = last + 1;
    if (pts.length > 0) contours.push(flattenQuadratic(pts));
  }
  return contours;
}

/** TrueType contour (on/off-curve points, implied on-curve midpoints) to a polygon. */
function flattenQuadratic(pts: { x: number; y: number; on: boolean }[]): Contour {
  const n = pts.length;
  // Start at an on-curve point (or the midpoint of the first two off-curve points).
  let startIdx = pts.findIndex((q) => q.on);
  const startPt = startIdx >= 0 ? pts[startIdx]! : { x: (pts[0]!.x + pts[1 % n]!.x) / 2, y: (pts[0]!.y + pts[1 % n]!.y) / 2, on: true };
  if (startIdx < 0) startIdx = 0;
  const out: Contour = [[startPt.x, startPt.y]];
  let cur = startPt;
  let control: { x: number; y: number } | null = null;
  const quad = (c: { x: number; y: number }, to: { x: number; y: number }) => {
    const steps = 6;
    for (let s = 1; s <= steps; s++) {
      const t = s / steps;
      const u = 1 - t;
      out.push([u * u * cur.x + 2 * u * t * c.x + t * t * to.x, u * u * cur.y + 2 * u * t * c.y + t * t * to.y]);
    }
  };
  for (let k = 1; k <= n; k++) {
    const q = k === n && startIdx >= 0 && pts[startIdx]!.on ? startPt : pts[(startIdx + k) % n]!;
    if (q.on) {
      if (control) quad(control, q);
      else out.push([q.x, q.y]);
      control = null;
      cur = { ...q };
    } else if (control) {
      const mid = { x: (control.x + q.x) / 2, y: (control.y + q.y) / 2, on: true };
      quad(control, mid);
      cur = mid;
      control = { x: q.x, y: q.y };
    } else {
      control = { x: q.x, y: q.y };
    }
  }
  if (control) quad(control, startPt);
  return out;
}
