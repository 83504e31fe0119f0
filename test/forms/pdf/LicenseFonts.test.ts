import fontkit from '@pdf-lib/fontkit';
import { readFileSync } from 'node:fs';
import { defaultLicenseFontPath, LicenseFonts } from '../../../src/forms/pdf/LicenseFonts';
import { readTrueTypeMetrics } from '../../../src/forms/pdf/readTrueTypeMetrics';
import { fonts } from './pdfTestRegion';

const tablesOf = (font: Uint8Array) => {
  const b = Buffer.from(font.buffer, font.byteOffset, font.byteLength);
  return new Set(Array.from({ length: b.readUInt16BE(4) }, (_, i) => b.toString('latin1', 12 + 16 * i, 16 + 16 * i)));
};

describe('LicenseFonts', () => {
  it('subsets to a TrueType font with the glyphs of the text and without layout tables', () => {
    const subset = fonts.subset('营业执照 Business licence 2026');
    expect([...subset.subarray(0, 4)]).toEqual([0, 1, 0, 0]);
    const tables = tablesOf(subset);
    for (const t of ['cmap', 'glyf', 'loca', 'hmtx', 'head', 'hhea']) expect(tables).toContain(t);
    for (const t of ['GSUB', 'GPOS', 'GDEF', 'vmtx', 'vhea', 'BASE']) expect(tables).not.toContain(t);
    const font = fontkit.create(Buffer.from(subset));
    for (const ch of '营业执照Bs2') expect(font.glyphForCodePoint(ch.codePointAt(0)!).id).toBeGreaterThan(0);
    expect(font.glyphForCodePoint('证'.codePointAt(0)!).id).toBe(0);
    // .notdef, 4 + 12 distinct characters (space included) and nothing else: no layout closure.
    expect(font.numGlyphs).toBe(1 + 4 + new Set('Business licence 2026').size);
  });

  it('gives the same bytes for the same text, and does not leak HarfBuzz memory over 2,000 subsets', () => {
    const text = '中华人民共和国居民身份证 0123456789';
    expect(Buffer.from(fonts.subset(text)).equals(Buffer.from(fonts.subset(text)))).toBe(true);
    for (let i = 0; i < 50; i++) fonts.subset(text + String.fromCodePoint(0x4e00 + i * 97));
    const before = fonts.heapBytes;
    for (let i = 0; i < 2000; i++) fonts.subset(text + String.fromCodePoint(0x4e00 + ((i * 97) % 20000), 0x5000 + ((i * 31) % 9000)));
    expect(fonts.heapBytes).toBe(before);
  });

  it('refuses a font that is not TrueType or that HarfBuzz cannot read', () => {
    expect(() => LicenseFonts.fromBytes(new Uint8Array([0x4f, 0x54, 0x54, 0x4f, ...new Array(60).fill(0)]))).toThrow(expect.objectContaining({ code: 'FONT_INVALID' }));
    expect(() => LicenseFonts.fromBytes(new Uint8Array([0, 1, 0, 0, ...new Array(60).fill(0)]))).toThrow(expect.objectContaining({ code: 'FONT_INVALID' }));
  });
});

describe('readTrueTypeMetrics', () => {
  it('reads what fontkit reads from subsets: glyph ids, advances, bbox, vertical metrics, PostScript name', () => {
    const texts = [
      '营业执照 统一社会信用代码 91350100M000100Y43',
      '结婚证 持证人 张三 李四 登记日期 2026年11月26日，（）：、—',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 .,;:-/',
      // Not in the font: U+20000 (CJK extension B) and U+E000 (private use) fall back to .notdef.
      '龘齉\u{20000}\uE000x',
    ];
    for (const text of texts) {
      const subset = fonts.subset(text);
      const ours = readTrueTypeMetrics(subset);
      const theirs = fontkit.create(Buffer.from(subset));
      expect(ours.unitsPerEm).toBe(theirs.unitsPerEm);
      expect(ours.bbox).toEqual([theirs.bbox.minX, theirs.bbox.minY, theirs.bbox.maxX, theirs.bbox.maxY]);
      expect([ours.ascent, ours.descent, ours.capHeight]).toEqual([theirs.ascent, theirs.descent, theirs.capHeight]);
      expect(ours.postscriptName).toBe(theirs.postscriptName);
      for (const ch of text) {
        const g = theirs.glyphForCodePoint(ch.codePointAt(0)!);
        expect({ ch, ...ours.glyph(ch.codePointAt(0)!) }).toEqual({ ch, gid: g.id, advance: g.advanceWidth });
      }
    }
  });

  it('reads the whole 10 MB font the same way (large cmap, long hmtx)', () => {
    const full = new Uint8Array(readFileSync(defaultLicenseFontPath()));
    const ours = readTrueTypeMetrics(full);
    const theirs = fontkit.create(Buffer.from(full));
    for (const cp of [0x20, 0x41, 0x4e00, 0x7f16, 0x9fa5, 0xff0c, 0x3001, 0x20000]) {
      const g = theirs.glyphForCodePoint(cp);
      expect({ cp, ...ours.glyph(cp) }).toEqual({ cp, gid: g.id, advance: g.advanceWidth });
    }
  });

  it('reads format 4 (BMP) cmaps with range offsets the same way as fontkit', () => {
    // The full font's format 12 records are renamed to an unknown platform, so both readers use format 4.
    const full = Buffer.from(readFileSync(defaultLicenseFontPath()));
    const cmap = [...Array(full.readUInt16BE(4)).keys()].map((i) => 12 + 16 * i).find((at) => full.toString('latin1', at, at + 4) === 'cmap')!;
    const cmapAt = full.readUInt32BE(cmap + 8);
    for (let i = 0; i < full.readUInt16BE(cmapAt + 2); i++) {
      const rec = cmapAt + 4 + 8 * i;
      if (full.readUInt16BE(cmapAt + full.readUInt32BE(rec + 4)) !== 4) full.writeUInt16BE(9, rec);
    }
    const ours = readTrueTypeMetrics(full);
    const theirs = fontkit.create(full);
    for (let cp = 0; cp <= 0xffff; cp += 13) {
      expect({ cp, gid: ours.glyph(cp).gid }).toEqual({ cp, gid: theirs.glyphForCodePoint(cp).id });
    }
    expect(ours.glyph(0x20000).gid).toBe(0);
  });

  it('refuses truncated or table-less bytes with FONT_INVALID', () => {
    const subset = fonts.subset('证照');
    for (const bytes of [subset.subarray(0, 8), subset.subarray(0, 200), new Uint8Array([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])]) {
      expect(() => readTrueTypeMetrics(bytes)).toThrow(expect.objectContaining({ code: 'FONT_INVALID' }));
    }
  });
});
