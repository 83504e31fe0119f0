import { createHash } from 'node:crypto';
import { base64Length, MAX_ATTACHMENTS_BYTES, type LicenseAttachment } from '../format/FullForm';
import type { ReasonCode } from '../format/reasonCodes';
import type { StandardsCatalog } from '../standards/StandardsCatalog';
import type { ResultBuilder } from './ResultBuilder';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const SIGNATURES: Record<string, readonly number[]> = {
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A member of a parsed JSON object, never one it inherits (a photo field could be called "constructor"). */
const own = (o: Record<string, unknown>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);

/**
 * Step 4b, attachments, of a full form (the one inside a PDF too): the images it carries beside the signed
 * record. Every photo reference {mediaType, sha256} in the signed face (the fields the type standard's
 * `photos` names) must have its attachment, whose bytes hash to that SHA-256 and are of that media type;
 * an attachment no reference names, malformed base64 or an image beyond its field's maxBytes (or all of
 * them beyond MAX_ATTACHMENTS_BYTES) fails too. The images are outside the signature, so this digest is all
 * that binds them: a swapped photo is PHOTO_MISMATCH and rejects the licence.
 */
export function checkAttachments(form: Record<string, unknown>, record: Record<string, unknown>, catalog: StandardsCatalog, rb: ResultBuilder): void {
  const fail = (code: ReasonCode, detail: string) => rb.fail('attachments', code, detail);
  const attachments = form['attachments'];
  if (attachments !== undefined && !isObject(attachments)) {
    fail('ATTACHMENT_MALFORMED', 'attachments must be an object keyed by photo field');
    return;
  }
  const carried = attachments ?? {};
  const typeCode = record['certificateTypeCode'];
  const version = record['standardVersion'];
  const standard = typeof typeCode === 'string' && typeof version === 'string' ? catalog.getType(typeCode, version) : undefined;
  if (!standard) {
    // The schema check has already failed on the type; with no standard no attachment can be bound.
    for (const field of Object.keys(carried)) fail('ATTACHMENT_UNREFERENCED', `attachment ${field}: the licence's type standard is unknown, so no photo field references it`);
    if (!rb.failed('attachments')) rb.notChecked('attachments', 'the type standard is unknown (see schema)');
    return;
  }

  // Bound the work before decoding anything.
  let total = 0;
  for (const a of Object.values(carried)) if (isObject(a) && typeof a['data'] === 'string') total += a['data'].length;
  if (total > base64Length(MAX_ATTACHMENTS_BYTES)) {
    fail('ATTACHMENT_TOO_LARGE', `the attachments hold ${total} characters of base64; at most ${base64Length(MAX_ATTACHMENTS_BYTES)} (${MAX_ATTACHMENTS_BYTES} bytes) together`);
    return;
  }

  const face = isObject(record['extendInfo']) ? record['extendInfo'] : {};
  const specs = standard.photos ?? {};
  const referenced = new Set<string>();
  const bound: string[] = [];
  for (const [field, spec] of Object.entries(specs)) {
    const ref = own(face, field);
    if (ref === undefined) continue; // an optional photo this licence does not have
    referenced.add(field);
    if (!isObject(ref) || typeof ref['mediaType'] !== 'string' || typeof ref['sha256'] !== 'string' || !SHA256_HEX.test(ref['sha256'])) {
      fail('PHOTO_MISMATCH', `photo field ${field} holds no reference {mediaType, sha256}`);
      continue;
    }
    const attachment = own(carried, field);
    if (attachment === undefined) {
      fail('PHOTO_MISSING', `photo ${field} is referenced by the signed record but the form carries no attachment ${field}`);
      continue;
    }
    if (!isObject(attachment) || Object.keys(attachment).some((k) => k !== 'mediaType' && k !== 'data') ||
        typeof attachment['mediaType'] !== 'string' || typeof attachment['data'] !== 'string') {
      fail('ATTACHMENT_MALFORMED', `attachment ${field} is not {mediaType, data}`);
      continue;
    }
    const data = attachment['data'];
    if (data.length > base64Length(spec.maxBytes)) {
      fail('ATTACHMENT_TOO_LARGE', `attachment ${field} is larger than the ${spec.maxBytes} bytes its type standard allows`);
      continue;
    }
    const bytes = canonicalBase64(data);
    if (!bytes) {
      fail('ATTACHMENT_MALFORMED', `attachment ${field}: data is not canonical base64`);
      continue;
    }
    if (bytes.length > spec.maxBytes) {
      fail('ATTACHMENT_TOO_LARGE', `attachment ${field} is ${bytes.length} bytes; its type standard allows ${spec.maxBytes}`);
      continue;
    }
    if (createHash('sha256').update(bytes).digest('hex') !== ref['sha256']) {
      fail('PHOTO_MISMATCH', `attachment ${field} is not the image the signed record references (another SHA-256)`);
      continue;
    }
    if (attachment['mediaType'] !== ref['mediaType'] || !startsWith(bytes, SIGNATURES[ref['mediaType']])) {
      fail('PHOTO_MISMATCH', `attachment ${field} is not of the media type the signed record references (${ref['mediaType']})`);
      continue;
    }
    bound.push(field);
  }
  for (const field of Object.keys(carried)) {
    if (!referenced.has(field)) fail('ATTACHMENT_UNREFERENCED', `attachment ${field}: no photo field of the signed record references it`);
  }
  if (rb.failed('attachments')) return;
  // Only photos bound to the signed record reach the answer, so a window can show the face it checked.
  if (bound.length > 0) rb.photos = Object.fromEntries(bound.map((f) => [f, carried[f] as LicenseAttachment]));
  rb.pass('attachments', bound.length === 0 ? 'no photos: the licence references none and the form carries none' : `${bound.map((f) => `photo ${f}`).join(', ')} bound by SHA-256 to the signed record`);
}

/** The bytes of padded base64 that is the one encoding of its bytes (no whitespace, no stray bits); null otherwise. */
function canonicalBase64(data: string): Buffer | null {
  if (data.length % 4 !== 0 || !BASE64.test(data)) return null;
  const bytes = Buffer.from(data, 'base64');
  return bytes.toString('base64') === data ? bytes : null;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[] | undefined): boolean {
  return prefix !== undefined && bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** What the QR verifier reports for this check: a QR never carries photos. */
export const QR_ATTACHMENTS_DETAIL = 'a QR carries no photos (never: photos travel with the full form and the PDF), so there is nothing to check here';
