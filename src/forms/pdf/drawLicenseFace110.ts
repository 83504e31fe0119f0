import type { Label } from '../../standards/generated/TypeStandard';
import { drawQrSymbol, qrSideModules, qrSymbolOf } from './drawQrCode';
import type { FaceAssets, FacePhoto } from './FaceAssets';
import type { FaceField, FaceSection, LicenseFace } from './licenseFace';
import type { PageCanvas, Rgb } from './PageCanvas';
import { ACCENT, fitSize, GAP, INK, LABEL, LABEL_EN, measure, PAD, PAGE_TEXTS } from './pageStyle';
import { wrapText, type CharWidth } from './wrapText';

const PHOTO_FRAME: Rgb = [0.55, 0.55, 0.58];

/**
 * Points per QR module: 3.5 pixels at 150 dpi (zbarimg reads every demo licence from `pdftoppm -r 150`;
 * at 1.3 pt, today's 1.0.0 size, it did not). A version-17 symbol (93 modules with its quiet zone) is 156 pt.
 */
export const QR_MODULE_POINTS = 1.68;
const QR_MIN = 110;
const QR_MAX = 190;
const CAPTION = 24; // "扫码核验 / Scan to verify" under the QR
/** The box a photo is fitted into, points: about a one-inch ID photo (26 × 32 mm) enlarged. */
const PHOTO_BOX: readonly [number, number] = [96, 128];
const SEAL = 104;
const BODY = 10.5; // value size at scale 1

/** A rectangle the sections flow around (QR, photo): x0 < x1, bottom < top. */
interface Box {
  x0: number;
  x1: number;
  bottom: number;
  top: number;
}

/** Where a printed field ended up, for the seal. */
interface Placed {
  path: string;
  x: number;
  top: number;
  bottom: number;
  textWidth: number;
}

/**
 * Lays a 1.1.0 face out on one A4 page as its `arrangement` says: the QR in its corner (top-right beside
 * the title, as on the business licence, or bottom-left/right above the footer; `side`: a right-hand
 * column), sized by its modules so it reads at 150 dpi; the photo in its corner; the sections flowing
 * around both (a row beside the QR is narrower; a ruled table starts below a top QR); the seal over the
 * field named by `sealOver` (the issuing authority and date, as on paper); the identifier in the footer
 * only when no section prints it. Text shrinks in steps until the sections fit. Returns the QR version.
 */
export function drawLicenseFace110(canvas: PageCanvas, face: LicenseFace, assets: FaceAssets): number {
  const { width: W, height: H } = canvas;
  const charWidth: CharWidth = (ch) => canvas.font.width(ch);
  const wrap = (s: string, size: number, width: number) => wrapText(s, charWidth, size, width, { kinsoku: true });
  const text = (s: string, x: number, y: number, size: number, color = INK) => canvas.text(s, x, y, size, color);
  const arrangement = face.arrangement ?? {};
  const qrAt = arrangement.qr ?? 'side';

  canvas.strokeRect(22, 22, W - 44, H - 44, 1.6, ACCENT);
  canvas.strokeRect(27, 27, W - 54, H - 54, 0.5, ACCENT);

  // QR: sized by its modules.
  const qr = qrSymbolOf(assets.qrText);
  const qrSize = Math.min(QR_MAX, Math.max(QR_MIN, qrSideModules(qr) * QR_MODULE_POINTS));
  const qrTop = qrAt.startsWith('top') ? H - PAD : undefined;
  const qrRight = qrAt !== 'top-left' && qrAt !== 'bottom-left';

  // Title band: centred on the page, or, when a QR in a top corner leaves too little room for that, in the room beside it.
  const chars = [...face.title.zh].length;
  const spacingEm = chars <= 6 ? 0.12 : chars <= 10 ? 0.06 : 0;
  const qrTaken = qrTop !== undefined ? qrSize + GAP : 0;
  const pageCentred = fitSpaced(charWidth, face.title.zh, 24, W - 2 * PAD - 2 * qrTaken, spacingEm) >= 22;
  const titleLeft = pageCentred || qrRight ? PAD : PAD + qrTaken;
  const titleRoom = W - 2 * PAD - (pageCentred ? 2 : 1) * qrTaken;
  const titleCentre = pageCentred ? W / 2 : titleLeft + titleRoom / 2;
  const titleSize = fitSpaced(charWidth, face.title.zh, 24, titleRoom, spacingEm);
  const titleWidth = canvas.measure(face.title.zh, titleSize) + spacingEm * titleSize * (chars - 1);
  canvas.heavyText(face.title.zh, titleCentre - titleWidth / 2, H - PAD - titleSize, titleSize, ACCENT, spacingEm * titleSize, titleSize * 0.03);
  const enSize = fitSize(charWidth, face.title.en, 10, titleRoom);
  text(face.title.en, titleCentre - canvas.measure(face.title.en, enSize) / 2, H - PAD - titleSize - 16, enSize, LABEL);
  const bodyTop = H - PAD - titleSize - 30;

  // Footer: the signed-licence note, and the identifier when no section prints it.
  const identifierPrinted = face.sections.some((s) => s.fields.some((f) => f.path === 'certificateIdentifier'));
  const footerWidth = W - 2 * PAD;
  if (!identifierPrinted) {
    const idLine = PAGE_TEXTS.identifierLabel + face.identifier;
    text(idLine, PAD, PAD + 18, fitSize(charWidth, idLine, 7.5, footerWidth), LABEL);
  }
  text(PAGE_TEXTS.footer, PAD, PAD + 8, fitSize(charWidth, PAGE_TEXTS.footer, 6.5, footerWidth), LABEL_EN);
  text(PAGE_TEXTS.footerEn, PAD, PAD, fitSize(charWidth, PAGE_TEXTS.footerEn, 6, footerWidth), LABEL_EN);
  const footerTop = PAD + (identifierPrinted ? 20 : 30);

  // Boxes the sections flow around: the QR (with its caption) and the photo.
  const boxes: Box[] = [];
  const photoAt = arrangement.photo ?? 'top-right';
  const photoLeft = photoAt === 'top-left';
  const sidePhoto = assets.photo !== undefined && qrAt === 'side' && !photoLeft;
  const qrX = qrRight ? W - PAD - qrSize : PAD;
  const qrY =
    qrTop !== undefined ? qrTop - qrSize
    : qrAt === 'side' ? bodyTop - 12 - qrSize - (sidePhoto ? PHOTO_BOX[1] + 10 : 0)
    : footerTop + CAPTION + 4;
  const qrBox: Box = { x0: qrX, x1: qrX + qrSize, bottom: qrAt === 'side' ? footerTop : qrY - CAPTION, top: qrY + qrSize };
  boxes.push(qrBox);
  const version = drawQrSymbol(canvas, qr, { x: qrX, y: qrY, size: qrSize });
  centred(PAGE_TEXTS.scan, qrX + qrSize / 2, qrY - 10, 8.5, LABEL);
  centred(PAGE_TEXTS.scanEn, qrX + qrSize / 2, qrY - 19, 6.5, LABEL_EN);
  // The rule under the title stops short of a QR in a top corner.
  const ruleFrom = qrTop !== undefined && !qrRight ? qrBox.x1 + GAP : PAD;
  const ruleTo = qrTop !== undefined && qrRight ? qrBox.x0 - GAP : W - PAD;
  canvas.line(ruleFrom, bodyTop, ruleTo, bodyTop, 0.8, ACCENT);

  if (assets.photo) {
    // In its corner of the body; below a QR that holds that corner; at the top of a side column.
    const underQr = qrTop !== undefined && qrRight !== photoLeft;
    const top = underQr ? qrBox.bottom - 8 : bodyTop - 12;
    const x = photoLeft ? PAD : sidePhoto ? qrX + (qrSize - PHOTO_BOX[0]) / 2 : W - PAD - PHOTO_BOX[0];
    boxes.push(drawPhoto(assets.photo, x, top));
  }

  // Sections, shrinking until they fit between the title band and the footer.
  const body = { left: PAD, right: W - PAD, top: bodyTop - 12, bottom: footerTop + 4 };
  let scale = 1;
  while (scale > 0.55 && place(scale, false).bottom < body.bottom) scale -= 0.05;
  // The issuer's section at the foot of the page when there is room (it may narrow there, beside a bottom QR).
  let drop = Math.max(0, place(scale, false).bottom - body.bottom);
  for (let tries = 0; tries < 4 && drop > 0; tries++) {
    const over = body.bottom - place(scale, false, drop).bottom;
    if (over <= 0) break;
    drop = Math.max(0, drop - over);
  }
  const placed = place(scale, true, drop).placed;

  if (assets.seal) {
    const target = pickSealTarget(placed, arrangement.sealOver);
    if (target) {
      let cy = target.bottom + (target.top - target.bottom) * 0.45;
      let cx = target.x + Math.min(Math.max(target.textWidth, SEAL * 0.6), SEAL * 2) / 2;
      for (const b of boxes) {
        const overlapsY = cy - SEAL / 2 < b.top && cy + SEAL / 2 > b.bottom;
        if (overlapsY && cx + SEAL / 2 > b.x0 && cx < b.x0) cx = b.x0 - 4 - SEAL / 2;
        if (overlapsY && cx - SEAL / 2 < b.x1 && cx > b.x1) cx = b.x1 + 4 + SEAL / 2;
      }
      // Inside the page's frame: a short authority name would put half the seal over the border.
      cx = Math.min(Math.max(cx, body.left + SEAL / 2 - 6), body.right - SEAL / 2);
      // Not over the licence identifier printed below the authority (it must stay readable): lift the seal above it.
      for (const f of placed) {
        if (f.path !== 'certificateIdentifier' || f === target) continue;
        if (cy - SEAL / 2 < f.top && cy + SEAL / 2 > f.bottom && cx - SEAL / 2 < f.x + f.textWidth && cx + SEAL / 2 > f.x) cy = f.top + 2 + SEAL / 2;
      }
      // Never over the photo or the QR: below it when it still overlaps.
      for (const b of boxes) {
        if (cy - SEAL / 2 < b.top && cy + SEAL / 2 > b.bottom && cx - SEAL / 2 < b.x1 && cx + SEAL / 2 > b.x0) cy = Math.min(cy, b.bottom - 2 - SEAL / 2);
      }
      canvas.inkImage(assets.seal, cx - SEAL / 2, cy - SEAL / 2, SEAL, SEAL);
    }
  }
  return version;

  function centred(s: string, cx: number, y: number, size: number, color = INK) {
    text(s, cx - canvas.measure(s, size) / 2, y, size, color);
  }

  /** The photo fitted into PHOTO_BOX with its top-left at (x, top), framed; returns the box it takes. */
  function drawPhoto(photo: FacePhoto, x: number, top: number): Box {
    const k = Math.min(PHOTO_BOX[0] / photo.width, PHOTO_BOX[1] / photo.height);
    const w = photo.width * k;
    const h = photo.height * k;
    const px = x + (PHOTO_BOX[0] - w) / 2;
    canvas.image(photo.ref, px, top - h, w, h);
    canvas.strokeRect(px, top - h, w, h, 0.5, PHOTO_FRAME);
    return { x0: x, x1: x + PHOTO_BOX[0], bottom: top - h, top };
  }

  /** The horizontal room for something spanning [bottom, top]: the body minus the boxes beside it. */
  function room(bottom: number, top: number): { left: number; right: number } {
    let left = body.left;
    let right = body.right;
    for (const b of boxes) {
      if (bottom >= b.top || top <= b.bottom) continue;
      if (b.x0 - body.left > body.right - b.x1) right = Math.min(right, b.x0 - GAP);
      else left = Math.max(left, b.x1 + GAP);
    }
    return { left, right };
  }

  /**
   * Places every section at scale s (drawing when `draw`); returns the lowest y reached and the placed
   * fields. `drop` moves the last section (the issuer's, with the seal) down by that much, to the foot
   * of the page as on paper.
   */
  function place(s: number, draw: boolean, drop = 0): { bottom: number; placed: Placed[] } {
    const placed: Placed[] = [];
    let y = body.top;
    face.sections.forEach((section, i) => {
      if (i === face.sections.length - 1 && i > 0) y -= drop;
      if (section.heading) {
        const r = room(y - 16 * s, y);
        if (draw) {
          drawLabel(section.heading, r.left, y - 11 * s, 10 * s, ACCENT);
          canvas.line(r.left, y - 16 * s, r.right, y - 16 * s, 0.4, ACCENT);
        }
        y -= 16 * s;
      }
      if (section.style === 'table') y = placeTable(section, y, s, draw, placed);
      else y = placeRows(section, y, s, draw, placed);
      y -= 8 * s;
    });
    return { bottom: y, placed };
  }

  /**
   * Fields (label above value) or running text (`text`: values alone), one or two columns a row; a short
   * last row's field takes the whole width (a long identifier on one line). A section that would run
   * beside a box is laid out, whole, in the room left beside it, so its columns stay aligned.
   */
  function placeRows(section: FaceSection, top: number, s: number, draw: boolean, placed: Placed[]): number {
    const labelled = section.style !== 'text';
    let r = { left: body.left, right: body.right };
    let rows = layRows(section, r, s, labelled);
    let height = rows.reduce((h, row) => h + row.height, 0);
    const beside = room(top - height, top);
    if (beside.left !== r.left || beside.right !== r.right) {
      r = beside;
      rows = layRows(section, r, s, labelled);
      height = rows.reduce((h, row) => h + row.height, 0);
    }
    let y = top;
    for (const lay of rows) {
      lay.cells.forEach((cell, k) => {
        const cx = r.left + k * (lay.cellWidth + GAP);
        let cy = y - (labelled ? 9 * s : 0);
        if (draw && labelled) drawLabel(cell.field.label, cx, cy, 8 * s, LABEL);
        let widest = 0;
        for (const line of cell.lines) {
          cy -= 14 * s;
          if (draw) text(line, cx, cy, BODY * s);
          widest = Math.max(widest, canvas.measure(line, BODY * s));
        }
        placed.push({ path: cell.field.path, x: cx, top: y, bottom: y - lay.height, textWidth: widest });
      });
      y -= lay.height;
    }
    return y;
  }

  function layRows(section: FaceSection, r: { left: number; right: number }, s: number, labelled: boolean) {
    const out: ReturnType<typeof layRow>[] = [];
    for (let i = 0; i < section.fields.length; i += section.columns) {
      const cells = section.fields.slice(i, i + section.columns);
      out.push(layRow(cells, cells.length, r, s, labelled));
    }
    return out;
  }

  function layRow(cells: FaceField[], columns: number, r: { left: number; right: number }, s: number, labelled: boolean) {
    const width = r.right - r.left;
    const cw = columns > 1 ? (width - GAP) / 2 : width;
    const laid = cells.map((field) => ({ field, lines: wrap(field.value, BODY * s, cw) }));
    const lines = Math.max(...laid.map((c) => c.lines.length));
    return { cellWidth: cw, cells: laid, height: (labelled ? 9 * s : 0) + 14 * s * lines + 6 * s };
  }

  /** A ruled table (label beside value, one field a row), below any box at its top, as wide as the room beside its whole height. */
  function placeTable(section: FaceSection, top: number, s: number, draw: boolean, placed: Placed[]): number {
    let y0 = top - 4 * s;
    for (const b of boxes) if (y0 <= b.top && y0 > b.bottom && b.top >= body.top - 1) y0 = Math.min(y0, b.bottom - 6);
    let r = { left: body.left, right: body.right };
    let rows = tableRows(section, r.right - r.left, s);
    let height = rows.reduce((h, row) => h + row.height, 0);
    const beside = room(y0 - height, y0);
    if (beside.left !== r.left || beside.right !== r.right) {
      r = beside;
      rows = tableRows(section, r.right - r.left, s);
      height = rows.reduce((h, row) => h + row.height, 0);
    }
    const width = r.right - r.left;
    const labelWidth = tableLabelWidth(width);
    let y = y0;
    for (const row of rows) {
      const bottom = y - row.height;
      let cy = y - 3 * s;
      let widest = 0;
      for (const line of row.lines) {
        cy -= 13 * s;
        if (draw) text(line, r.left + labelWidth + 6 * s, cy, BODY * s);
        widest = Math.max(widest, canvas.measure(line, BODY * s));
      }
      if (draw) {
        text(row.field.label.zh, r.left + 4 * s, y - 12 * s, 8.5 * s, LABEL);
        text(row.field.label.en, r.left + 4 * s, y - 21 * s, 6.5 * s, LABEL_EN);
        canvas.line(r.left, bottom, r.right, bottom, 0.4, LABEL);
      }
      placed.push({ path: row.field.path, x: r.left + labelWidth + 6 * s, top: y, bottom, textWidth: widest });
      y = bottom;
    }
    if (draw) {
      canvas.strokeRect(r.left, y, width, y0 - y, 0.8, LABEL);
      canvas.line(r.left + labelWidth, y, r.left + labelWidth, y0, 0.4, LABEL);
    }
    return y - 4 * s;
  }

  function tableRows(section: FaceSection, width: number, s: number) {
    const valueWidth = width - tableLabelWidth(width) - 12 * s;
    return section.fields.map((field) => {
      const lines = wrap(field.value, BODY * s, valueWidth);
      return { field, lines, height: Math.max(28 * s, 13 * s * lines.length + 9 * s) };
    });
  }

  function drawLabel(label: Label, x: number, y: number, size: number, color: Rgb) {
    text(label.zh, x, y, size, color);
    text(label.en, x + canvas.measure(label.zh, size) + 4, y, size * 0.78, LABEL_EN);
  }
}

/** The field the seal goes over: `sealOver`, else the issuing authority or date, else the last field printed. */
function pickSealTarget(placed: Placed[], sealOver: string | undefined): Placed | undefined {
  for (const path of [sealOver, 'certificateIssuingAuthorityName', 'certificateIssuedDate']) {
    const p = placed.find((f) => f.path === path);
    if (p) return p;
  }
  return placed[placed.length - 1];
}

const tableLabelWidth = (width: number) => Math.min(130, width * 0.26);


/** As fitSize, with `spacingEm` of the size between characters. */
function fitSpaced(width: CharWidth, s: string, size: number, maxWidth: number, spacingEm: number): number {
  const n = [...s].length;
  const w = measure(width, s, size) + spacingEm * size * (n - 1);
  return w <= maxWidth ? size : Math.floor((size * maxWidth * 10) / w) / 10;
}
