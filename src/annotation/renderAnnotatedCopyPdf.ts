import { inflateSync } from 'node:zlib';
import { PDFDocument, PDFRawStream } from 'pdf-lib';
import { create as createQr } from 'qrcode';
import type { Signer } from '../crypto/Signer';
import { ElicenseError } from '../errors';
import { qrSegmentsOf } from '../forms/image/renderQrImage';
import { addSignaturePlaceholder, contentsCapacity } from '../forms/pdf/addSignaturePlaceholder';
import { applyPadesSignature } from '../forms/pdf/applyPadesSignature';
import { A4 } from '../forms/pdf/drawLicenseFace';
import { drawQrSymbol, type QrSymbol } from '../forms/pdf/drawQrCode';
import { embedCidFont } from '../forms/pdf/embedCidFont';
import type { LicenseFonts } from '../forms/pdf/LicenseFonts';
import { PageCanvas, type Rgb } from '../forms/pdf/PageCanvas';
import { ACCENT, fitSize, INK, LABEL, LABEL_EN, PAD } from '../forms/pdf/pageStyle';
import { renderLicensePdf } from '../forms/pdf/renderLicensePdf';
import type { TypeStandard } from '../standards/generated/TypeStandard';
import { ANNOTATED_COPY_ATTACHMENT_NAME, annotationMark, type AnnotatedCopy } from './AnnotatedCopy';
import { encodeAnnotatedCopyQr } from './annotatedCopyQr';
import { embedAnnotatedCopy } from './embedAnnotatedCopy';

export interface RenderAnnotatedCopyPdfOptions {
  /** The type standard of the original licence. */
  standard: TypeStandard;
  /** The region's trust-list signer, the copy's signer: signs the copy's QR and the PDF. */
  signer: Signer;
  /**
   * The text for the licence face's QR slot. The face's own QR is covered on the copy (a scanner must not read the
   * licence off a copy), so any text does; the original's LC1 text keeps the face exactly as on its PDF.
   */
  faceQrText?: string;
  /** The copy's QR text; made with `signer` when absent. */
  qrText?: string;
  /** The issuing department's seal, as on the licence PDF. */
  sealPng?: Uint8Array;
  /** Creation time and the signature's claimed time. */
  at: Date;
  fonts: LicenseFonts;
  /** A licence of a DEMO region: the face carries the DEMO mark. */
  demo?: boolean;
}

/** Fixed texts of the copy's page. */
export const ANNOTATION_PAGE_TEXTS = {
  title: '电子证照加注件',
  titleEn: 'Annotated copy of an electronic licence',
  purpose: '制作事由',
  userDepartment: '用证部门',
  maker: '制作方',
  madeAt: '制作时间',
  notAfter: '有效期至',
  copyId: '加注件编号',
  scan: '扫码核验加注件',
  faceQr: '请扫描下方加注件二维码',
  faceQrEn: "Scan the copy's QR below",
  scanEn: 'Scan to verify this copy',
  footer: `本加注件由制作方以电子证照平台密钥数字签名，签名加注件文件（含原证照）见附件 ${ANNOTATED_COPY_ATTACHMENT_NAME}`,
  footerEn: `Digitally signed by the maker with the e-licence platform key; the signed copy, with the original licence, is embedded as ${ANNOTATED_COPY_ATTACHMENT_NAME}.`,
  beijing: '（北京时间）',
} as const;

const MARK: Rgb = [0.75, 0.08, 0.1];
const DIGITS = '0123456789-: 年月日';

/**
 * Where the licence face put its QR (its white ground: drawQrSymbol's one filled white square, the only white
 * fill a face draws), in the face page's points; undefined when it cannot be found.
 */
async function faceQrBox(face: Uint8Array): Promise<{ x: number; y: number; size: number } | undefined> {
  const doc = await PDFDocument.load(face, { updateMetadata: false });
  const contents = doc.getPage(0).node.Contents();
  if (!(contents instanceof PDFRawStream)) return undefined;
  const text = inflateSync(contents.contents).toString('latin1');
  const m = /q 1 1 1 rg\n(-?[\d.]+) (-?[\d.]+) ([\d.]+) ([\d.]+) re\nf Q/.exec(text);
  return m ? { x: Number(m[1]), y: Number(m[2]), size: Number(m[3]) } : undefined;
}

/** An instant as the page prints it: Beijing time (UTC+8), to the minute. */
export function beijingTime(iso: string): string {
  const d = new Date(Date.parse(iso) + 8 * 3600 * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${p(d.getUTCMonth() + 1)}月${p(d.getUTCDate())}日 ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

/** The copy's QR symbol: level M when it stays at version 30 or below, else L (the text carries the signer's certificate). */
function copyQrSymbol(text: string): QrSymbol {
  const m = createQr(qrSegmentsOf(text), { errorCorrectionLevel: 'M' });
  return m.version <= 30 ? m : createQr(qrSegmentsOf(text), { errorCorrectionLevel: 'L' });
}

/**
 * The PDF of an annotated copy (docs/adr/0012): one A4 page with the original
 * licence face as its own PDF draws it (renderLicensePdf, scaled into the
 * upper part), the visible mark 仅供<用证部门><制作事由>使用，他用无效 across the
 * face and again in the annotation box (real text: pdftotext finds it), the
 * box with 制作事由, 用证部门, 制作方, 制作时间, 有效期至 and the copy id, the
 * copy's own QR (EAC1:), the signed copy embedded as annotated-copy.elac.json,
 * and a PAdES signature by the copy's signer (the region's trust-list key).
 */
export async function renderAnnotatedCopyPdf(copy: AnnotatedCopy, opts: RenderAnnotatedCopyPdfOptions): Promise<Uint8Array> {
  const a = copy.annotatedCopy;
  if (copy.original.license['certificateTypeCode'] !== opts.standard.typeCode) throw new ElicenseError('TYPE_UNKNOWN', 'the licence is not of the given type standard');
  const qrText = opts.qrText ?? (await encodeAnnotatedCopyQr(copy, opts.signer));
  const face = await renderLicensePdf(copy.original, {
    standard: opts.standard,
    qrText: opts.faceQrText ?? `EAC1:${a.copyId}`,
    ...(opts.sealPng ? { sealPng: opts.sealPng } : {}),
    at: opts.at,
    fonts: opts.fonts,
    ...(opts.demo ? { demo: true } : {}),
  });
  const mark = annotationMark(a);
  const rows: [string, string][] = [
    [ANNOTATION_PAGE_TEXTS.purpose, a.purpose],
    [ANNOTATION_PAGE_TEXTS.userDepartment, `${a.userDepartment.name}（${a.userDepartment.code}）`],
    [ANNOTATION_PAGE_TEXTS.maker, `${a.maker.name}（${a.maker.code}）`],
    [ANNOTATION_PAGE_TEXTS.madeAt, beijingTime(a.madeAt) + ANNOTATION_PAGE_TEXTS.beijing],
    [ANNOTATION_PAGE_TEXTS.notAfter, beijingTime(a.notAfter) + ANNOTATION_PAGE_TEXTS.beijing],
    [ANNOTATION_PAGE_TEXTS.copyId, a.copyId],
  ];
  const characters = [...new Set([...Object.values(ANNOTATION_PAGE_TEXTS), mark, DIGITS, ...rows.flat(), a.original.identifier, '：'].join(''))].join('');

  const doc = await PDFDocument.create({ updateMetadata: false });
  const [W, H] = A4;
  const page = doc.addPage([W, H]);
  const canvas = new PageCanvas(page, embedCidFont(doc, opts.fonts.subset(characters), characters));
  const width = (ch: string) => canvas.font.width(ch);
  const [embedded] = await doc.embedPdf(face, [0]);
  if (!embedded) throw new ElicenseError('PDF_RENDER_FAILED', 'the licence face could not be embedded');

  // Title
  canvas.strokeRect(22, 22, W - 44, H - 44, 1.6, ACCENT);
  const titleSize = 18;
  canvas.text(ANNOTATION_PAGE_TEXTS.title, (W - canvas.measure(ANNOTATION_PAGE_TEXTS.title, titleSize)) / 2, H - PAD - titleSize + 8, titleSize, ACCENT);
  canvas.text(ANNOTATION_PAGE_TEXTS.titleEn, (W - canvas.measure(ANNOTATION_PAGE_TEXTS.titleEn, 8.5)) / 2, H - PAD - titleSize - 6, 8.5, LABEL);

  // The annotation box at the foot: fields left, the copy's QR right.
  const boxBottom = PAD + 24;
  const qr = copyQrSymbol(qrText);
  const qrSize = 236;
  const boxHeight = qrSize + 36;
  const boxTop = boxBottom + boxHeight;
  canvas.strokeRect(PAD, boxBottom, W - 2 * PAD, boxHeight, 1.2, MARK);
  const qrX = W - PAD - qrSize - 6;
  drawQrSymbol(canvas, qr, { x: qrX, y: boxBottom + 26, size: qrSize });
  const scanX = qrX + qrSize / 2;
  canvas.text(ANNOTATION_PAGE_TEXTS.scan, scanX - canvas.measure(ANNOTATION_PAGE_TEXTS.scan, 8.5) / 2, boxBottom + 16, 8.5, LABEL);
  canvas.text(ANNOTATION_PAGE_TEXTS.scanEn, scanX - canvas.measure(ANNOTATION_PAGE_TEXTS.scanEn, 6.5) / 2, boxBottom + 7, 6.5, LABEL_EN);
  const textLeft = PAD + 12;
  const textWidth = qrX - textLeft - 10;
  let y = boxTop - 26;
  const markSize = fitSize(width, mark, 13, textWidth);
  canvas.heavyText(mark, textLeft, y, markSize, MARK, 0, 0.3);
  y -= 14;
  canvas.line(textLeft, y, qrX - 10, y, 0.6, MARK);
  y -= 22;
  for (const [label, value] of rows) {
    canvas.text(label, textLeft, y, 9, LABEL);
    y -= 14;
    canvas.text(value, textLeft + 8, y, fitSize(width, value, 11, textWidth - 8), INK);
    y -= 20;
  }

  // The original face above the box, scaled to fit, framed.
  const faceTop = H - PAD - titleSize - 16;
  const roomH = faceTop - boxTop - 12;
  const roomW = W - 2 * PAD;
  const scale = Math.min(roomW / embedded.width, roomH / embedded.height);
  const fw = embedded.width * scale;
  const fh = embedded.height * scale;
  const fx = (W - fw) / 2;
  const fy = boxTop + 12 + (roomH - fh) / 2;
  canvas.image(embedded.ref, fx, fy, scale, scale);
  canvas.strokeRect(fx, fy, fw, fh, 0.5, LABEL);
  // The licence's own QR is covered, with its caption: scanned off a copy it would verify the licence without the copy's terms.
  const qrBox = await faceQrBox(face);
  if (qrBox) {
    const [qx, qy, qs] = [fx + qrBox.x * scale, fy + qrBox.y * scale, qrBox.size * scale];
    const caption = 24 * scale;
    canvas.fillRects([[qx - 2, qy - caption, qs + 4, qs + caption + 2]], [1, 1, 1]);
    canvas.strokeRect(qx, qy, qs, qs, 0.6, MARK);
    const zh = fitSize(width, ANNOTATION_PAGE_TEXTS.faceQr, 8, qs - 6);
    const en = fitSize(width, ANNOTATION_PAGE_TEXTS.faceQrEn, 6, qs - 6);
    canvas.text(ANNOTATION_PAGE_TEXTS.faceQr, qx + (qs - canvas.measure(ANNOTATION_PAGE_TEXTS.faceQr, zh)) / 2, qy + qs / 2 + 2, zh, MARK);
    canvas.text(ANNOTATION_PAGE_TEXTS.faceQrEn, qx + (qs - canvas.measure(ANNOTATION_PAGE_TEXTS.faceQrEn, en)) / 2, qy + qs / 2 - 8, en, LABEL);
  }
  // The mark across the face from its top-left to its bottom-right corner (a demo face's mark runs the other
  // diagonal), semi-transparent: a copy cannot pass for the original.
  const angle = -Math.atan2(fh, fw);
  const diagonal = Math.hypot(fw, fh);
  const size = Math.min(30, (diagonal * 0.8) / Math.max(1, canvas.measure(mark, 1)));
  const w = canvas.measure(mark, size);
  // Centre the line on the face's centre: start half its length back along the diagonal, a third of its size below.
  const cx = fx + fw / 2 - (size / 3) * Math.sin(angle);
  const cy = fy + fh / 2 - (size / 3) * Math.cos(angle);
  canvas.rotatedText(mark, cx - (w / 2) * Math.cos(angle), cy - (w / 2) * Math.sin(angle), size, angle, MARK, 0.3);

  // Footer
  canvas.text(ANNOTATION_PAGE_TEXTS.footer, PAD, PAD + 10, fitSize(width, ANNOTATION_PAGE_TEXTS.footer, 6.5, W - 2 * PAD), LABEL_EN);
  canvas.text(ANNOTATION_PAGE_TEXTS.footerEn, PAD, PAD + 2, fitSize(width, ANNOTATION_PAGE_TEXTS.footerEn, 6, W - 2 * PAD), LABEL_EN);
  canvas.finish();
  embedAnnotatedCopy(doc, copy, opts.at);

  doc.setTitle(`${ANNOTATION_PAGE_TEXTS.title} ${a.original.identifier}`, { showInWindowTitleBar: true });
  doc.setSubject(mark);
  doc.setAuthor(a.maker.name);
  doc.setCreator('elicense');
  doc.setProducer('elicense (pdf-lib)');
  doc.setLanguage('zh-CN');
  doc.setCreationDate(opts.at);
  doc.setModificationDate(opts.at);
  addSignaturePlaceholder(doc, page, { capacity: contentsCapacity(opts.signer), at: opts.at, signerName: a.maker.name });
  return applyPadesSignature(await doc.save({ useObjectStreams: false, updateFieldAppearances: false }), opts.signer);
}
