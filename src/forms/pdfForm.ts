import { parseStrictJson } from '../json/parseStrictJson';
import { MAX_FULL_FORM_BYTES } from '../license/FullForm';
import { readLicencePdf, type LicencePdfParts } from './pdf/readLicencePdf';
import type { PdfSignatureReport } from './pdf/verifyLicencePdf';
import { licenceKeyOfRecord, type LicenceKey } from './verifyAnyForm';

/** The PDF's own checks (signature, coverage, appended bytes), as the PDF verifier reports them. */
export type PdfSection = PdfSignatureReport;

/**
 * A presented PDF's parts, read once however many times they are asked for
 * (the status lookup before verification, then the verifier itself).
 */
export function pdfPartsOnce(bytes: Uint8Array): () => Promise<LicencePdfParts> {
  let parts: Promise<LicencePdfParts> | undefined;
  return () => (parts ??= readLicencePdf(bytes));
}

/** Identifier and issuer of the full form attached to a PDF, read without verifying; null when there is none. */
export async function licenceKeyOfPdf(parts: () => Promise<LicencePdfParts>): Promise<LicenceKey | null> {
  try {
    const { attachment } = await parts();
    if (!attachment.found || !('bytes' in attachment)) return null;
    const record = (parseStrictJson(attachment.bytes, { maxBytes: MAX_FULL_FORM_BYTES, maxDepth: 16 }) as { license?: Record<string, unknown> } | null)?.license;
    return licenceKeyOfRecord(record);
  } catch {
    return null;
  }
}
