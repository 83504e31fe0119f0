import { parseStrictJson } from '../json/parseStrictJson';
import { MAX_FULL_FORM_BYTES } from '../license/FullForm';
import { readLicencePdf } from './pdf/readLicencePdf';
import { verifyLicencePdf, type PdfSignatureReport } from './pdf/verifyLicencePdf';
import type { VerificationResult } from '../verify/VerificationResult';
import { licenceKeyOfRecord, type AnyFormContext, type LicenceKey } from './verifyAnyForm';

/** The PDF's own checks (signature, coverage, appended bytes), as the PDF verifier reports them. */
export type PdfSection = PdfSignatureReport;

/** The PDF verifier exists: callers count the PDF's answer (kept for callers written before it did). */
export const PDF_VERIFICATION_AVAILABLE: boolean = true;

/** The licence PDF verified on its own: the embedded full form and the PAdES signature (src/forms/pdf). */
export function verifyPdfForm(bytes: Uint8Array, ctx: AnyFormContext): Promise<VerificationResult & { pdf?: PdfSection }> {
  return verifyLicencePdf(bytes, ctx);
}

/** Identifier and issuer of the full form attached to a PDF, read without verifying; null when there is none. */
export async function licenceKeyOfPdf(bytes: Uint8Array): Promise<LicenceKey | null> {
  try {
    const { attachment } = await readLicencePdf(bytes);
    if (!attachment.found || !('bytes' in attachment)) return null;
    const record = (parseStrictJson(attachment.bytes, { maxBytes: MAX_FULL_FORM_BYTES, maxDepth: 16 }) as { license?: Record<string, unknown> } | null)?.license;
    return licenceKeyOfRecord(record);
  } catch {
    return null;
  }
}
