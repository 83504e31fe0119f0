import { deflateSync } from 'node:zlib';
import { PDFName, type PDFPage, type PDFRef } from 'pdf-lib';
import type { EmbeddedCidFont } from './embedCidFont';

export type Rgb = readonly [number, number, number];

const n = (v: number) => (Math.round(v * 100) / 100).toString();
/** Scale factors: a hundredth of a point would add up to half a point over a QR's width. */
const fine = (v: number) => (Math.round(v * 10000) / 10000).toString();
const colour = (c: Rgb) => c.map(n).join(' ');

/**
 * The page's content stream, written as PDF operators directly: a licence
 * page is a few hundred operators, and building them as pdf-lib operator
 * objects (then compressing with pako) cost more than the rest of the
 * rendering. `finish` compresses with the native zlib and attaches the stream.
 */
export class PageCanvas {
  private readonly ops: string[] = [];
  private readonly fontKey: string;

  constructor(
    private readonly page: PDFPage,
    readonly font: EmbeddedCidFont,
  ) {
    this.fontKey = page.node.newFontDictionary('F', font.ref).asString();
  }

  get width(): number {
    return this.page.getWidth();
  }
  get height(): number {
    return this.page.getHeight();
  }

  /** Advance width of `s` at `size`. */
  measure(s: string, size: number): number {
    let w = 0;
    for (const ch of s) w += this.font.width(ch);
    return w * size;
  }

  text(s: string, x: number, y: number, size: number, fill: Rgb): void {
    if (s.length === 0) return;
    this.ops.push(`BT ${colour(fill)} rg ${this.fontKey} ${n(size)} Tf ${n(x)} ${n(y)} Td <${this.font.encode(s)}> Tj ET`);
  }

  /**
   * A heading: `spacing` points between characters, and `weight` points of outline in the fill colour
   * (fill-and-stroke rendering), which makes the one regular font print heavier without a bold face.
   */
  heavyText(s: string, x: number, y: number, size: number, fill: Rgb, spacing: number, weight: number): void {
    if (s.length === 0) return;
    this.ops.push(`q BT ${colour(fill)} rg ${colour(fill)} RG ${n(weight)} w 2 Tr ${n(spacing)} Tc ${this.fontKey} ${n(size)} Tf ${n(x)} ${n(y)} Td <${this.font.encode(s)}> Tj ET Q`);
  }

  /**
   * Text in the text layer only (render mode 3: neither filled nor stroked): what a reader's search and
   * text extraction find for something drawn in a way they cannot read back, e.g. a rotated watermark.
   */
  invisibleText(s: string, x: number, y: number, size: number): void {
    if (s.length === 0) return;
    // q … Q: the text rendering mode is graphics state and would otherwise stay invisible for all later text.
    this.ops.push(`q BT 3 Tr ${this.fontKey} ${n(size)} Tf ${n(x)} ${n(y)} Td <${this.font.encode(s)}> Tj ET Q`);
  }

  /** Text rotated by `angle` radians about its start (x, y), painted with the given opacity (a watermark). */
  rotatedText(s: string, x: number, y: number, size: number, angle: number, fill: Rgb, opacity: number): void {
    const ctx = this.page.doc.context;
    const gs = this.page.node.newExtGState('GS', ctx.obj({ Type: 'ExtGState', ca: opacity, CA: opacity })).asString();
    const c = Math.cos(angle);
    const sn = Math.sin(angle);
    this.ops.push(`q ${gs} gs BT ${colour(fill)} rg ${this.fontKey} ${n(size)} Tf ${fine(c)} ${fine(sn)} ${fine(-sn)} ${fine(c)} ${n(x)} ${n(y)} Tm <${this.font.encode(s)}> Tj ET Q`);
  }

  strokeRect(x: number, y: number, w: number, h: number, lineWidth: number, stroke: Rgb): void {
    this.ops.push(`q ${colour(stroke)} RG ${n(lineWidth)} w ${n(x)} ${n(y)} ${n(w)} ${n(h)} re S Q`);
  }

  line(x1: number, y1: number, x2: number, y2: number, lineWidth: number, stroke: Rgb): void {
    this.ops.push(`q ${colour(stroke)} RG ${n(lineWidth)} w ${n(x1)} ${n(y1)} m ${n(x2)} ${n(y2)} l S Q`);
  }

  /** Filled rectangles in one path (QR modules). */
  fillRects(rects: readonly (readonly [number, number, number, number])[], fill: Rgb): void {
    const path = rects.map(([x, y, w, h]) => `${n(x)} ${n(y)} ${n(w)} ${n(h)} re`).join('\n');
    this.ops.push(`q ${colour(fill)} rg\n${path}\nf Q`);
  }

  /**
   * Filled cells of a grid, in grid units: each run is [column, row, length],
   * one cell high, rows counted upwards from the grid's lower-left corner at
   * (x, y), `unit` points a cell. Integers under one transformation keep a
   * QR's thousands of rectangles short to write and to compress.
   */
  fillGrid(runs: readonly (readonly [number, number, number])[], x: number, y: number, unit: number, fill: Rgb): void {
    const path = runs.map(([col, row, length]) => `${col} ${row} ${length} 1 re`).join('\n');
    this.ops.push(`q ${colour(fill)} rg ${fine(unit)} 0 0 ${fine(unit)} ${n(x)} ${n(y)} cm\n${path}\nf Q`);
  }

  /** An image printed like ink: Multiply, so its white leaves what is beneath visible. */
  inkImage(ref: PDFRef, x: number, y: number, w: number, h: number): void {
    const ctx = this.page.doc.context;
    const image = this.page.node.newXObject('Im', ref).asString();
    const gs = this.page.node.newExtGState('GS', ctx.obj({ Type: 'ExtGState', BM: 'Multiply' })).asString();
    this.ops.push(`q ${gs} gs ${n(w)} 0 0 ${n(h)} ${n(x)} ${n(y)} cm ${image} Do Q`);
  }

  /** An image drawn as it is (a photo), scaled into the box at (x, y). */
  image(ref: PDFRef, x: number, y: number, w: number, h: number): void {
    const image = this.page.node.newXObject('Im', ref).asString();
    this.ops.push(`q ${n(w)} 0 0 ${n(h)} ${n(x)} ${n(y)} cm ${image} Do Q`);
  }

  finish(): void {
    const ctx = this.page.doc.context;
    const stream = ctx.stream(deflateSync(Buffer.from(this.ops.join('\n'), 'latin1')), { Filter: 'FlateDecode' });
    this.page.node.set(PDFName.of('Contents'), ctx.register(stream));
  }
}
