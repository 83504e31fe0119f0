import { deflateSync } from 'node:zlib';
import { PDFHexString, PDFName, PDFString, type PDFDocument } from 'pdf-lib';
import type { FullForm } from '../../format/FullForm';

/** Name of the embedded full form; verifiers look for it in the EmbeddedFiles name tree. */
export const FULL_FORM_ATTACHMENT_NAME = 'licence.elic.json';

/**
 * Embeds the signed full form as a file attachment (EmbeddedFiles name tree
 * and the catalog's /AF, relationship Source as in PDF/A-3), so the PDF alone
 * carries everything a verifier needs. The bytes are the form's JSON exactly
 * as verifyLicense reads it.
 */
export function embedFullForm(doc: PDFDocument, form: FullForm, at: Date): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(form));
  const ctx = doc.context;
  const stream = ctx.stream(deflateSync(bytes), {
    Type: 'EmbeddedFile',
    Filter: 'FlateDecode',
    Subtype: 'application/json',
    Params: { Size: bytes.length, ModDate: PDFString.fromDate(at) },
  });
  const streamRef = ctx.register(stream);
  const spec = ctx.obj({
    Type: 'Filespec',
    F: PDFString.of(FULL_FORM_ATTACHMENT_NAME),
    UF: PDFHexString.fromText(FULL_FORM_ATTACHMENT_NAME),
    EF: { F: streamRef },
    Desc: PDFHexString.fromText('电子证照完整签名文件 / Full signed licence (elicense/full@1)'),
    AFRelationship: 'Source',
  });
  const specRef = ctx.register(spec);
  const names = ctx.obj({ EmbeddedFiles: { Names: [PDFString.of(FULL_FORM_ATTACHMENT_NAME), specRef] } });
  doc.catalog.set(PDFName.of('Names'), names);
  doc.catalog.set(PDFName.of('AF'), ctx.obj([specRef]));
  return bytes;
}

