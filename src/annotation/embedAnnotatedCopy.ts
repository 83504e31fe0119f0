import { deflateSync } from 'node:zlib';
import { PDFHexString, PDFName, PDFString, type PDFDocument } from 'pdf-lib';
import { ANNOTATED_COPY_ATTACHMENT_NAME, type AnnotatedCopy } from './AnnotatedCopy';

/**
 * Embeds the signed copy (the annotation, its original and its signature) as
 * a file attachment, as the licence PDF embeds its full form (EmbeddedFiles
 * name tree and the catalog's /AF, relationship Source): the PDF alone
 * carries what a verifier needs.
 */
export function embedAnnotatedCopy(doc: PDFDocument, copy: AnnotatedCopy, at: Date): void {
  const bytes = new TextEncoder().encode(JSON.stringify(copy));
  const ctx = doc.context;
  const stream = ctx.stream(deflateSync(bytes), {
    Type: 'EmbeddedFile',
    Filter: 'FlateDecode',
    Subtype: 'application/json',
    Params: { Size: bytes.length, ModDate: PDFString.fromDate(at) },
  });
  const spec = ctx.register(
    ctx.obj({
      Type: 'Filespec',
      F: PDFString.of(ANNOTATED_COPY_ATTACHMENT_NAME),
      UF: PDFHexString.fromText(ANNOTATED_COPY_ATTACHMENT_NAME),
      EF: { F: ctx.register(stream) },
      Desc: PDFHexString.fromText('电子证照加注件签名文件 / Signed annotated copy (elicense-annotated-copy 1.0.0)'),
      AFRelationship: 'Source',
    }),
  );
  doc.catalog.set(PDFName.of('Names'), ctx.obj({ EmbeddedFiles: { Names: [PDFString.of(ANNOTATED_COPY_ATTACHMENT_NAME), spec] } }));
  doc.catalog.set(PDFName.of('AF'), ctx.obj([spec]));
}
