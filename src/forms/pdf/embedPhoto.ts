import { createHash } from 'node:crypto';
import type { PDFDocument } from 'pdf-lib';
import { ElicenseError } from '../../errors';
import type { FullForm } from '../../format/FullForm';
import type { TypeStandard } from '../../standards/generated/TypeStandard';
import type { FacePhoto } from './drawLicenseFace';

/** The photo a licence prints: its face field, media type and bytes. */
export interface LicensePhoto {
  field: string;
  mediaType: 'image/jpeg' | 'image/png';
  bytes: Uint8Array;
}

/**
 * The photo to print on a licence's page: the first photo field of its type standard that the signed face
 * references, with the bytes of the form's attachment for it. Those bytes must be the ones the reference
 * binds (SHA-256 and media type): a page never shows a photo the department did not sign for, and a
 * form that has lost its photo is refused (PHOTO_INVALID) rather than printed without one.
 */
export function licensePhoto(form: FullForm, standard: TypeStandard): LicensePhoto | undefined {
  const face = (form.license['extendInfo'] ?? {}) as Record<string, unknown>;
  for (const field of Object.keys(standard.photos ?? {})) {
    const ref = Object.hasOwn(face, field) ? (face[field] as { mediaType?: unknown; sha256?: unknown } | null) : undefined;
    if (ref === undefined) continue;
    const attachment = form.attachments && Object.hasOwn(form.attachments, field) ? form.attachments[field] : undefined;
    if (!attachment) throw new ElicenseError('PHOTO_INVALID', `the licence references photo ${field} but its full form carries no attachment for it`);
    const bytes = Buffer.from(attachment.data, 'base64');
    if (ref === null || attachment.mediaType !== ref.mediaType || createHash('sha256').update(bytes).digest('hex') !== ref.sha256) {
      throw new ElicenseError('PHOTO_INVALID', `the attachment ${field} of the full form is not the photo the licence references`);
    }
    return { field, mediaType: attachment.mediaType, bytes };
  }
  return undefined;
}

/** Embeds the photo as an image XObject (JPEG as it is, PNG re-encoded by pdf-lib). */
export async function embedPhoto(doc: PDFDocument, photo: LicensePhoto): Promise<FacePhoto> {
  const image = photo.mediaType === 'image/png' ? await doc.embedPng(photo.bytes) : await doc.embedJpg(photo.bytes);
  return { ref: image.ref, width: image.width, height: image.height };
}
