import { PDFDocument } from 'pdf-lib';
import type { Signer } from '../../crypto/Signer';
import { ElicenseError } from '../../errors';
import type { FullForm } from '../../format/FullForm';
import type { TypeStandard } from '../../standards/generated/TypeStandard';
import { addSignaturePlaceholder, contentsCapacity } from './addSignaturePlaceholder';
import { applyPadesSignature } from './applyPadesSignature';
import { DEMO_MARK, drawDemoMark } from './drawDemoMark';
import { A4, drawLicenseFace } from './drawLicenseFace';
import { PAGE_TEXTS } from './pageStyle';
import { embedCidFont } from './embedCidFont';
import { embedFullForm } from './embedFullForm';
import { embedPhoto, licensePhoto } from './embedPhoto';
import { embedSealImage } from './embedSealImage';
import { faceCharacters, licenseFace } from './licenseFace';
import type { LicenseFonts } from './LicenseFonts';
import { PageCanvas } from './PageCanvas';

export interface RenderLicensePdfOptions {
  /** The type standard of the licence (its pdfLayout and labels). */
  standard: TypeStandard;
  /** The compact QR text to print; made by the QR encoder, not here. */
  qrText: string;
  /** The issuing department's seal, PNG (transparent background). */
  sealPng?: Uint8Array;
  /** The department's signer; without it the PDF is left unsigned. */
  signer?: Signer;
  /** Creation time and the signature's claimed time (/M). */
  at: Date;
  fonts: LicenseFonts;
  /**
   * A licence of a DEMO region (the caller decides, from signed trust data): the page carries a diagonal
   * "演示样本 · 无法律效力 / DEMO — NO LEGAL EFFECT" mark, in its text layer too.
   */
  demo?: boolean;
}

/**
 * The PDF form of a licence (docs/product.md 3.5): one A4 page laid out per the
 * type's pdfLayout in Chinese with English subtitles, the QR, the seal and the
 * holder's photo (types with photos, from the form's attachments), the signed
 * full form, attachments included, embedded as licence.elic.json, and, with a signer, a
 * PAdES B-B signature by the department's key (docs/adr/0004).
 */
export async function renderLicensePdf(form: FullForm, opts: RenderLicensePdfOptions): Promise<Uint8Array> {
  const record = form.license;
  if (record['certificateTypeCode'] !== opts.standard.typeCode) {
    throw new ElicenseError('TYPE_UNKNOWN', 'the licence is not of the given type standard');
  }
  const face = licenseFace(record, opts.standard);
  const photo = licensePhoto(form, opts.standard);
  const characters = faceCharacters(face, [...Object.values(PAGE_TEXTS), ...(opts.demo ? Object.values(DEMO_MARK) : [])]);
  const subset = opts.fonts.subset(characters);

  const doc = await PDFDocument.create({ updateMetadata: false });
  const page = doc.addPage(face.orientation === 'landscape' ? [A4[1], A4[0]] : [A4[0], A4[1]]);
  const canvas = new PageCanvas(page, embedCidFont(doc, subset, characters));
  const seal = opts.sealPng ? embedSealImage(doc, opts.sealPng) : undefined;
  const facePhoto = photo ? await embedPhoto(doc, photo) : undefined;
  if (opts.demo) drawDemoMark(canvas);
  drawLicenseFace(canvas, face, { qrText: opts.qrText, ...(seal ? { seal } : {}), ...(facePhoto ? { photo: facePhoto } : {}) });
  canvas.finish();
  embedFullForm(doc, form, opts.at);

  doc.setTitle(`${face.title.zh} ${face.identifier}`, { showInWindowTitleBar: true });
  doc.setSubject(face.title.en);
  doc.setAuthor(face.issuer);
  doc.setCreator('elicense');
  doc.setProducer('elicense (pdf-lib)');
  doc.setLanguage('zh-CN');
  doc.setCreationDate(opts.at);
  doc.setModificationDate(opts.at);

  if (!opts.signer) return doc.save({ updateFieldAppearances: false });
  addSignaturePlaceholder(doc, page, { capacity: contentsCapacity(opts.signer), at: opts.at, signerName: face.issuer });
  // No object streams: the signature dictionary must be a plain object whose bytes can be patched in place.
  return applyPadesSignature(await doc.save({ useObjectStreams: false, updateFieldAppearances: false }), opts.signer);
}
