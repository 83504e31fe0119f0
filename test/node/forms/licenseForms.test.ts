/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { readQrFromImage } from '../../../src/forms/image/readQrFromImage';
import { MAX_UPLOAD_BYTES } from '../../../src/http/routes/verifications/readVerificationRequest';
import { photoOfQr } from '../../forms/images/photoOfQr';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

const SAMPLES = loadSampleLicenses();
const BUSINESS = '11350100DM00000133';

describe('licence forms on the node: served, then verified', () => {
  let node: TestNode;
  /** Sample name (slug, or slug and face variant) → identifier, and → slug. */
  const ids = new Map<string, string>();
  const slugOf = new Map<string, string>();
  const path = (slug: string, suffix: string) => `/v1/licenses/${encodeURIComponent(ids.get(slug)!)}${suffix}`;

  beforeAll(async () => {
    node = await startTestNode();
    for (const s of SAMPLES) {
      const r = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf(s.slug), json: { type: s.slug, data: s.draft } });
      if (r.status !== 201) throw new Error(`issue ${s.name}: ${r.status} ${r.text.slice(0, 300)}`);
      ids.set(s.name, r.body.license.certificateIdentifier);
      slugOf.set(s.name, s.slug);
    }
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  const verifyJson = (body: unknown) => http(node.url, 'POST', '/v1/verifications', { json: body });
  const verifyBytes = (bytes: Uint8Array, type: string) => http(node.url, 'POST', '/v1/verifications', { raw: bytes, headers: { 'content-type': type } });
  const getBytes = async (p: string, key: string, headers: Record<string, string> = {}) => {
    const res = await fetch(node.url + p, { headers: { authorization: `Bearer ${key}`, ...headers } });
    return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
  };

  it.each(SAMPLES.map((s) => s.name))('%s: QR text, PNG, SVG and PDF are served and each verifies through POST /v1/verifications', async (slug) => {
    const key = node.keys.issuerOf(slugOf.get(slug)!);
    const txt = await getBytes(path(slug, '.qr.txt'), key);
    expect(txt.status).toBe(200);
    expect(txt.headers.get('content-type')).toMatch(/^text\/plain/);
    const qrText = Buffer.from(txt.bytes).toString('utf8').trim();
    expect(qrText).toMatch(/^LC1:[0-9A-Z $%*+\-./:]+$/);

    const png = await getBytes(path(slug, '.qr.png'), key);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(PNG.sync.read(Buffer.from(png.bytes)).width).toBeGreaterThan(100);
    const svg = await getBytes(path(slug, '.qr.svg'), key);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(Buffer.from(svg.bytes).toString('utf8')).toMatch(/^<svg /);
    const pdf = await getBytes(path(slug, '.pdf'), key);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(pdf.bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');

    for (const [label, r] of [
      ['qr json', await verifyJson({ qr: qrText })],
      ['qr text/plain', await verifyBytes(txt.bytes, 'text/plain')],
      ['qr png', await verifyBytes(png.bytes, 'image/png')],
    ] as const) {
      expect({ label, status: r.status, result: r.body.result, reasons: r.body.reasons }).toEqual({ label, status: 200, result: 'accepted', reasons: [] });
      expect(r.body.license.certificateIdentifier).toBe(ids.get(slug));
      // The node's own licence: its status comes from the database.
      expect(r.body.checks.find((c: any) => c.check === 'status').status).toBe('passed');
    }
    expect((await verifyBytes(png.bytes, 'image/png')).body.form).toBe('png');
    const viaPdf = await verifyBytes(pdf.bytes, 'application/pdf');
    expect(viaPdf.status).toBe(200);
    expect(viaPdf.body.form).toBe('pdf');
    expect({ result: viaPdf.body.result, reasons: viaPdf.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
  });

  describe('standards 1.1.0 over HTTP', () => {
    it('the driving licence comes back with its photo; its full form and PDF verify and answer with the bound photo', async () => {
      const key = node.keys.issuerOf('driving-licence');
      const got = await http(node.url, 'GET', path('driving-licence', ''), { key });
      expect(got.status).toBe(200);
      const form = got.body.fullForm ?? got.body;
      const full = typeof form === 'string' ? JSON.parse(form) : form;
      const sample = SAMPLES.find((s) => s.name === 'driving-licence')!;
      expect(full.attachments.photo.data).toBe(sample.draft.photos!['photo']!.data);
      const photo = full.license.extendInfo.photo;
      expect(photo.sha256).toBe(createHash('sha256').update(Buffer.from(sample.draft.photos!['photo']!.data, 'base64')).digest('hex'));
      const viaJson = await verifyJson(full);
      expect({ result: viaJson.body.result, reasons: viaJson.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
      expect(viaJson.body.photos.photo.data).toBe(full.attachments.photo.data);
      const pdf = await getBytes(path('driving-licence', '.pdf'), key);
      const viaPdf = await verifyBytes(pdf.bytes, 'application/pdf');
      expect({ result: viaPdf.body.result, photo: viaPdf.body.photos?.photo?.mediaType }).toEqual({ result: 'accepted', photo: 'image/jpeg' });
      const swapped = JSON.parse(JSON.stringify(full));
      const bytes = Buffer.from(swapped.attachments.photo.data, 'base64');
      bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 1;
      swapped.attachments.photo.data = bytes.toString('base64');
      const refused = await verifyJson(swapped);
      expect({ result: refused.body.result, reasons: refused.body.reasons, photos: refused.body.photos }).toEqual({ result: 'rejected', reasons: ['PHOTO_MISMATCH'], photos: undefined });
    });

    it('a real-estate title of two co-owners is found by either holder code, and its QR counts the co-owner', async () => {
      const sample = SAMPLES.find((s) => s.name === 'real-estate-title')!;
      expect(sample.draft.otherHolders).toHaveLength(1);
      const key = node.keys.issuerOf('real-estate-title');
      for (const code of [sample.draft.holder.code, sample.draft.otherHolders![0]!.code]) {
        const found = await http(node.url, 'GET', `/v1/licenses?holderCode=${encodeURIComponent(code)}`, { key });
        expect(found.body.items.map((i: any) => i.identifier)).toContain(ids.get('real-estate-title'));
      }
      const qr = Buffer.from((await getBytes(path('real-estate-title', '.qr.txt'), key)).bytes).toString('utf8').trim();
      const v = await verifyJson({ qr });
      expect(v.body.result).toBe('accepted');
      expect(v.body.license.certificateHolderName).toBe(sample.draft.holder.name);
    });

    it('a replaced type code is refused as superseded (422 STANDARD_SUPERSEDED, the successor named)', async () => {
      const sample = SAMPLES.find((s) => s.name === 'business-licence')!;
      const r = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('business-licence'), json: { typeCode: '11100000PH00000122901', data: sample.draft } });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('STANDARD_SUPERSEDED');
      expect(r.body.detail).toContain('11100000MB0143028R001');
    });

    it('a photo that is not an image is refused with its path (422 PHOTO_INVALID)', async () => {
      const sample = SAMPLES.find((s) => s.name === 'driving-licence')!;
      const data = { ...sample.draft, certificateNumber: 'PHOTO-BAD-1', photos: { photo: { mediaType: 'image/jpeg', data: Buffer.from('not a photo at all').toString('base64') } } };
      const r = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('driving-licence'), json: { type: 'driving-licence', data } });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('PHOTO_INVALID');
      expect(r.body.errors).toEqual([expect.objectContaining({ path: '/photos/photo/data' })]);
    });
  });

  it('a photo of the printed QR (JPEG, rotated, noisy) verifies', async () => {
    const text = (await getBytes(path('business-licence', '.qr.txt'), node.keys.issuerOf(BUSINESS))).bytes;
    const photo = photoOfQr(Buffer.from(text).toString('utf8').trim(), { rotate: 6, tilt: 0.1, noise: 10, quality: 55 });
    const r = await verifyBytes(photo, 'image/jpeg');
    expect(r.status).toBe(200);
    expect({ form: r.body.form, result: r.body.result }).toEqual({ form: 'jpeg', result: 'accepted' });
  });

  it('the QR binds to its full form when both are presented', async () => {
    const key = node.keys.issuerOf('business-licence');
    const qr = Buffer.from((await getBytes(path('business-licence', '.qr.txt'), key)).bytes).toString('utf8').trim();
    const full = (await http(node.url, 'GET', path('business-licence', ''), { key })).body;
    expect((await verifyJson({ qr, fullForm: full })).body.result).toBe('accepted');
    const otherFull = (await http(node.url, 'GET', path('food-business-permit', ''), { key })).body;
    const mismatch = await verifyJson({ qr, fullForm: otherFull });
    expect(mismatch.body.reasons).toContain('FULL_FORM_MISMATCH');
  });

  describe('serving', () => {
    it('same permissions as the JSON form: no key 401, another department 403, auditor and admin 200', async () => {
      const p = path('marriage-certificate', '.pdf');
      expect((await fetch(node.url + p)).status).toBe(401);
      expect((await getBytes(p, node.keys.issuerOf(BUSINESS))).status).toBe(403);
      expect((await getBytes(p, node.keys.auditor)).status).toBe(200);
      expect((await getBytes(path('marriage-certificate', '.qr.png'), node.keys.admin)).status).toBe(200);
      expect((await getBytes('/v1/licenses/1.2.156.3005.2.nope.qr.png', node.keys.admin)).status).toBeGreaterThanOrEqual(400);
    });

    it('strong ETag (SHA-256 of the stored bytes); private and revalidated; 304 on If-None-Match; after a revocation 410, whatever the tag', async () => {
      const key = node.keys.issuerOf('driving-licence');
      const p = path('driving-licence', '.qr.png');
      const first = await getBytes(p, key);
      const etag = first.headers.get('etag')!;
      expect(etag).toBe(`"${createHash('sha256').update(first.bytes).digest('hex')}"`);
      expect(first.headers.get('cache-control')).toBe('private, no-cache');
      expect(first.headers.get('elicense-licence-status')).toBe('valid');
      const again = await getBytes(p, key, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(again.bytes.length).toBe(0);
      // Each variant has its own tag.
      expect((await getBytes(path('driving-licence', '.qr.svg'), key)).headers.get('etag')).not.toBe(etag);

      const qrBefore = Buffer.from((await getBytes(path('driving-licence', '.qr.txt'), key)).bytes).toString('utf8').trim();
      const revoked = await http(node.url, 'POST', path('driving-licence', '/revoke'), { key, json: { reason: 'licence forms test' } });
      expect(revoked.status).toBe(200);
      const after = await getBytes(p, key, { 'if-none-match': etag });
      expect(after.status).toBe(410);
      expect(after.headers.get('etag')).toBeNull();
      expect(after.headers.get('elicense-licence-status')).toBe('revoked');
      // A QR handed out before the revocation is now rejected by the node.
      const r = await verifyJson({ qr: qrBefore });
      expect({ result: r.body.result, reasons: r.body.reasons }).toEqual({ result: 'rejected', reasons: ['LICENSE_REVOKED'] });
    });

    it('the PNG is the QR of the served text', async () => {
      const key = node.keys.issuerOf('degree-certificate');
      const png = await getBytes(path('degree-certificate', '.qr.png'), key);
      const read = await readQrFromImage(png.bytes);
      expect(read.ok && read.value.startsWith('LC1:')).toBe(true);
    });
  });

  describe('bad input to POST /v1/verifications', () => {
    it('the full-form JSON behaviour is unchanged, with the form named', async () => {
      const key = node.keys.issuerOf('social-security-card');
      const full = (await http(node.url, 'GET', path('social-security-card', ''), { key })).body;
      const r = await verifyJson(full);
      expect({ status: r.status, result: r.body.result, form: r.body.form }).toEqual({ status: 200, result: 'accepted', form: 'full-form' });
      expect((await verifyJson({ fullForm: full })).body.result).toBe('accepted');
    });

    it('an image without a QR, or with two: 200 rejected with QR_NOT_FOUND / QR_MULTIPLE', async () => {
      const blank = new PNG({ width: 200, height: 200 });
      blank.data.fill(255);
      const none = await verifyBytes(PNG.sync.write(blank), 'image/png');
      expect({ status: none.status, result: none.body.result, reasons: none.body.reasons }).toEqual({ status: 200, result: 'rejected', reasons: ['QR_NOT_FOUND'] });
      const two = await verifyBytes(photoOfQr('LC1:ONE', { alsoText: 'LC1:TWO', noise: 2, quality: 90 }), 'image/jpeg');
      expect(two.body.reasons).toEqual(['QR_MULTIPLE']);
    });

    it('QR text that is not ours: 200 rejected with the decoder\'s reason', async () => {
      expect((await verifyJson({ qr: 'HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDE' })).body.reasons).toEqual(['QR_PREFIX_INVALID']);
      expect((await verifyJson({ qr: 'LC1:!!!!' })).body.reasons).toEqual(['QR_ENCODING_INVALID']);
      expect((await verifyJson({ qr: 42 })).body.reasons).toEqual(['INPUT_MALFORMED']);
    });

    it('bytes that are no licence form: 400 problem+json, whatever the declared type', async () => {
      for (const [bytes, type] of [
        [Buffer.from('GIF89a not a png'), 'image/png'],
        [Buffer.from('this is not a PDF'), 'application/pdf'],
        [Buffer.from([0, 1, 2, 3]), 'application/octet-stream'],
      ] as const) {
        const r = await verifyBytes(bytes, type);
        expect({ type, status: r.status }).toEqual({ type, status: 400 });
        expect(r.headers.get('content-type')).toContain('application/problem+json');
      }
    });

    it(`an upload over ${MAX_UPLOAD_BYTES} bytes, or a PDF over the PDF verifier's cap: 413`, async () => {
      const big = Buffer.alloc(MAX_UPLOAD_BYTES + 1024, 0);
      Buffer.from('%PDF-1.7\n').copy(big);
      const r = await verifyBytes(big, 'application/pdf');
      expect(r.status).toBe(413);
      const pdfTooBig = Buffer.alloc(2 * 1024 * 1024, 0x20);
      Buffer.from('%PDF-1.7\n').copy(pdfTooBig);
      expect((await verifyBytes(pdfTooBig, 'application/pdf')).status).toBe(413);
    });
  });
  describe('after the department rotates its key', () => {
    it('the forms of an earlier licence are still signed by the key that signed it, until that key is withdrawn', async () => {
      const slug = 'social-security-card';
      const key = node.keys.issuerOf(slug);
      const license = (await http(node.url, 'GET', `/v1/licenses/${encodeURIComponent(ids.get(slug)!)}`, { key })).body.license;
      const uscc = license.certificateIssuingAuthorityCode;
      const firstBytes = (await getBytes(path(slug, '.pdf'), key)).bytes;
      const firstPdf = await verifyBytes(firstBytes, 'application/pdf');
      const originalKeyId = firstPdf.body.signer.keyId;

      const rotated = await http(node.url, 'POST', `/v1/departments/${uscc}/keys`, { key: node.keys.admin, json: {} });
      expect(rotated.status).toBe(201);
      expect(rotated.body.retired).toEqual([originalKeyId]);

      const pdf = await getBytes(path(slug, '.pdf'), key);
      expect(pdf.status).toBe(200);
      // The stored form: the rotation signs nothing new.
      expect(Buffer.compare(pdf.bytes, firstBytes)).toBe(0);
      const viaPdf = await verifyBytes(pdf.bytes, 'application/pdf');
      expect({ result: viaPdf.body.result, reasons: viaPdf.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
      expect(viaPdf.body.signer.keyId).toBe(originalKeyId);
      expect(viaPdf.body.pdf.signerKeyId).toBe(originalKeyId);
      const qr = Buffer.from((await getBytes(path(slug, '.qr.txt'), key)).bytes).toString('utf8').trim();
      expect((await verifyJson({ qr })).body.result).toBe('accepted');

      const withdrawn = await http(node.url, 'POST', `/v1/departments/${uscc}/keys/${originalKeyId}/withdraw`, { key: node.keys.admin, json: { reason: 'forms test' } });
      expect(withdrawn.status).toBe(200);
      // Withdrawn: stored or not, nothing signed by that key is given out.
      for (const suffix of ['.pdf', '.qr.png', '.qr.txt', '.qr.svg']) {
        const r = await http(node.url, 'GET', path(slug, suffix), { key });
        expect({ suffix, status: r.status, code: r.body?.code }).toEqual({ suffix, status: 409, code: 'LICENSE_SIGNER_UNAVAILABLE' });
        // Renamed from LICENCE_SIGNER_UNAVAILABLE: the old name stays as an alias a client can match.
        expect(r.body?.codeAliases).toEqual(['LICENCE_SIGNER_UNAVAILABLE']);
      }
    });
  });
});
