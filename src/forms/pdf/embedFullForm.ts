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
  return embedJsonAttachment(doc, { name: FULL_FORM_ATTACHMENT_NAME, description: '电子证照完整签名文件 / Full signed licence (elicense/full@1)', value: form, at });
}

/**
 * Embeds one JSON document as the PDF's only file attachment: deflated EmbeddedFile stream, a Filespec with
 * its name and description (AFRelationship Source), the catalog's EmbeddedFiles name tree and /AF. Returns the
 * JSON bytes embedded. Used for the licence's full form and for an annotated copy (src/annotation).
 */
export function embedJsonAttachment(doc: PDFDocument, file: { name: string; description: string; value: unknown; at: Date }): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(file.value));
  const ctx = doc.context;
  const stream = ctx.stream(deflateSync(bytes), {
    Type: 'EmbeddedFile',
    Filter: 'FlateDecode',
    Subtype: 'application/json',
    Params: { Size: bytes.length, ModDate: PDFString.fromDate(file.at) },
  });
  const streamRef = ctx.register(stream);
  const spec = ctx.obj({
    Type: 'Filespec',
    F: PDFString.of(file.name),
    UF: PDFHexString.fromText(file.name),
    EF: { F: streamRef },
    Desc: PDFHexString.fromText(file.description),
    AFRelationship: 'Source',
  });
  const specRef = ctx.register(spec);
  const names = ctx.obj({ EmbeddedFiles: { Names: [PDFString.of(file.name), specRef] } });
  doc.catalog.set(PDFName.of('Names'), names);
  doc.catalog.set(PDFName.of('AF'), ctx.obj([specRef]));
  return bytes;
}
