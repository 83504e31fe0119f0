import { PDFArray, PDFHexString, PDFName, PDFNumber, PDFString, type PDFDocument, type PDFPage } from 'pdf-lib';
import type { Signer } from '../../crypto/Signer';

/** Placeholder names in /ByteRange, replaced by the real offsets once the file is laid out. */
export const BYTE_RANGE_PLACEHOLDER = '**********';

/**
 * Room for the CMS in /Contents: the certificates, the signed attributes and
 * the signature, with margin. Each reserved byte costs two in the file (hex),
 * so it is sized from the chain rather than a flat 8 KB.
 */
export function contentsCapacity(signer: Signer): number {
  const certs = signer.certificateChain.reduce((n, c) => n + c.byteLength, 0);
  return certs + 1024 + (signer.algorithm === 'PS256' ? 1024 : 0);
}

/**
 * Adds an invisible signature field whose value is a PAdES signature
 * dictionary (/SubFilter /ETSI.CAdES.detached) with a /ByteRange placeholder
 * and a zero-filled /Contents of `capacity` bytes; applyPadesSignature fills
 * both after the document is saved. /M is the claimed signing time (PAdES
 * baseline puts it here instead of a CMS signing-time attribute).
 */
export function addSignaturePlaceholder(doc: PDFDocument, page: PDFPage, opts: { capacity: number; at: Date; signerName: string }): void {
  const ctx = doc.context;
  const byteRange = PDFArray.withContext(ctx);
  byteRange.push(PDFNumber.of(0));
  for (let i = 0; i < 3; i++) byteRange.push(PDFName.of(BYTE_RANGE_PLACEHOLDER));
  const sigRef = ctx.register(
    ctx.obj({
      Type: 'Sig',
      Filter: 'Adobe.PPKLite',
      SubFilter: 'ETSI.CAdES.detached',
      ByteRange: byteRange,
      Contents: PDFHexString.of('0'.repeat(opts.capacity * 2)),
      M: PDFString.fromDate(opts.at),
      Name: PDFHexString.fromText(opts.signerName),
      Reason: PDFHexString.fromText('电子证照签发 / Licence issuance'),
    }),
  );
  const widgetRef = ctx.register(
    ctx.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      T: PDFString.of('LicenceSignature'),
      V: sigRef,
      Rect: [0, 0, 0, 0],
      F: 132, // hidden + locked: an invisible signature
      P: page.ref,
    }),
  );
  page.node.addAnnot(widgetRef);
  doc.catalog.set(PDFName.of('AcroForm'), ctx.obj({ SigFlags: 3, Fields: [widgetRef] }));
}
