import { isElicenseError } from '../../errors';
import { parseStrictJson } from '../../json/parseStrictJson';
import { MAX_FULL_FORM_BYTES, type FullForm } from '../../format/FullForm';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { ReasonCode } from '../../format/reasonCodes';
import { ResultBuilder } from '../ResultBuilder';
import type { TrustInputs } from '../../trust/TrustInputs';
import type { VerificationResult } from '../VerificationResult';
import type { VerifierCaches } from '../VerifyContext';
import { verifyFullFormDocument } from '../verifyLicense';
import { detectForm, type DetectedForm } from '../../forms/detectForm';
import { licenseKeyOfPdf, pdfPartsOnce, type PdfSection } from './pdfForm';
import { licenseKeyOfRecord, type LicenseKey } from '../../format/licenseKey';
import type { LicensePdfParts } from '../../forms/pdf/readLicensePdf';
import { verifyLicensePdf } from './verifyLicensePdf';
import { decodeCompactOnce, MAX_COMPACT_TEXT, type DecodedCompactLicense } from '../../forms/qr/compactLicense';
import { verifyCompactLicense } from './verifyCompactLicense';
import type { ImageOutcome } from '../../forms/image/decodeRasterImage';
import { readQrFromImage } from '../../forms/image/readQrFromImage';
import { isAnnotatedCopyDocument } from '../../annotation/AnnotatedCopy';
import { isAnnotatedCopyQrText, licenseKeyOfAnnotatedCopyQr } from '../../annotation/annotatedCopyQr';
import { verifyAnnotatedCopyQr } from './verifyAnnotatedCopyQr';

/** A licence as presented, read far enough to know what to verify (images already scanned). */
export type PresentedForm =
  | { kind: 'full-form'; form: DetectedForm; document: unknown }
  | { kind: 'qr'; form: DetectedForm; text: string; decoded: () => DecodedCompactLicense; fullForm?: unknown }
  | { kind: 'pdf'; form: 'pdf'; bytes: Uint8Array; parts: () => Promise<LicensePdfParts> }
  | { kind: 'unreadable'; form: DetectedForm; code: ReasonCode; message: string };

/** The verification result, plus what was presented and, for a PDF, its own checks. */
export type AnyFormResult = VerificationResult & { form: DetectedForm; pdf?: PdfSection };

export interface AnyFormContext {
  trust: TrustInputs;
  catalog: StandardsCatalog;
  at: Date;
  caches?: VerifierCaches;
}

const JSON_FORMAT_CODES: ReadonlySet<string> = new Set(['INPUT_TOO_LARGE', 'INPUT_MALFORMED', 'JSON_DUPLICATE_KEY', 'JSON_TOO_DEEP']);
/** A full form beside a QR text, in one JSON document. */
const MAX_JSON_BYTES = MAX_FULL_FORM_BYTES + MAX_COMPACT_TEXT + 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A parsed JSON document as a presented form: `{"qr": "LC1:...", "fullForm"?: {...}}`
 * is QR text (with the full form it should be bound to), `{"fullForm": {...}}`
 * the full form wrapped, anything else is examined as a full form.
 */
export function presentedFromJson(doc: unknown): PresentedForm {
  if (isObject(doc)) {
    const keys = Object.keys(doc);
    if ('qr' in doc && keys.every((k) => k === 'qr' || k === 'fullForm')) {
      if (typeof doc['qr'] !== 'string') return { kind: 'unreadable', form: 'qr-text', code: 'INPUT_MALFORMED', message: '"qr" must be the QR text' };
      return { kind: 'qr', form: 'qr-text', text: doc['qr'], decoded: decodeCompactOnce(doc['qr']), ...('fullForm' in doc ? { fullForm: doc['fullForm'] } : {}) };
    }
    if (keys.length === 1 && keys[0] === 'fullForm') return { kind: 'full-form', form: 'full-form', document: doc['fullForm'] };
  }
  return { kind: 'full-form', form: 'full-form', document: doc };
}

/**
 * Reads bytes as far as needed to verify them: detects the form, parses JSON strictly, scans an image for its QR
 * (with `readQr`: a server passes its worker pool, QrImageReaderPool, to keep decoding off the event loop).
 */
export async function readPresentedForm(bytes: Uint8Array, readQr: (image: Uint8Array) => Promise<ImageOutcome<string>> = readQrFromImage): Promise<PresentedForm> {
  const form = detectForm(bytes);
  switch (form) {
    case 'png':
    case 'jpeg': {
      const qr = await readQr(bytes);
      return qr.ok ? { kind: 'qr', form, text: qr.value, decoded: decodeCompactOnce(qr.value) } : { kind: 'unreadable', form, code: qr.code, message: qr.message };
    }
    case 'pdf':
      return { kind: 'pdf', form, bytes, parts: pdfPartsOnce(bytes) };
    case 'qr-text':
      if (bytes.length > MAX_COMPACT_TEXT + 64) return { kind: 'unreadable', form, code: 'INPUT_TOO_LARGE', message: `QR text longer than ${MAX_COMPACT_TEXT} characters` };
    {
      const text = Buffer.from(bytes).toString('utf8').trim();
      return { kind: 'qr', form, text, decoded: decodeCompactOnce(text) };
    }
    case 'full-form':
      try {
        return presentedFromJson(parseStrictJson(bytes, { maxBytes: MAX_JSON_BYTES, maxDepth: 16 }));
      } catch (e) {
        if (isElicenseError(e) && JSON_FORMAT_CODES.has(e.code)) return { kind: 'unreadable', form, code: e.code as ReasonCode, message: e.message };
        return { kind: 'unreadable', form, code: 'INPUT_MALFORMED', message: 'not readable JSON' };
      }
    default:
      return { kind: 'unreadable', form, code: 'FORMAT_UNSUPPORTED', message: 'not a licence form: expected full-form JSON, QR text (LC1:...), a PNG or JPEG image of the QR, or the licence PDF' };
  }
}

/**
 * Which licence a presented form names (identifier and issuer), read without
 * verifying anything, so that a caller can look up its status first. Null
 * when the form is unreadable.
 */
export async function licenseKeyOf(presented: PresentedForm): Promise<LicenseKey | null> {
  switch (presented.kind) {
    case 'full-form': {
      // An annotated copy names the licence it carries: its status is the one that matters.
      const doc = isObject(presented.document) && isAnnotatedCopyDocument(presented.document) ? presented.document['original'] : presented.document;
      return isObject(doc) ? licenseKeyOfRecord(doc['license']) : null;
    }
    case 'qr':
      if (isAnnotatedCopyQrText(presented.text)) return licenseKeyOfAnnotatedCopyQr(presented.text);
      try {
        const { claims } = presented.decoded();
        return { identifier: claims.identifier, issuerCode: claims.issuerCode, ...(claims.statusEntry ? { statusEntry: claims.statusEntry } : {}), recordDigest: claims.fullFormDigest };
      } catch {
        return null;
      }
    case 'pdf':
      return licenseKeyOfPdf(presented.parts);
    default:
      return null;
  }
}


/** Verifies a presented form with the verifier of its kind; every answer has the same shape. */
export async function verifyPresentedForm(presented: PresentedForm, ctx: AnyFormContext): Promise<AnyFormResult> {
  const { trust, catalog, at } = ctx;
  switch (presented.kind) {
    case 'unreadable': {
      const rb = new ResultBuilder();
      rb.fail('format', presented.code, presented.message);
      return { ...rb.build(trust, at), form: presented.form };
    }
    case 'full-form':
      return { ...verifyFullFormDocument(presented.document, ctx), form: presented.form };
    case 'qr': {
      // An annotated copy's QR (EAC1:) has its own verifier.
      if (isAnnotatedCopyQrText(presented.text)) return { ...verifyAnnotatedCopyQr(presented.text, ctx), form: presented.form };
      if (presented.fullForm !== undefined && !(isObject(presented.fullForm) && isObject(presented.fullForm['license']))) {
        const rb = new ResultBuilder();
        rb.fail('format', 'INPUT_MALFORMED', '"fullForm" beside the QR must be a full-form licence');
        return { ...rb.build(trust, at), form: presented.form };
      }
      const result = verifyCompactLicense(presented.text, {
        decoded: presented.decoded,
        trust,
        catalog,
        at,
        ...(presented.fullForm !== undefined ? { fullForm: presented.fullForm as unknown as FullForm } : {}),
        ...(ctx.caches ? { caches: ctx.caches } : {}),
      });
      return { ...result, form: presented.form };
    }
    case 'pdf':
      return { ...(await verifyLicensePdf(presented.bytes, ctx, presented.parts)), form: 'pdf' };
  }
}

/**
 * Verify a licence in any of its forms, detected from its bytes (docs:
 * detectForm): full-form JSON, compact QR text, a PNG or JPEG image of the
 * QR (photos of paper included), or the licence PDF.
 */
export async function verifyAnyForm(bytes: Uint8Array, ctx: AnyFormContext): Promise<AnyFormResult> {
  return verifyPresentedForm(await readPresentedForm(bytes), ctx);
}
