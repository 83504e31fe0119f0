import express, { type Request, type Response } from 'express';
import { ElicenseError } from '../../../errors';
import { detectForm, type DetectedForm } from '../../../forms/detectForm';
import { MAX_LICENSE_PDF_BYTES } from '../../../verify/forms/verifyLicensePdf';
import { MAX_COMPACT_TEXT } from '../../../forms/qr/compactLicense';
import type { ImageOutcome } from '../../../forms/image/decodeRasterImage';
import { MAX_QR_IMAGE_BYTES } from '../../../forms/image/qrImageLimits';
import { presentedFromJson, readPresentedForm, type PresentedForm } from '../../../verify/forms/verifyAnyForm';
import { FULL_FORM_KEYS } from '../../../format/FullForm';
import { isAnnotatedCopyDocument } from '../../../annotation/AnnotatedCopy';

/**
 * The cap of each form's raw bytes, applied before anything parses them:
 * from the declared Content-Length before the body is read (by declared
 * media type), and again by the detected form once it is read (a PDF sent as
 * application/octet-stream still meets the PDF cap).
 */
export const FORM_BYTE_CAPS = {
  png: MAX_QR_IMAGE_BYTES,
  jpeg: MAX_QR_IMAGE_BYTES,
  pdf: MAX_LICENSE_PDF_BYTES,
  'qr-text': MAX_COMPACT_TEXT + 64,
} as const satisfies Partial<Record<DetectedForm, number>>;

const FORM_NAMES: Record<keyof typeof FORM_BYTE_CAPS, string> = { png: 'a PNG image', jpeg: 'a JPEG image', pdf: 'a licence PDF', 'qr-text': 'QR text' };

/** Largest uploaded form (a phone photo of the QR); JSON bodies keep the node's body limit. */
export const MAX_UPLOAD_BYTES = Math.max(...Object.values(FORM_BYTE_CAPS));

/** Media types read as raw bytes, with the cap of the form each declares; the form itself is then detected from the content. */
const UPLOADS = new Map(
  (
    [
      ['image/png', FORM_BYTE_CAPS.png, FORM_NAMES.png],
      ['image/jpeg', FORM_BYTE_CAPS.jpeg, FORM_NAMES.jpeg],
      ['application/pdf', FORM_BYTE_CAPS.pdf, FORM_NAMES.pdf],
      ['text/plain', FORM_BYTE_CAPS['qr-text'], FORM_NAMES['qr-text']],
      ['application/octet-stream', MAX_UPLOAD_BYTES, 'an upload'],
    ] as const
  ).map(([type, cap, what]) => [type as string, { cap, what, read: express.raw({ type, limit: cap }) }]),
);
export const UPLOAD_TYPES = [...UPLOADS.keys()];

/** Forms whose reading costs far more than a JSON verification: charged ELICENSE_UPLOAD_RATE_COST units. */
const EXPENSIVE_FORMS: ReadonlySet<DetectedForm> = new Set(['png', 'jpeg', 'pdf']);

const tooLarge = (what: string, cap: number) => new ElicenseError('INPUT_TOO_LARGE', `${what} is limited to ${cap} bytes`, { limitBytes: cap });

/**
 * The full-form licence in a JSON body, as before the other forms existed:
 * the licence itself, or `{"fullForm": <full form>}`. Anything else: 400.
 */
export function fullFormOf(body: unknown): Record<string, unknown> {
  if (body === undefined) throw new ElicenseError('INPUT_UNREADABLE', 'send the licence as a JSON body (Content-Type: application/json), or an image or PDF with its media type');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ElicenseError('INPUT_UNREADABLE', 'the body must be a JSON object: a full-form licence, {"fullForm": ...} or {"qr": "LC1:..."}');
  const record = body as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'fullForm') return fullFormOf(record['fullForm']);
  // An annotated copy (加注件) carries its original: the verifier judges the copy and the original together.
  if (isAnnotatedCopyDocument(record)) return record;
  if (!('format' in record) || !('license' in record) || !('signature' in record) || keys.some((k) => !FULL_FORM_KEYS.has(k))) {
    throw new ElicenseError('INPUT_UNREADABLE', 'not a full-form licence: expected {format, license, signature, timestamp?, attachments?}, {"fullForm": ...} or {"qr": "LC1:...", "fullForm"?: ...}');
  }
  return record;
}

/**
 * A JSON document as POST /v1/verifications takes it (the body, or one item of a batch): {"qr": ...} is QR
 * text, anything else must be a full form (fullFormOf: INPUT_UNREADABLE when it is not).
 */
export function presentedJsonBody(body: unknown): PresentedForm {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'qr' in body) return presentedFromJson(body);
  return { kind: 'full-form', form: 'full-form', document: fullFormOf(body) };
}

/** What the node needs to read an upload: its image reader pool and what an expensive form costs. */
export interface UploadReading {
  readQr(image: Uint8Array): Promise<ImageOutcome<string>>;
  uploadRateCost: number;
}

/**
 * What POST /v1/verifications was sent, as a presented form:
 *  - JSON (parsed strictly by the app): a full form, {"fullForm": ...}, or {"qr": "LC1:...", "fullForm"?: ...};
 *  - raw bytes (image/png, image/jpeg, application/pdf, text/plain, application/octet-stream),
 *    whose form is detected from the content, not from the declared type.
 * 413 beyond the cap of the declared type (from Content-Length, before reading)
 * or of the detected form (before parsing); 400 when the bytes are no form at all.
 * An image or PDF is charged `uploadRateCost` units of the caller's rate limit before it is read.
 */
export async function readVerificationRequest(req: Request, res: Response, reading: UploadReading): Promise<PresentedForm> {
  if (!Buffer.isBuffer(req.body) && req.body !== undefined) return presentedJsonBody(req.body);
  const declared = UPLOADS.get((req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase());
  if (declared) {
    const length = Number(req.get('content-length'));
    if (Number.isFinite(length) && length > declared.cap) {
      // Answer now, without reading (or draining) the body, and drop the connection it would arrive on.
      res.setHeader('Connection', 'close');
      throw tooLarge(declared.what, declared.cap);
    }
  }
  const bytes = !declared
    ? undefined
    : await new Promise<Buffer | undefined>((resolve, reject) => {
        declared.read(req, res, (err?: unknown) => {
          if (err) {
            const e = err as { type?: string };
            reject(e.type === 'entity.too.large' ? tooLarge(declared.what, declared.cap) : new ElicenseError('INPUT_MALFORMED', 'request body could not be read'));
          } else resolve(Buffer.isBuffer(req.body) ? (req.body as Buffer) : undefined);
        });
      });
  if (bytes === undefined || bytes.length === 0) return { kind: 'full-form', form: 'full-form', document: fullFormOf(undefined) };
  const form = detectForm(bytes);
  if (form in FORM_BYTE_CAPS) {
    const cap = FORM_BYTE_CAPS[form as keyof typeof FORM_BYTE_CAPS];
    if (bytes.length > cap) throw tooLarge(FORM_NAMES[form as keyof typeof FORM_BYTE_CAPS], cap);
  }
  if (EXPENSIVE_FORMS.has(form) && reading.uploadRateCost > 1) await req.chargeRateLimit(reading.uploadRateCost - 1);
  const presented = await readPresentedForm(bytes, reading.readQr);
  if (presented.kind === 'unreadable') {
    if (presented.code === 'INPUT_TOO_LARGE') throw new ElicenseError('INPUT_TOO_LARGE', presented.message);
    if (presented.form === 'unknown') throw new ElicenseError('INPUT_UNREADABLE', presented.message);
  }
  return presented;
}
