import { ElicenseError } from '../../errors';

/** What the PDF font dictionaries need from a TrueType font, in font units. */
export interface TrueTypeMetrics {
  unitsPerEm: number;
  /** head's xMin, yMin, xMax, yMax (HarfBuzz recomputes them for a subset). */
  bbox: readonly [number, number, number, number];
  /** hhea ascender and descender. */
  ascent: number;
  descent: number;
  /** OS/2 sCapHeight (0 when the table has none). */
  capHeight: number;
  /** name ID 6, or undefined. */
  postscriptName: string | undefined;
  /** Glyph id of a code point (0, .notdef, when the font lacks it) and its advance width. */
  glyph(codePoint: number): { gid: number; advance: number };
}

/**
 * Reads the few tables a PDF font embedding needs straight from the bytes of
 * a TrueType font: head, hhea, hmtx, OS/2, name and cmap (formats 4 and 12).
 * Made for the small HarfBuzz subsets of one document, read once each; a
 * general font parser (fontkit) builds objects for every table it touches
 * and cost more than the subsetting itself.
 */
export function readTrueTypeMetrics(font: Uint8Array): TrueTypeMetrics {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const bad = (why: string) => new ElicenseError('FONT_INVALID', `unreadable TrueType font: ${why}`);
  const u16 = (at: number) => view.getUint16(at);
  const i16 = (at: number) => view.getInt16(at);
  const u32 = (at: number) => view.getUint32(at);

  const tables = new Map<string, { offset: number; length: number }>();
  if (font.byteLength < 12) throw bad('no table directory');
  const numTables = u16(4);
  if (12 + 16 * numTables > font.byteLength) throw bad('truncated table directory');
  for (let i = 0; i < numTables; i++) {
    const at = 12 + 16 * i;
    const tag = String.fromCharCode(font[at]!, font[at + 1]!, font[at + 2]!, font[at + 3]!);
    const offset = u32(at + 8);
    const length = u32(at + 12);
    if (offset + length > font.byteLength) throw bad(`table ${tag} past the end`);
    tables.set(tag, { offset, length });
  }
  const table = (tag: string, minLength: number) => {
    const t = tables.get(tag);
    if (!t || t.length < minLength) throw bad(`no ${tag} table`);
    return t.offset;
  };

  const head = table('head', 54);
  const unitsPerEm = u16(head + 18);
  if (unitsPerEm < 16) throw bad('unitsPerEm out of range');
  const hhea = table('hhea', 36);
  const numberOfHMetrics = u16(hhea + 34);
  const hmtx = table('hmtx', 4 * numberOfHMetrics);
  if (numberOfHMetrics === 0) throw bad('no horizontal metrics');
  const os2 = tables.get('OS/2');
  const capHeight = os2 && os2.length >= 90 && u16(os2.offset) >= 2 ? i16(os2.offset + 88) : 0;
  const lookup = cmapLookup(view, table('cmap', 4), tables.get('cmap')!.length, bad);

  return {
    unitsPerEm,
    bbox: [i16(head + 36), i16(head + 38), i16(head + 40), i16(head + 42)],
    ascent: i16(hhea + 4),
    descent: i16(hhea + 6),
    capHeight,
    postscriptName: postscriptNameOf(view, tables.get('name')),
    glyph(codePoint) {
      const gid = lookup(codePoint);
      // Glyphs past numberOfHMetrics share the last advance (monospaced tail).
      return { gid, advance: u16(hmtx + 4 * Math.min(gid, numberOfHMetrics - 1)) };
    },
  };
}

/** Code point → glyph id through the best Unicode subtable: format 12 (full Unicode) before format 4 (BMP). */
function cmapLookup(view: DataView, cmap: number, cmapLength: number, bad: (why: string) => Error): (cp: number) => number {
  const end = cmap + cmapLength;
  const subtables: { platform: number; encoding: number; at: number; format: number }[] = [];
  const count = view.getUint16(cmap + 2);
  if (4 + 8 * count > cmapLength) throw bad('truncated cmap');
  for (let i = 0; i < count; i++) {
    const rec = cmap + 4 + 8 * i;
    const at = cmap + view.getUint32(rec + 4);
    if (at + 4 > end) throw bad('cmap subtable past the end');
    subtables.push({ platform: view.getUint16(rec), encoding: view.getUint16(rec + 2), at, format: view.getUint16(at) });
  }
  const find = (format: number, ids: [number, number][]) =>
    ids.map(([p, e]) => subtables.find((s) => s.platform === p && s.encoding === e && s.format === format)).find((s) => s !== undefined);

  const full = find(12, [[3, 10], [0, 6], [0, 4]]);
  if (full) {
    const groups = view.getUint32(full.at + 12);
    if (full.at + 16 + 12 * groups > end) throw bad('truncated cmap format 12');
    return (cp) => {
      // Groups are sorted by start code: binary search.
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = full.at + 16 + 12 * mid;
        if (cp < view.getUint32(g)) hi = mid - 1;
        else if (cp > view.getUint32(g + 4)) lo = mid + 1;
        else return view.getUint32(g + 8) + cp - view.getUint32(g);
      }
      return 0;
    };
  }
  const bmp = find(4, [[3, 1], [0, 3], [0, 2], [0, 1], [0, 0]]);
  if (!bmp) throw bad('no Unicode cmap subtable');
  const segCount = view.getUint16(bmp.at + 6) >> 1;
  const endCodes = bmp.at + 14;
  const startCodes = endCodes + 2 * segCount + 2;
  const idDeltas = startCodes + 2 * segCount;
  const idRangeOffsets = idDeltas + 2 * segCount;
  if (idRangeOffsets + 2 * segCount > end) throw bad('truncated cmap format 4');
  return (cp) => {
    if (cp > 0xffff) return 0;
    let lo = 0;
    let hi = segCount - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (view.getUint16(endCodes + 2 * mid) < cp) lo = mid + 1;
      else hi = mid;
    }
    const start = view.getUint16(startCodes + 2 * lo);
    if (cp < start || cp > view.getUint16(endCodes + 2 * lo)) return 0;
    const delta = view.getUint16(idDeltas + 2 * lo);
    const rangeOffset = view.getUint16(idRangeOffsets + 2 * lo);
    if (rangeOffset === 0) return (cp + delta) & 0xffff;
    // idRangeOffset is relative to its own position in the idRangeOffset array.
    const at = idRangeOffsets + 2 * lo + rangeOffset + 2 * (cp - start);
    if (at + 2 > end) return 0;
    const gid = view.getUint16(at);
    return gid === 0 ? 0 : (gid + delta) & 0xffff;
  };
}

/** name ID 6 from a Windows Unicode (UTF-16BE) or Macintosh Roman record. */
function postscriptNameOf(view: DataView, name: { offset: number; length: number } | undefined): string | undefined {
  if (!name || name.length < 6) return undefined;
  const count = view.getUint16(name.offset + 2);
  const strings = name.offset + view.getUint16(name.offset + 4);
  for (let i = 0; i < count && name.offset + 6 + 12 * (i + 1) <= name.offset + name.length; i++) {
    const rec = name.offset + 6 + 12 * i;
    const [platform, encoding, nameId, length, offset] = [0, 2, 6, 8, 10].map((d) => view.getUint16(rec + d)) as [number, number, number, number, number];
    if (nameId !== 6 || length % 2 !== 0 || strings + offset + length > name.offset + name.length) continue;
    const bytes = new Uint8Array(view.buffer, view.byteOffset + strings + offset, length);
    if (platform === 3 || platform === 0) return Buffer.from(bytes).swap16().toString('utf16le');
    if (platform === 1 && encoding === 0) return Buffer.from(bytes).toString('latin1');
  }
  return undefined;
}
