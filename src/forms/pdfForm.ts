import { ResultBuilder } from '../verify/ResultBuilder';
import type { VerificationResult } from '../verify/VerificationResult';
import type { AnyFormContext } from './verifyAnyForm';

/** The PDF's own checks (signature, coverage, attachment), as the PDF verifier reports them. */
export type PdfSection = Record<string, unknown>;

/** False until src/forms/pdf has a verifier: callers then report the PDF as written, not verified. */
export const PDF_VERIFICATION_AVAILABLE: boolean = false;

/** PDF verification arrives with src/forms/pdf; until then a PDF is reported as not supported. */
export async function verifyPdfForm(_bytes: Uint8Array, ctx: AnyFormContext): Promise<VerificationResult & { pdf?: PdfSection }> {
  const rb = new ResultBuilder();
  rb.fail('format', 'FORMAT_UNSUPPORTED', 'PDF verification is not available in this build');
  return rb.build(ctx.trust, ctx.at);
}

export function licenceKeyOfPdf(_bytes: Uint8Array): { identifier: string; issuerCode: string } | null {
  return null;
}
