import { createHash } from 'node:crypto';
import { ElicenseError } from '../errors';
import type { LicenseAttachments } from '../format/FullForm';
import { decodeRasterImage } from '../forms/image/decodeRasterImage';
import type { TypeStandard } from '../standards/generated/TypeStandard';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Decoding a photo of at most 720×960 pixels takes about 15 MB in the JPEG decoder; 32 MB leaves room. */
const PHOTO_DECODE_MB = 32;

/** A photo as a draft sends it. */
export interface DraftPhoto {
  mediaType: string;
  /** The image, base64. */
  data: string;
}

interface PhotoIssue {
  path: string;
  code: string;
  message: string;
}

/**
 * The photo fields of a draft (docs/adr/0010): every image the draft sends must be one of the type's photo
 * fields, in an allowed media type whose bytes really are that type, within the standard's byte and pixel
 * bounds, and must decode. Each becomes a reference {mediaType, sha256} in the face data, and its bytes an
 * attachment of the full form. A face field holding a reference the issuer wrote itself is refused: the
 * node computes the digest from the bytes it signs for. PHOTO_INVALID (422) lists every problem.
 */
export function photoReferences(
  draft: { photos?: Record<string, DraftPhoto> | undefined; extendInfo: Record<string, unknown> },
  standard: TypeStandard,
): { references: Record<string, { mediaType: string; sha256: string }> | undefined; attachments: LicenseAttachments } {
  const specs = standard.photos ?? {};
  const problems: PhotoIssue[] = [];
  const references: Record<string, { mediaType: string; sha256: string }> = {};
  const attachments: LicenseAttachments = {};
  const face = (draft.extendInfo ?? {}) as Record<string, unknown>;
  for (const field of Object.keys(specs)) {
    if (face[field] !== undefined) problems.push({ path: `/extendInfo/${field}`, code: 'PHOTO_IN_FACE', message: `send the image in photos.${field}; the node writes the reference` });
  }
  const photos = draft.photos ?? {};
  if (typeof photos !== 'object' || photos === null || Array.isArray(photos)) {
    throw new ElicenseError('PHOTO_INVALID', 'photos must be an object keyed by photo field', { errors: [{ path: '/photos', code: 'PHOTO_INVALID', message: 'not an object' }] });
  }
  for (const [field, photo] of Object.entries(photos)) {
    const path = `/photos/${field}`;
    const spec = specs[field];
    if (!spec) {
      problems.push({ path, code: 'PHOTO_FIELD_UNKNOWN', message: `${standard.slug} ${standard.version} has no photo field ${field}` });
      continue;
    }
    const p = photo as { mediaType?: unknown; data?: unknown } | null;
    if (typeof p !== 'object' || p === null || typeof p.mediaType !== 'string' || typeof p.data !== 'string') {
      problems.push({ path, code: 'PHOTO_INVALID', message: 'a photo is {mediaType, data (base64)}' });
      continue;
    }
    if (!(spec.mediaTypes as readonly string[]).includes(p.mediaType)) {
      problems.push({ path: `${path}/mediaType`, code: 'PHOTO_MEDIA_TYPE', message: `allowed: ${spec.mediaTypes.join(', ')}` });
      continue;
    }
    if (p.data.length > Math.ceil(spec.maxBytes / 3) * 4 + 4 || p.data.length % 4 !== 0 || !BASE64.test(p.data)) {
      problems.push({ path: `${path}/data`, code: p.data.length > Math.ceil(spec.maxBytes / 3) * 4 + 4 ? 'PHOTO_TOO_LARGE' : 'PHOTO_INVALID', message: `base64 of at most ${spec.maxBytes} bytes` });
      continue;
    }
    const bytes = Buffer.from(p.data, 'base64');
    if (bytes.length > spec.maxBytes) {
      problems.push({ path: `${path}/data`, code: 'PHOTO_TOO_LARGE', message: `${bytes.length} bytes, at most ${spec.maxBytes}` });
      continue;
    }
    const image = decodeRasterImage(bytes, { maxBytes: spec.maxBytes, maxPixels: spec.widthPx[1] * spec.heightPx[1], maxMemoryMB: PHOTO_DECODE_MB });
    if (!image.ok) {
      problems.push({ path: `${path}/data`, code: 'PHOTO_INVALID', message: image.message });
      continue;
    }
    const png = bytes[0] === 0x89;
    if ((p.mediaType === 'image/png') !== png) {
      problems.push({ path: `${path}/mediaType`, code: 'PHOTO_MEDIA_TYPE', message: `the bytes are ${png ? 'PNG' : 'JPEG'}, not ${p.mediaType}` });
      continue;
    }
    const { width, height } = image.value;
    if (width < spec.widthPx[0] || width > spec.widthPx[1] || height < spec.heightPx[0] || height > spec.heightPx[1]) {
      problems.push({ path: `${path}/data`, code: 'PHOTO_SIZE', message: `${width}×${height} px; allowed ${spec.widthPx.join('–')} × ${spec.heightPx.join('–')}` });
      continue;
    }
    references[field] = { mediaType: p.mediaType, sha256: createHash('sha256').update(bytes).digest('hex') };
    attachments[field] = { mediaType: p.mediaType as 'image/jpeg' | 'image/png', data: bytes.toString('base64') };
  }
  if (problems.length > 0) {
    throw new ElicenseError('PHOTO_INVALID', `photos: ${problems.map((p) => `${p.path} ${p.code} (${p.message})`).join('; ')}`, { errors: problems });
  }
  return { references: Object.keys(references).length > 0 ? references : undefined, attachments };
}
