import type { Label } from '../../standards/generated/TypeStandard';
import { drawLicenseFace110 } from './drawLicenseFace110';
import { drawQrCode } from './drawQrCode';
import type { FaceAssets, FacePhoto } from './FaceAssets';
import type { FaceSection, LicenseFace } from './licenseFace';
import type { PageCanvas, Rgb } from './PageCanvas';
import { ACCENT, fitSize, GAP, INK, LABEL, LABEL_EN, measure, PAD, PAGE_TEXTS } from './pageStyle';
import { wrapText, type CharWidth } from './wrapText';

/** A4 in points. */
export const A4: readonly [number, number] = [595.28, 841.89];


const SIDE = 150; // right-hand column: QR and seal

export type { FaceAssets, FacePhoto };

/** The box a photo is fitted into, points: about a one-inch ID photo (26 × 32 mm) enlarged. */
const PHOTO_BOX: readonly [number, number] = [96, 128];
const PHOTO_FRAME: Rgb = [0.55, 0.55, 0.58];

/**
 * Lays the face out on one A4 page: title band, the type's sections in one or
 * two columns (zh label, en subtitle, value), a right-hand column with the QR
 * and the department seal, and a footer with the identifier. Text shrinks in
 * steps until the sections fit. Returns the QR version drawn.
 *
 * With a photo: at the top of the right-hand column above a smaller QR
 * (arrangement.photo top-right or side), or in a column of its own left of the
 * sections (top-left). Sections styled `table` print as a ruled table (label
 * beside value, one field a row), `text` as the values alone.
 */
export function drawLicenseFace(canvas: PageCanvas, face: LicenseFace, assets: FaceAssets): number {
  // 1.1.0 layouts have their own arrangement; the 1.0.0 page below stays exactly as published.
  if (face.layout110) return drawLicenseFace110(canvas, face, assets);
  const { width: W, height: H } = canvas;
  const charWidth: CharWidth = (ch) => canvas.font.width(ch);
  const text = (s: string, x: number, y: number, size: number, color = INK) => canvas.text(s, x, y, size, color);
  const centred = (s: string, y: number, size: number, color = INK) => text(s, (W - canvas.measure(s, size)) / 2, y, size, color);

  // Frame
  canvas.strokeRect(22, 22, W - 44, H - 44, 1.6, ACCENT);
  canvas.strokeRect(27, 27, W - 54, H - 54, 0.5, ACCENT);

  // Title band
  const titleSize = fitSize(charWidth, face.title.zh, 22, W - 2 * PAD);
  centred(face.title.zh, H - PAD - titleSize, titleSize, ACCENT);
  const enSize = fitSize(charWidth, face.title.en, 10, W - 2 * PAD);
  centred(face.title.en, H - PAD - titleSize - 16, enSize, LABEL);
  const bodyTop = H - PAD - titleSize - 30;
  canvas.line(PAD, bodyTop, W - PAD, bodyTop, 0.8, ACCENT);

  // Footer
  const footerTop = PAD + 30;
  const footerWidth = W - 2 * PAD;
  const idLine = PAGE_TEXTS.identifierLabel + face.identifier;
  text(idLine, PAD, PAD + 18, fitSize(charWidth, idLine, 7.5, footerWidth), LABEL);
  text(PAGE_TEXTS.footer, PAD, PAD + 8, fitSize(charWidth, PAGE_TEXTS.footer, 6.5, footerWidth), LABEL_EN);
  text(PAGE_TEXTS.footerEn, PAD, PAD, fitSize(charWidth, PAGE_TEXTS.footerEn, 6, footerWidth), LABEL_EN);

  // Right-hand column: QR at the top (below the photo when it goes there), seal at the bottom (over the issuer, as on paper).
  const sideX = W - PAD - SIDE;
  const photoLeft = assets.photo !== undefined && face.arrangement?.photo === 'top-left';
  let sideTop = bodyTop - 12;
  if (assets.photo && !photoLeft) sideTop = drawPhoto(assets.photo, sideX + SIDE / 2, sideTop) - 10;
  const qrSize = assets.photo && !photoLeft ? SIDE - 40 : SIDE - 16;
  const qrY = sideTop - qrSize;
  const version = drawQrCode(canvas, assets.qrText, { x: sideX + (SIDE - qrSize) / 2, y: qrY, size: qrSize });
  centred2(PAGE_TEXTS.scan, sideX + SIDE / 2, qrY - 12, 8.5, LABEL);
  centred2(PAGE_TEXTS.scanEn, sideX + SIDE / 2, qrY - 21, 6.5, LABEL_EN);
  if (assets.seal) {
    const sealSize = 112;
    canvas.inkImage(assets.seal, sideX + (SIDE - sealSize) / 2, footerTop + 6, sealSize, sealSize);
  }

  // Sections, shrinking until they fit between the title band and the footer.
  let bodyLeft = PAD;
  if (assets.photo && photoLeft) {
    drawPhoto(assets.photo, PAD + PHOTO_BOX[0] / 2, bodyTop - 12);
    bodyLeft = PAD + PHOTO_BOX[0] + GAP;
  }
  const bodyWidth = sideX - GAP - bodyLeft;
  const available = bodyTop - 12 - footerTop;
  let scale = 1;
  while (scale > 0.55 && sectionsHeight(face.sections, charWidth, bodyWidth, scale) > available) scale -= 0.05;
  let y = bodyTop - 12;
  for (const section of face.sections) y = drawSection(section, bodyLeft, y, bodyWidth, scale) - 8 * scale;
  return version;

  function centred2(s: string, cx: number, y: number, size: number, color = INK) {
    text(s, cx - canvas.measure(s, size) / 2, y, size, color);
  }

  /** The photo fitted into PHOTO_BOX, centred on cx below `top`, framed; returns its bottom. */
  function drawPhoto(photo: FacePhoto, cx: number, top: number): number {
    const scale = Math.min(PHOTO_BOX[0] / photo.width, PHOTO_BOX[1] / photo.height);
    const w = photo.width * scale;
    const h = photo.height * scale;
    canvas.image(photo.ref, cx - w / 2, top - h, w, h);
    canvas.strokeRect(cx - w / 2, top - h, w, h, 0.5, PHOTO_FRAME);
    return top - h;
  }

  function drawSection(section: FaceSection, x: number, top: number, width: number, s: number): number {
    let y = top;
    if (section.heading) {
      y -= 11 * s;
      drawLabel(section.heading, x, y, 10 * s, ACCENT);
      y -= 5 * s;
      canvas.line(x, y, x + width, y, 0.4, ACCENT);
    }
    if (section.style === 'table') return drawTable(section, x, y, width, s);
    if (section.style === 'text') {
      for (const f of section.fields) {
        for (const line of wrapText(f.value, charWidth, 10.5 * s, width)) {
          y -= 14 * s;
          text(line, x, y, 10.5 * s);
        }
        y -= 6 * s;
      }
      return y;
    }
    for (const row of rows(section, width, charWidth, s)) {
      let rowBottom = y;
      row.cells.forEach((cell, i) => {
        let cy = y - 9 * s;
        const cx = x + i * (row.cellWidth + GAP);
        drawLabel(cell.label, cx, cy, 8 * s, LABEL);
        for (const line of cell.lines) {
          cy -= 14 * s;
          text(line, cx, cy, 10.5 * s);
        }
        rowBottom = Math.min(rowBottom, cy - 6 * s);
      });
      y = rowBottom;
    }
    return y;
  }

  /** A ruled table: zh label (en below) in the left column, the value beside it, one field a row. */
  function drawTable(section: FaceSection, x: number, top: number, width: number, s: number): number {
    const y0 = top - 4 * s;
    let y = y0;
    const labelWidth = tableLabelWidth(width);
    for (const row of tableRows(section, width, charWidth, s)) {
      const bottom = y - row.height;
      text(row.label.zh, x + 4 * s, y - 12 * s, 8.5 * s, LABEL);
      text(row.label.en, x + 4 * s, y - 21 * s, 6.5 * s, LABEL_EN);
      let cy = y - 3 * s;
      for (const line of row.lines) {
        cy -= 13 * s;
        text(line, x + labelWidth + 6 * s, cy, 10.5 * s);
      }
      canvas.line(x, bottom, x + width, bottom, 0.4, LABEL);
      y = bottom;
    }
    canvas.strokeRect(x, y, width, y0 - y, 0.8, LABEL);
    canvas.line(x + labelWidth, y, x + labelWidth, y0, 0.4, LABEL);
    return y - 4 * s;
  }

  function drawLabel(label: Label, x: number, y: number, size: number, color: Rgb) {
    text(label.zh, x, y, size, color);
    text(label.en, x + canvas.measure(label.zh, size) + 4, y, size * 0.78, LABEL_EN);
  }
}

interface Row {
  cellWidth: number;
  cells: { label: Label; lines: string[] }[];
}

function rows(section: FaceSection, width: number, charWidth: CharWidth, s: number): Row[] {
  const cellWidth = section.columns === 2 ? (width - GAP) / 2 : width;
  const out: Row[] = [];
  for (let i = 0; i < section.fields.length; i += section.columns) {
    const cells = section.fields.slice(i, i + section.columns).map((f) => ({ label: f.label, lines: wrapText(f.value, charWidth, 10.5 * s, cellWidth) }));
    out.push({ cellWidth, cells });
  }
  return out;
}

const tableLabelWidth = (width: number) => Math.min(130, width * 0.26);

interface TableRow {
  label: Label;
  lines: string[];
  height: number;
}

function tableRows(section: FaceSection, width: number, charWidth: CharWidth, s: number): TableRow[] {
  const valueWidth = width - tableLabelWidth(width) - 12 * s;
  return section.fields.map((f) => {
    const lines = wrapText(f.value, charWidth, 10.5 * s, valueWidth);
    return { label: f.label, lines, height: Math.max(28 * s, 13 * s * lines.length + 9 * s) };
  });
}

function sectionsHeight(sections: FaceSection[], charWidth: CharWidth, width: number, s: number): number {
  let h = 0;
  for (const section of sections) {
    if (section.heading) h += 16 * s;
    if (section.style === 'table') h += 8 * s + tableRows(section, width, charWidth, s).reduce((sum, r) => sum + r.height, 0);
    else if (section.style === 'text') for (const f of section.fields) h += 14 * s * wrapText(f.value, charWidth, 10.5 * s, width).length + 6 * s;
    else for (const row of rows(section, width, charWidth, s)) h += 9 * s + 6 * s + 14 * s * Math.max(...row.cells.map((c) => c.lines.length));
    h += 8 * s;
  }
  return h;
}

