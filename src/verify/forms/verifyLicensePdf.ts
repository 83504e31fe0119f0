import { REASON_CODES, type ReasonCode } from '../../format/reasonCodes';
import { ResultBuilder } from '../ResultBuilder';
import type { VerificationResult } from '../VerificationResult';
import type { VerifyContext } from '../VerifyContext';
import { verifyLicense } from '../verifyLicense';
import { checkPdfSignature, NOT_SIGNED, type PdfFailure, type PdfSignatureReport } from '../checkPdfSignature';
import { readLicensePdf, type LicensePdfParts } from '../../forms/pdf/readLicensePdf';

export type { PdfSignatureReport } from '../checkPdfSignature';

/** Largest PDF we examine. A licence PDF is under 60 KB; re-saved copies stay far below this. */
export const MAX_LICENSE_PDF_BYTES = 1024 * 1024;

export interface PdfVerificationResult extends VerificationResult {
  pdf: PdfSignatureReport;
}

/**
 * Verifies a licence PDF on its own: the embedded full form with the
 * full-form verifier (verifyLicense, every check), and the PDF's PAdES
 * signature (checkPdfSignature). A PDF whose signature fails is rejected even
 * when the embedded licence is fine. Asynchronous only because pdf-lib parses
 * asynchronously.
 */
export async function verifyLicensePdf(
  pdf: Uint8Array,
  ctx: VerifyContext,
  /** The same PDF's parts when the caller has read them already (pdfPartsOnce); read here otherwise. */
  readParts: () => Promise<LicensePdfParts> = () => readLicensePdf(pdf),
): Promise<PdfVerificationResult> {
  if (pdf.byteLength > MAX_LICENSE_PDF_BYTES) return refused(ctx, 'INPUT_TOO_LARGE', `a licence PDF is at most ${MAX_LICENSE_PDF_BYTES} bytes`);
  if (!startsWithPdfHeader(pdf)) return refused(ctx, 'FORMAT_UNSUPPORTED', 'not a PDF (no %PDF- header)');
  let parts: LicensePdfParts;
  try {
    parts = await readParts();
  } catch {
    return refused(ctx, 'INPUT_MALFORMED', 'the PDF cannot be parsed');
  }

  let result: VerificationResult;
  if (!parts.attachment.found) {
    result = refused(ctx, 'PDF_NO_ATTACHMENT', 'the PDF carries no embedded licence (licence.elic.json)');
  } else if ('error' in parts.attachment) {
    result = refused(ctx, 'PDF_ATTACHMENT_INVALID', parts.attachment.error);
  } else {
    result = verifyLicense(parts.attachment.bytes, ctx);
  }

  const failures: PdfFailure[] = [];
  // An annotated copy's PDF is signed by the copy's signer (its region's trust-list key), not the licence's.
  const expected = result.annotatedCopy ? (result.annotatedCopy.signer ?? null) : result.signer;
  const report = checkPdfSignature(pdf, parts.signatures, expected, failures);
  return { ...mergeFailures(result, failures), pdf: report };
}

function startsWithPdfHeader(pdf: Uint8Array): boolean {
  return Buffer.from(pdf.buffer, pdf.byteOffset, Math.min(pdf.byteLength, 8)).toString('latin1').startsWith('%PDF-');
}

function refused(ctx: VerifyContext, code: ReasonCode, detail: string): PdfVerificationResult {
  const rb = new ResultBuilder();
  rb.fail(REASON_CODES[code], code, detail);
  return { ...rb.build(ctx.trust, ctx.at), pdf: NOT_SIGNED };
}

/** Adds the PDF's failures to the checks they belong to; any of them rejects. */
function mergeFailures(result: VerificationResult, failures: PdfFailure[]): VerificationResult {
  if (failures.length === 0) return result;
  const checks = result.checks.map((c) => ({ ...c, reasons: [...c.reasons] }));
  for (const f of failures) {
    const check = checks.find((c) => c.check === REASON_CODES[f.code]);
    if (!check) continue;
    if (check.status !== 'failed') {
      check.status = 'failed';
      check.detail = f.detail;
    } else check.detail = check.detail ? `${check.detail}; ${f.detail}` : f.detail;
    if (!check.reasons.includes(f.code)) check.reasons.push(f.code);
  }
  return { ...result, checks, reasons: checks.flatMap((c) => c.reasons), result: 'rejected' };
}
