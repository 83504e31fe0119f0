import { keyIdForCertificate } from '../crypto/keyIdForCertificate';
import type { ReasonCode } from '../format/reasonCodes';
import type { PdfSignatureField } from '../forms/pdf/readLicensePdf';
import type { VerificationResult } from './VerificationResult';
import { verifyCadesSignature } from './forms/verifyCadesSignature';

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

export interface PdfFailure {
  code: ReasonCode;
  detail: string;
}

export const NOT_SIGNED: PdfSignatureReport = {
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
 * The PDF's own signature check (PAdES): exactly one signature, valid over its
 * byte range, covering the whole file (anything appended after signing is
 * reported) and made with the certificate that signed the licence
 * (`licenseSigner`: the embedded licence's verification result's signer).
 * Failures are collected in `failures`; the report says what was found.
 */
export function checkPdfSignature(
  pdf: Uint8Array,
  signatures: readonly PdfSignatureField[],
  licenseSigner: Pick<NonNullable<VerificationResult['signer']>, 'certificateSha256'> | null,
  failures: PdfFailure[],
): PdfSignatureReport {
  const [sig, ...others] = signatures;
  if (!sig) {
    failures.push({ code: 'PDF_SIGNATURE_MISSING', detail: 'the PDF has no signature' });
    return NOT_SIGNED;
  }
  if (others.length > 0) failures.push({ code: 'PDF_SIGNATURE_INVALID', detail: 'a licence PDF carries exactly one signature' });
  const report = checkSignatureField(pdf, sig, failures);
  // The whole certificate, not only the 8-byte key id, must be the licence signer's.
  if (report.signerCertificateSha256 && licenseSigner && report.signerCertificateSha256 !== licenseSigner.certificateSha256) {
    failures.push({ code: 'PDF_SIGNER_MISMATCH', detail: 'the PDF was signed with another certificate than the licence' });
  }
  return report;
}

function checkSignatureField(pdf: Uint8Array, sig: PdfSignatureField, failures: PdfFailure[]): PdfSignatureReport {
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

function countOccurrences(bytes: Uint8Array, needle: string): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let at = buf.indexOf(needle, 0, 'latin1'); at >= 0; at = buf.indexOf(needle, at + needle.length, 'latin1')) n++;
  return n;
}
