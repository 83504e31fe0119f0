import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import { REASON_CODES, type ReasonCode } from '../../format/reasonCodes';
import { ResultBuilder } from '../ResultBuilder';
import type { VerificationResult } from '../VerificationResult';
import { verifyLicense, type VerifyContext } from '../verifyLicense';
import { readLicensePdf, type LicensePdfParts, type PdfSignatureField } from '../../forms/pdf/readLicensePdf';
import { verifyCadesSignature } from './verifyCadesSignature';

/** Largest PDF we examine. A licence PDF is under 60 KB; re-saved copies stay far below this. */
export const MAX_LICENSE_PDF_BYTES = 1024 * 1024;

export interface PdfSignatureReport {
  /** A signature field with a signature dictionary is present. */
  signed: boolean;
  /** The CMS parses and verifies over the signed byte range. */
  signatureValid: boolean;
  /** The byte range covers the whole file except the /Contents hole. */
  coversWholeFile: boolean;
  /** Key id (keyIdForCertificate) of the PDF signer's certificate. */
  signerKeyId: string | null;
  /** Lower-case hex SHA-256 of the PDF signer's certificate. */
  signerCertificateSha256: string | null;
  /** Bytes after the signed range (an incremental update, or junk). */
  appendedBytes: number;
  /** Incremental updates (startxref sections) among the appended bytes. */
  incrementalUpdates: number;
  /** The signature dictionary's /M, as written. */
  claimedSigningTime: string | null;
}

export interface PdfVerificationResult extends VerificationResult {
  pdf: PdfSignatureReport;
}

interface PdfFailure {
  code: ReasonCode;
  detail: string;
}

const NOT_SIGNED: PdfSignatureReport = {
  signed: false,
  signatureValid: false,
  coversWholeFile: false,
  signerKeyId: null,
  signerCertificateSha256: null,
  appendedBytes: 0,
  incrementalUpdates: 0,
  claimedSigningTime: null,
};

/**
 * Verifies a licence PDF on its own: the embedded full form with
 * verifyLicense, and the PDF's PAdES signature: present, valid over its byte
 * range, covering the whole file (anything appended after signing is
 * reported) and made with the certificate that signed the licence. A PDF whose
 * signature fails is rejected even when the embedded licence is fine.
 * Asynchronous only because pdf-lib parses asynchronously.
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

  const failures: PdfFailure[] = [];
  let result: VerificationResult;
  if (!parts.attachment.found) {
    result = refused(ctx, 'PDF_NO_ATTACHMENT', 'the PDF carries no embedded licence (licence.elic.json)');
  } else if ('error' in parts.attachment) {
    result = refused(ctx, 'PDF_ATTACHMENT_INVALID', parts.attachment.error);
  } else {
    result = verifyLicense(parts.attachment.bytes, ctx);
  }

  const [sig, ...others] = parts.signatures;
  let report = NOT_SIGNED;
  if (!sig) failures.push({ code: 'PDF_SIGNATURE_MISSING', detail: 'the PDF has no signature' });
  else {
    if (others.length > 0) failures.push({ code: 'PDF_SIGNATURE_INVALID', detail: 'a licence PDF carries exactly one signature' });
    report = checkSignature(pdf, sig, failures);
    // The whole certificate, not only the 8-byte key id, must be the licence signer's.
    if (report.signerCertificateSha256 && result.signer && report.signerCertificateSha256 !== result.signer.certificateSha256) {
      failures.push({ code: 'PDF_SIGNER_MISMATCH', detail: 'the PDF was signed with another certificate than the licence' });
    }
  }
  return { ...mergeFailures(result, failures), pdf: report };
}

function checkSignature(pdf: Uint8Array, sig: PdfSignatureField, failures: PdfFailure[]): PdfSignatureReport {
  const report: PdfSignatureReport = { ...NOT_SIGNED, signed: true, claimedSigningTime: sig.claimedTime };
  const hole = holeOf(pdf, sig.byteRange);
  if (!hole) {
    failures.push({ code: 'PDF_SIGNATURE_INVALID', detail: 'the /ByteRange does not frame the /Contents hex string' });
    return report;
  }
  if (sig.subFilter !== 'ETSI.CAdES.detached' && sig.subFilter !== 'adbe.pkcs7.detached') {
    failures.push({ code: 'PDF_SIGNATURE_INVALID', detail: `unsupported /SubFilter ${sig.subFilter ?? '(none)'}` });
    return report;
  }
  const signed = new Uint8Array(hole.start + (hole.signedEnd - hole.end));
  signed.set(pdf.subarray(0, hole.start), 0);
  signed.set(pdf.subarray(hole.end, hole.signedEnd), hole.start);
  const cms = verifyCadesSignature(sig.contents ?? new Uint8Array(), signed);
  report.signerKeyId = cms.signer ? keyIdForCertificate(cms.signer.der) : null;
  report.signerCertificateSha256 = cms.signer?.fingerprint ?? null;
  report.signatureValid = cms.ok;
  if (!cms.ok) failures.push({ code: 'PDF_SIGNATURE_INVALID', detail: cms.detail });

  report.appendedBytes = pdf.length - hole.signedEnd;
  report.coversWholeFile = report.appendedBytes === 0;
  if (!report.coversWholeFile) {
    report.incrementalUpdates = countOccurrences(pdf.subarray(hole.signedEnd), 'startxref');
    failures.push({
      code: 'PDF_MODIFIED_AFTER_SIGNING',
      detail: `${report.appendedBytes} bytes (${report.incrementalUpdates} incremental update(s)) follow the signed range`,
    });
  }
  return report;
}

/**
 * The /Contents hole a sane /ByteRange [0 a b c] leaves: bytes a..b are
 * exactly one hex string (delimiters included) and b+c is within the file.
 */
function holeOf(pdf: Uint8Array, range: number[] | null): { start: number; end: number; signedEnd: number } | null {
  if (!range || range.length !== 4) return null;
  const [zero, start, end, tail] = range as [number, number, number, number];
  if (zero !== 0 || start <= 0 || end <= start + 1 || tail < 0 || end + tail > pdf.length) return null;
  if (pdf[start] !== 0x3c || pdf[end - 1] !== 0x3e) return null;
  for (let i = start + 1; i < end - 1; i++) {
    const c = pdf[i]!;
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) return null;
  }
  return { start, end, signedEnd: end + tail };
}

function startsWithPdfHeader(pdf: Uint8Array): boolean {
  return Buffer.from(pdf.buffer, pdf.byteOffset, Math.min(pdf.byteLength, 8)).toString('latin1').startsWith('%PDF-');
}

function countOccurrences(bytes: Uint8Array, needle: string): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let at = buf.indexOf(needle, 0, 'latin1'); at >= 0; at = buf.indexOf(needle, at + needle.length, 'latin1')) n++;
  return n;
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
