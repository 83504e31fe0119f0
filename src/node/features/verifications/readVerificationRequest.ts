import express, { type Request, type Response } from 'express';
import { ElicenseError } from '../../../errors';
import { presentedFromJson, readPresentedForm, type PresentedForm } from '../../../forms/verifyAnyForm';
import { FULL_FORM_KEYS } from '../../../license/FullForm';

/** Largest uploaded form (a phone photo of the QR, or the PDF); JSON bodies keep the node's body limit. */
export const MAX_UPLOAD_BYTES = 12 * 1024 * 1024;

/** Media types read as raw bytes; the form itself is then detected from the content. */
export const UPLOAD_TYPES = ['image/png', 'image/jpeg', 'application/pdf', 'text/plain', 'application/octet-stream'];

const readRaw = express.raw({ type: UPLOAD_TYPES, limit: MAX_UPLOAD_BYTES });

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
  if (!('format' in record) || !('license' in record) || !('signature' in record) || keys.some((k) => !FULL_FORM_KEYS.has(k))) {
    throw new ElicenseError('INPUT_UNREADABLE', 'not a full-form licence: expected {format, license, signature, timestamp?}, {"fullForm": ...} or {"qr": "LC1:...", "fullForm"?: ...}');
  }
  return record;
}

/**
 * What POST /v1/verifications was sent, as a presented form:
 *  - JSON (parsed strictly by the app): a full form, {"fullForm": ...}, or {"qr": "LC1:...", "fullForm"?: ...};
 *  - raw bytes (image/png, image/jpeg, application/pdf, text/plain, application/octet-stream),
 *    whose form is detected from the content, not from the declared type.
 * 413 beyond the size limit; 400 when the bytes are no form at all.
 */
export async function readVerificationRequest(req: Request, res: Response): Promise<PresentedForm> {
  if (!Buffer.isBuffer(req.body) && req.body !== undefined) {
    const body: unknown = req.body;
    if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'qr' in body) return presentedFromJson(body);
    return { kind: 'full-form', form: 'full-form', document: fullFormOf(body) };
  }
  const bytes = await new Promise<Buffer | undefined>((resolve, reject) => {
    readRaw(req, res, (err?: unknown) => {
      if (err) {
        const e = err as { type?: string };
        reject(e.type === 'entity.too.large' ? new ElicenseError('INPUT_TOO_LARGE', `uploads are limited to ${MAX_UPLOAD_BYTES} bytes`) : new ElicenseError('INPUT_MALFORMED', 'request body could not be read'));
      } else resolve(Buffer.isBuffer(req.body) ? (req.body as Buffer) : undefined);
    });
  });
  if (bytes === undefined || bytes.length === 0) return { kind: 'full-form', form: 'full-form', document: fullFormOf(undefined) };
  const presented = await readPresentedForm(bytes);
  if (presented.kind === 'unreadable') {
    if (presented.code === 'INPUT_TOO_LARGE') throw new ElicenseError('INPUT_TOO_LARGE', presented.message);
    if (presented.form === 'unknown') throw new ElicenseError('INPUT_UNREADABLE', presented.message);
  }
  return presented;
}
