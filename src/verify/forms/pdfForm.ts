import { parseStrictJson } from '../../json/parseStrictJson';
import { MAX_ANNOTATED_COPY_BYTES, readLicensePdf, type LicensePdfParts } from '../../forms/pdf/readLicensePdf';
import { isAnnotatedCopyDocument } from '../../annotation/AnnotatedCopy';
import type { PdfSignatureReport } from '../checkPdfSignature';
import { licenseKeyOfRecord, type LicenseKey } from '../../format/licenseKey';

/** The PDF's own checks (signature, coverage, appended bytes), as the PDF verifier reports them. */
export type PdfSection = PdfSignatureReport;

/**
 * A presented PDF's parts, read once however many times they are asked for
 * (the status lookup before verification, then the verifier itself).
 */
export function pdfPartsOnce(bytes: Uint8Array): () => Promise<LicensePdfParts> {
  let parts: Promise<LicensePdfParts> | undefined;
  return () => (parts ??= readLicensePdf(bytes));
}

/** Identifier and issuer of the full form attached to a PDF, read without verifying; null when there is none. */
export async function licenseKeyOfPdf(parts: () => Promise<LicensePdfParts>): Promise<LicenseKey | null> {
  try {
    const { attachment } = await parts();
    if (!attachment.found || !('bytes' in attachment)) return null;
    const doc: unknown = parseStrictJson(attachment.bytes, { maxBytes: MAX_ANNOTATED_COPY_BYTES, maxDepth: 16 });
    // An annotated copy's PDF carries the copy: the licence is its original.
    const form = (isAnnotatedCopyDocument(doc) ? doc['original'] : doc) as { license?: Record<string, unknown> } | null;
    const record = form?.license;
    return licenseKeyOfRecord(record);
  } catch {
    return null;
  }
}
