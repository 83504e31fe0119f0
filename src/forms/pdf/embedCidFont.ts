import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { PDFString, type PDFDocument, type PDFRef } from 'pdf-lib';
import { readTrueTypeMetrics } from './readTrueTypeMetrics';

/** A TrueType subset embedded as a Type0 / CIDFontType2 font with Identity-H encoding. */
export interface EmbeddedCidFont {
  ref: PDFRef;
  /** Advance width of one character at size 1 (no kerning: none is applied). */
  width(ch: string): number;
  /** The glyph ids of `text` as a hex string for Tj. */
  encode(text: string): string;
}

/**
 * Embeds an already-subset TrueType font (subset: false in pdf-lib terms) and
 * maps characters to glyphs once, from the font's cmap. Writing the font
 * dictionaries here rather than through pdf-lib's embedder skips fontkit's
 * shaping engine on every string (the costliest part of the page otherwise)
 * and compresses with the native zlib; the metrics are read from the subset's
 * tables directly (readTrueTypeMetrics), without parsing the font as a whole.
 */
export function embedCidFont(doc: PDFDocument, subset: Uint8Array, characters: string): EmbeddedCidFont {
  const font = readTrueTypeMetrics(subset);
  const scale = 1000 / font.unitsPerEm;
  const glyphs = new Map<string, { gid: number; width: number }>();
  for (const ch of new Set(characters)) {
    const g = font.glyph(ch.codePointAt(0)!);
    glyphs.set(ch, { gid: g.gid, width: g.advance / font.unitsPerEm });
  }
  const notdef = { gid: 0, width: 0.5 };

  const ctx = doc.context;
  // A subset's name is tagged with six capitals (ISO 32000-1, 9.6.4); derived from the content for reproducible output.
  const tag = [...createHash('sha256').update(subset).digest().subarray(0, 6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
  const baseFont = `${tag}+${(font.postscriptName ?? 'NotoSansSC-Regular').replace(/[^A-Za-z0-9-]/g, '')}`;
  const fontFile = ctx.register(ctx.stream(deflateSync(subset), { Filter: 'FlateDecode', Length1: subset.byteLength }));
  const descriptor = ctx.register(
    ctx.obj({
      Type: 'FontDescriptor',
      FontName: baseFont,
      Flags: 4, // symbolic: glyphs are addressed by id, not by a standard encoding
      FontBBox: font.bbox.map((v) => Math.round(v * scale)),
      ItalicAngle: 0,
      Ascent: Math.round(font.ascent * scale),
      Descent: Math.round(font.descent * scale),
      CapHeight: Math.round((font.capHeight || font.ascent) * scale),
      StemV: 80,
      FontFile2: fontFile,
    }),
  );
  const byGid = [...new Map([...glyphs.entries()].map(([ch, g]) => [g.gid, { ch, width: g.width }])).entries()].sort((a, b) => a[0] - b[0]);
  const widths: (number | number[])[] = [];
  for (const [gid, g] of byGid) widths.push(gid, [Math.round(g.width * 1000)]);
  const cidFont = ctx.register(
    ctx.obj({
      Type: 'Font',
      Subtype: 'CIDFontType2',
      BaseFont: baseFont,
      CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
      FontDescriptor: descriptor,
      CIDToGIDMap: 'Identity',
      DW: 1000,
      W: widths,
    }),
  );
  const toUnicode = ctx.register(ctx.stream(deflateSync(toUnicodeCmap(byGid.map(([gid, g]) => [gid, g.ch]))), { Filter: 'FlateDecode' }));
  const ref = ctx.register(
    ctx.obj({ Type: 'Font', Subtype: 'Type0', BaseFont: baseFont, Encoding: 'Identity-H', DescendantFonts: [cidFont], ToUnicode: toUnicode }),
  );
  return {
    ref,
    width: (ch) => (glyphs.get(ch) ?? notdef).width,
    encode: (text) => {
      let hex = '';
      for (const ch of text) hex += (glyphs.get(ch) ?? notdef).gid.toString(16).padStart(4, '0');
      return hex;
    },
  };
}

/** ToUnicode CMap so text can be searched and copied (pdftotext reads it). */
function toUnicodeCmap(entries: [number, string][]): Buffer {
  const hex4 = (n: number) => n.toString(16).padStart(4, '0');
  const utf16 = (s: string) => Buffer.from(s, 'utf16le').swap16().toString('hex');
  const lines = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <ffff>',
    'endcodespacerange',
  ];
  for (let i = 0; i < entries.length; i += 100) {
    const block = entries.slice(i, i + 100);
    lines.push(`${block.length} beginbfchar`, ...block.map(([gid, ch]) => `<${hex4(gid)}> <${utf16(ch)}>`), 'endbfchar');
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end');
  return Buffer.from(lines.join('\n'), 'latin1');
}
