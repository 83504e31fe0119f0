/**
 * The photos a full form carries (issue 13, docs/adr/0010 §4): bound to the signed record by the SHA-256
 * its photo field holds, checked as the `attachments` step of every full-form verification — on its own
 * and inside a PDF. A swapped, missing, unreferenced, malformed or oversized photo rejects the licence.
 */
import { readFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { base64Length, MAX_ATTACHMENTS_BYTES, MAX_FULL_FORM_BYTES, type FullForm } from '../../src/format/FullForm';
import type { ReasonCode } from '../../src/format/reasonCodes';
import { addSignaturePlaceholder, contentsCapacity } from '../../src/forms/pdf/addSignaturePlaceholder';
import { applyPadesSignature } from '../../src/forms/pdf/applyPadesSignature';
import { embedFullForm } from '../../src/forms/pdf/embedFullForm';
import { LicenseFonts } from '../../src/forms/pdf/LicenseFonts';
import { renderLicensePdf } from '../../src/forms/pdf/renderLicensePdf';
import { encodeCompactLicense, MAX_COMPACT_TEXT } from '../../src/forms/qr/compactLicense';
import { loadNodeConfig } from '../../src/region/NodeConfig';
import { repoPath } from '../../src/repoPath';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { verifyAnyForm } from '../../src/verify/forms/verifyAnyForm';
import { verifyCompactLicense } from '../../src/verify/forms/verifyCompactLicense';
import { verifyLicensePdf } from '../../src/verify/forms/verifyLicensePdf';
import type { VerificationResult } from '../../src/verify/VerificationResult';
import { verifyLicense } from '../../src/verify/verifyLicense';
import { base64, NOW, portrait, region110, sampleDraft, type IssuedLicense, type Region110 } from '../forms/pdf/faces110Region';

const catalog = StandardsCatalog.load();
const fonts = LicenseFonts.load();
const driverJpg = new Uint8Array(readFileSync(repoPath('fixtures', 'photos', 'driver.jpg')));
/** Another valid photo of the same kind: what a forger would swap in. */
const otherJpg = portrait({ width: 360, height: 480, background: [250, 250, 250], clothes: [120, 30, 30] });

let region: Region110;
let driving: IssuedLicense;
let title: IssuedLicense;

/** The sample driving licence (fixtures/data) with this JPEG as its photo. */
const drivingLicence = (jpg: Uint8Array) => ({ ...sampleDraft('driving-licence'), photos: { photo: { mediaType: 'image/jpeg', data: base64(jpg) } } });
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const bytesOf = (f: unknown) => Buffer.from(JSON.stringify(f));
const verifyFull = (form: unknown) => verifyLicense(bytesOf(form), { trust: region.trust, catalog, at: NOW });
const attachmentsCheck = (r: VerificationResult) => r.checks.find((c) => c.check === 'attachments')!;

/** A signed PDF around any full form (tampered ones included), as the department would sign it: only the attachments differ. */
async function signedPdfAround(form: FullForm, lic: IssuedLicense): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const page = doc.addPage([595.28, 841.89]);
  embedFullForm(doc, form, NOW);
  const signer = region.signerOf(lic.department);
  addSignaturePlaceholder(doc, page, { capacity: contentsCapacity(signer), at: NOW, signerName: lic.department.name });
  return applyPadesSignature(await doc.save({ useObjectStreams: false, updateFieldAppearances: false }), signer);
}

/** A baseline JPEG of exactly `size` bytes: a real photo padded with a comment segment after SOI. */
function jpegOfSize(photo: Uint8Array, size: number): Uint8Array {
  const pad = size - photo.length - 4;
  if (pad < 0 || pad > 65533) throw new Error('cannot pad to that size');
  const com = Buffer.alloc(4 + pad, 0x20);
  com[0] = 0xff;
  com[1] = 0xfe;
  com.writeUInt16BE(pad + 2, 2);
  return new Uint8Array(Buffer.concat([Buffer.from(photo.subarray(0, 2)), com, Buffer.from(photo.subarray(2))]));
}

beforeAll(async () => {
  region = await region110(catalog);
  driving = await region.issue('driving-licence', drivingLicence(driverJpg));
  title = await region.issue('real-estate-title', sampleDraft('real-estate-title'));
});

describe('attachments: a driving licence with its photo', () => {
  it('is issued under driving-licence 1.1.0 with the photo referenced in the signed face and carried as an attachment', () => {
    expect(driving.standard.version).toBe('1.1.0');
    // The fixture photo is padded base64 (the stray-bits case below relies on it).
    expect(base64(driverJpg)).toMatch(/=$/);
    const ref = (driving.form.license['extendInfo'] as Record<string, unknown>)['photo'];
    expect(ref).toEqual({ mediaType: 'image/jpeg', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(driving.form.attachments).toEqual({ photo: { mediaType: 'image/jpeg', data: base64(driverJpg) } });
  });

  it('verifies as a full form: accepted, the attachments check passed and names the bound photo', () => {
    const r = verifyFull(driving.form);
    expect(r.reasons).toEqual([]);
    expect(r.result).toBe('accepted');
    expect(r.checks.map((c) => c.check).slice(3, 5)).toEqual(['signature', 'attachments']);
    expect(attachmentsCheck(r)).toMatchObject({ status: 'passed', detail: expect.stringContaining('photo photo bound by SHA-256') });
    // The answer carries the bound photo, so a window can compare the face with the person.
    expect(r.photos).toEqual({ photo: driving.form.attachments!['photo'] });
  });

  it('passes the attachments check of a licence without photos, and says so', () => {
    const r = verifyFull(title.form);
    expect(r.reasons).toEqual([]);
    expect(attachmentsCheck(r)).toMatchObject({ status: 'passed', detail: expect.stringContaining('no photos') });
    expect(r).not.toHaveProperty('photos');
  });

  it('verifies inside its signed PDF (the photo drawn, the full form with its attachment embedded)', async () => {
    const pdf = await renderLicensePdf(driving.form, { standard: driving.standard, qrText: 'LC1:TEST', signer: region.signerOf(driving.department), at: NOW, fonts });
    const r = await verifyLicensePdf(pdf, { trust: region.trust, catalog, at: NOW });
    expect(r.reasons).toEqual([]);
    expect(r.result).toBe('accepted');
    expect(attachmentsCheck(r).status).toBe('passed');
    expect(r.pdf).toMatchObject({ signed: true, signatureValid: true, coversWholeFile: true });
  });

  it('a licence with a photo of the largest size (64 KiB, 87,384 characters of base64) is read and accepted in every form', async () => {
    const big = jpegOfSize(driverJpg, 64 * 1024);
    const lic = await region.issue('driving-licence', drivingLicence(big));
    const json = bytesOf(lic.form);
    expect(json.length).toBeGreaterThan(base64Length(64 * 1024));
    expect(json.length).toBeLessThanOrEqual(MAX_FULL_FORM_BYTES);
    expect(verifyFull(lic.form).reasons).toEqual([]);
    expect((await verifyAnyForm(json, { trust: region.trust, catalog, at: NOW })).reasons).toEqual([]);
    const pdf = await renderLicensePdf(lic.form, { standard: lic.standard, qrText: 'LC1:TEST', signer: region.signerOf(lic.department), at: NOW, fonts });
    expect((await verifyLicensePdf(pdf, { trust: region.trust, catalog, at: NOW })).reasons).toEqual([]);
  });

  it('the node accepts such a full form over HTTP: the default JSON body limit holds a full form and its QR', () => {
    const config = loadNodeConfig({ ELICENSE_DATA_DIR: '/tmp/unused' });
    expect(config.bodyLimitBytes).toBeGreaterThanOrEqual(MAX_FULL_FORM_BYTES + MAX_COMPACT_TEXT + 1024);
  });
});

type Tamper = (form: FullForm) => void;
const photoOf = (form: FullForm) => form.attachments!['photo']!;

const TAMPERED: [string, ReasonCode, Tamper][] = [
  ['a swapped photo (another valid JPEG)', 'PHOTO_MISMATCH', (f) => void (photoOf(f).data = base64(otherJpg))],
  ['one byte of the photo changed', 'PHOTO_MISMATCH', (f) => {
    const b = Buffer.from(photoOf(f).data, 'base64');
    b[b.length - 10] = b[b.length - 10]! ^ 0x01;
    photoOf(f).data = b.toString('base64');
  }],
  ['the photo labelled image/png', 'PHOTO_MISMATCH', (f) => void (photoOf(f).mediaType = 'image/png')],
  ['a PNG of the photo in place of the JPEG', 'PHOTO_MISMATCH', (f) => void (f.attachments!['photo'] = { mediaType: 'image/png', data: base64(portrait({ width: 360, height: 480, png: true })) })],
  ['no attachments', 'PHOTO_MISSING', (f) => void delete f.attachments],
  ['the photo attached under another name', 'PHOTO_MISSING', (f) => void (f.attachments = { portrait: photoOf(f) })],
  ['an extra attachment nobody references', 'ATTACHMENT_UNREFERENCED', (f) => void (f.attachments!['signatureImage'] = { mediaType: 'image/png', data: base64(portrait({ width: 40, height: 20, png: true })) })],
  ['data that is not base64', 'ATTACHMENT_MALFORMED', (f) => void (photoOf(f).data = `${photoOf(f).data.slice(0, 100)}!!!!${photoOf(f).data.slice(104)}`)],
  ['base64 broken into lines', 'ATTACHMENT_MALFORMED', (f) => void (photoOf(f).data = photoOf(f).data.replace(/(.{76})/g, '$1\n'))],
  ['base64 without its padding', 'ATTACHMENT_MALFORMED', (f) => void (photoOf(f).data = photoOf(f).data.replace(/=+$/, ''))],
  ['base64 with stray bits before the padding (a second spelling of the same bytes)', 'ATTACHMENT_MALFORMED', (f) => {
    const data = photoOf(f).data;
    const i = data.replace(/=+$/, '').length - 1;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    photoOf(f).data = data.slice(0, i) + alphabet[alphabet.indexOf(data[i]!) ^ 1] + data.slice(i + 1);
  }],
  ['base64url in place of base64', 'ATTACHMENT_MALFORMED', (f) => void (photoOf(f).data = photoOf(f).data.replace(/\+/g, '-').replace(/\//g, '_'))],
  ['an attachment that is a string', 'ATTACHMENT_MALFORMED', (f) => void ((f.attachments as Record<string, unknown>)['photo'] = photoOf(f).data)],
  ['an attachment with an extra member', 'ATTACHMENT_MALFORMED', (f) => void ((photoOf(f) as unknown as Record<string, unknown>)['note'] = 'x')],
  ['attachments as a list', 'ATTACHMENT_MALFORMED', (f) => void ((f as unknown as Record<string, unknown>)['attachments'] = [photoOf(f)])],
  ['a photo beyond its field\'s 64 KiB', 'ATTACHMENT_TOO_LARGE', (f) => void (photoOf(f).data = base64(jpegOfSize(driverJpg, 65_536 + 1)))],
  ['attachments beyond 64 KiB together', 'ATTACHMENT_TOO_LARGE', (f) => void (f.attachments!['extra'] = { mediaType: 'image/jpeg', data: base64(jpegOfSize(driverJpg, 50_000)) })],
];

describe('attachments: tampered full forms are rejected with a stable reason', () => {
  it.each(TAMPERED)('%s → %s', (_what, code, tamper) => {
    const form = clone(driving.form);
    tamper(form);
    const r = verifyFull(form);
    expect(r.result).toBe('rejected');
    expect(r.reasons).toContain(code);
    expect(attachmentsCheck(r)).toMatchObject({ status: 'failed', reasons: expect.arrayContaining([code]) });
    // A photo that failed its binding never reaches the answer.
    expect(r).not.toHaveProperty('photos');
    // Only the attachments are wrong: the signed record still verifies.
    for (const c of r.checks) if (c.check !== 'attachments') expect({ check: c.check, status: c.status }).not.toEqual({ check: c.check, status: 'failed' });
  });

  it('an attachment on a licence whose type has no photos is unreferenced', () => {
    const form = clone(title.form);
    form.attachments = { photo: clone(photoOf(driving.form)) };
    const r = verifyFull(form);
    expect(r.result).toBe('rejected');
    expect(r.reasons).toEqual(['ATTACHMENT_UNREFERENCED']);
  });

  it('a full form beyond MAX_FULL_FORM_BYTES is refused before it is parsed (INPUT_TOO_LARGE)', () => {
    const form = clone(driving.form);
    form.attachments!['photo'] = { mediaType: 'image/jpeg', data: 'A'.repeat(MAX_FULL_FORM_BYTES) };
    const r = verifyFull(form);
    expect(r.reasons).toEqual(['INPUT_TOO_LARGE']);
  });

  it('the total cap is checked before any attachment is decoded', () => {
    expect(MAX_ATTACHMENTS_BYTES).toBe(64 * 1024);
    const form = clone(driving.form);
    form.attachments!['a'] = { mediaType: 'image/jpeg', data: '!'.repeat(base64Length(MAX_ATTACHMENTS_BYTES)) };
    const r = verifyFull(form);
    expect(attachmentsCheck(r).reasons).toEqual(['ATTACHMENT_TOO_LARGE']);
  });
});

describe('attachments: inside a PDF', () => {
  it.each(TAMPERED)('%s → %s', async (_what, code, tamper) => {
    const form = clone(driving.form);
    tamper(form);
    const r = await verifyLicensePdf(await signedPdfAround(form, driving), { trust: region.trust, catalog, at: NOW });
    expect(r.result).toBe('rejected');
    expect(r.reasons).toContain(code);
    // The PDF itself is signed and whole: it is the embedded licence's photo that fails.
    expect(r.pdf).toMatchObject({ signed: true, signatureValid: true, coversWholeFile: true });
    expect(r.reasons.filter((x) => x.startsWith('PDF_'))).toEqual([]);
  });

  it('the untampered form in the same kind of PDF is accepted (the harness adds nothing of its own)', async () => {
    const r = await verifyLicensePdf(await signedPdfAround(driving.form, driving), { trust: region.trust, catalog, at: NOW });
    expect(r.reasons).toEqual([]);
  });

  it('renderLicensePdf refuses to print a photo the licence does not reference (PHOTO_INVALID)', async () => {
    const form = clone(driving.form);
    photoOf(form).data = base64(otherJpg);
    await expect(renderLicensePdf(form, { standard: driving.standard, qrText: 'LC1:TEST', at: NOW, fonts })).rejects.toMatchObject({ code: 'PHOTO_INVALID' });
    delete form.attachments;
    await expect(renderLicensePdf(form, { standard: driving.standard, qrText: 'LC1:TEST', at: NOW, fonts })).rejects.toMatchObject({ code: 'PHOTO_INVALID' });
  });
});

describe('attachments: the QR', () => {
  // The social security card: its photo is a PNG, so both media types are covered.
  let card: IssuedLicense;
  let text: string;
  beforeAll(async () => {
    card = await region.issue('social-security-card', sampleDraft('social-security-card'));
    text = await encodeCompactLicense(card.form, card.standard, region.signerOf(card.department), NOW);
  });

  it('the card and its PNG photo verify as a full form', () => {
    expect(photoOf(card.form).mediaType).toBe('image/png');
    expect(verifyFull(card.form).reasons).toEqual([]);
  });

  it('carries no photo: the check is not applicable, with why, and the QR is accepted', () => {
    const r = verifyCompactLicense(text, { trust: region.trust, catalog, at: NOW });
    expect(r.reasons).toEqual([]);
    expect(r.result).toBe('accepted');
    expect(attachmentsCheck(r)).toMatchObject({ status: 'not_checked', detail: expect.stringContaining('a QR carries no photos') });
    expect(r.license?.['extendInfo']).not.toHaveProperty('photo');
    expect(r).not.toHaveProperty('photos');
  });

  it('with its full form presented beside it, a swapped photo in that full form fails the binding (FULL_FORM_MISMATCH)', () => {
    const swapped = clone(card.form);
    photoOf(swapped).data = base64(portrait({ width: 358, height: 441, png: true }));
    const good = verifyCompactLicense(text, { trust: region.trust, catalog, at: NOW, fullForm: card.form });
    expect(good.reasons).toEqual([]);
    expect(attachmentsCheck(good).detail).toContain('the full form presented with it was verified with its photos');
    const bad = verifyCompactLicense(text, { trust: region.trust, catalog, at: NOW, fullForm: swapped });
    expect(bad.result).toBe('rejected');
    expect(bad.reasons).toEqual(['FULL_FORM_MISMATCH']);
  });
});
