/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { renderQrPng } from '../../../src/forms/image/renderQrImage';
import { busyPng, greyPng, jpegDeclaring } from '../../forms/images/craftedImages';
import { photoOfQr } from '../../forms/images/photoOfQr';
import { http, type HttpResult } from '../helpers/http';
import { clearOfWindowEnd } from '../helpers/rateWindows';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { businessLicenseRequest } from '../licenses/licenseRequests';


/**
 * Uploads an attacker would send: images declaring huge canvases, many
 * laborious images at once, bodies over their form's cap, slow or idle
 * connections. Each test speaks as its own client (X-Forwarded-For, one
 * trusted proxy hop), so the small public limit set here is per test.
 */
describe('hostile uploads to POST /v1/verifications', () => {
  let node: TestNode;
  let clients = 0;
  const client = () => `198.51.100.${++clients}`;
  beforeAll(async () => {
    node = await startTestNode({
      env: {
        ELICENSE_TRUST_PROXY_HOPS: '1',
        ELICENSE_PUBLIC_RATE_LIMIT: '30',
        ELICENSE_PUBLIC_RATE_WINDOW_SECONDS: '3600',
        ELICENSE_UPLOAD_RATE_COST: '10',
        ELICENSE_IMAGE_WORKERS: '1',
        ELICENSE_IMAGE_QUEUE: '1',
        ELICENSE_HEADERS_TIMEOUT_MS: '1000',
        ELICENSE_REQUEST_TIMEOUT_MS: '5000',
        ELICENSE_KEEP_ALIVE_TIMEOUT_MS: '500',
      },
    });
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  const upload = (bytes: Uint8Array, type: string, from = client()): Promise<HttpResult> =>
    http(node.url, 'POST', '/v1/verifications', { raw: bytes, headers: { 'content-type': type, 'x-forwarded-for': from } });

  describe('images (item 6)', () => {
    it('a 23 KB PNG declaring 4898×4898 pixels is refused from its header: 413 INPUT_TOO_LARGE', async () => {
      const bomb = greyPng(4898, 4898);
      expect(bomb.length).toBeLessThan(100_000);
      const r = await upload(bomb, 'image/png');
      expect(r.status).toBe(413);
      expect(r.body).toMatchObject({ code: 'INPUT_TOO_LARGE' });
      expect(r.body.detail).toMatch(/4898×4898/);
    });

    it('a JPEG whose start-of-frame declares 4898×4898 pixels is refused the same way', async () => {
      const r = await upload(jpegDeclaring(photoOfQr('LC1:X', { modulePixels: 2 }), 4898, 4898), 'image/jpeg');
      expect(r.status).toBe(413);
      expect(r.body).toMatchObject({ code: 'INPUT_TOO_LARGE' });
    });

    it("a licence's own QR image is read (off the event loop) and accepted", async () => {
      const issued = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('business-licence'), json: businessLicenseRequest() });
      expect(issued.status).toBe(201);
      const png = await fetch(`${node.url}/v1/licenses/${issued.body.license.certificateIdentifier}.qr.png`, { headers: { authorization: `Bearer ${node.keys.issuerOf('business-licence')}` } });
      expect(png.status).toBe(200);
      const r = await upload(new Uint8Array(await png.arrayBuffer()), 'image/png');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ form: 'png', result: 'accepted' });
    });

    it('/healthz answers while big images decode; beyond the decode queue: 503 IMAGE_DECODER_BUSY with Retry-After', async () => {
      // One worker and a queue of one (see beforeAll): of four laborious uploads at once, two are read and two refused.
      const images = [1, 2, 3, 4].map((seed) => busyPng(4000, 8, seed));
      const pending = images.map((bytes) => upload(bytes, 'image/png'));
      const pool = node.services.qrImages;
      const started = Date.now();
      while (pool.inFlight === 0 && Date.now() - started < 10_000) await new Promise((ok) => setTimeout(ok, 10));
      expect(pool.inFlight).toBeGreaterThan(0);
      const health = await http(node.url, 'GET', '/healthz');
      const decodingWhenAnswered = pool.inFlight;
      const results = await Promise.all(pending);
      expect(health.status).toBe(200);
      // Answered while images were still being decoded: decoding does not hold the event loop.
      expect(decodingWhenAnswered).toBeGreaterThan(0);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 503, 503]);
      for (const busy of results.filter((r) => r.status === 503)) {
        expect(busy.body).toMatchObject({ code: 'IMAGE_DECODER_BUSY' });
        expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      for (const read of results.filter((r) => r.status === 200)) expect(read.body).toMatchObject({ form: 'png', result: 'rejected', reasons: ['QR_NOT_FOUND'] });
    }, 60_000);

    it("an image costs the client's rate limit ELICENSE_UPLOAD_RATE_COST units, a JSON verification one", async () => {
      await clearOfWindowEnd(3600);
      const from = client();
      const png = await renderQrPng('LC1:NOTALICENCE');
      // 30 units a window: three images spend them all ...
      for (let i = 0; i < 3; i++) expect((await upload(png, 'image/png', from)).status).toBe(200);
      // ... so even a cheap request is refused now, with Retry-After.
      const after = await http(node.url, 'POST', '/v1/verifications', { json: { qr: 'LC1:X' }, headers: { 'x-forwarded-for': from } });
      expect(after.status).toBe(429);
      expect(after.body).toMatchObject({ code: 'RATE_LIMITED' });
      // Another client is unaffected, and pays one unit per JSON verification.
      const other = client();
      for (let i = 0; i < 25; i++) expect((await http(node.url, 'POST', '/v1/verifications', { json: { qr: 'LC1:X' }, headers: { 'x-forwarded-for': other } })).status).toBe(200);
      // 25 spent: an image (10) no longer fits.
      expect((await upload(png, 'image/png', other)).status).toBe(429);
    });

    it('a PDF costs as much as an image, even when sent as application/octet-stream', async () => {
      await clearOfWindowEnd(3600);
      const from = client();
      const pdf = Buffer.from('%PDF-1.7\n% not really a licence\n%%EOF\n');
      for (let i = 0; i < 3; i++) expect((await upload(pdf, 'application/octet-stream', from)).status).toBe(200);
      expect((await upload(Buffer.from('LC1:X'), 'text/plain', from)).status).toBe(429);
    });
  });

  describe('size caps before parsing (item 7)', () => {
    /** Sends the headers and the first `sent` bytes of a body of `declared` bytes, and waits for an answer without sending the rest. */
    function partialUpload(type: string, declared: number, sent: Uint8Array): Promise<{ status: number; body: any }> {
      return new Promise((ok, fail) => {
        const req = httpRequest(`${node.url}/v1/verifications`, { method: 'POST', headers: { 'content-type': type, 'content-length': String(declared), 'x-forwarded-for': client() } });
        const timer = setTimeout(() => {
          req.destroy();
          fail(new Error('no answer before the whole body was sent: the body is read before its cap applies'));
        }, 4000);
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            clearTimeout(timer);
            req.destroy();
            ok({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          });
        });
        req.on('error', () => undefined);
        req.write(sent);
      });
    }

    it('an 11.6 MB PDF is refused 413 from its declared length, before the body is read or parsed', async () => {
      const r = await partialUpload('application/pdf', 11_600_000, Buffer.from('%PDF-1.7\n'));
      expect(r.status).toBe(413);
      expect(r.body).toMatchObject({ code: 'INPUT_TOO_LARGE' });
      expect(r.body.detail).toMatch(/PDF/);
    });

    it('QR text over its cap is refused from its declared length', async () => {
      const r = await partialUpload('text/plain', 100_000, Buffer.from('LC1:'));
      expect(r).toMatchObject({ status: 413, body: { code: 'INPUT_TOO_LARGE' } });
    });

    it('a JSON body over the body limit is refused from its declared length', async () => {
      const r = await partialUpload('application/json', 10 * 1024 * 1024, Buffer.from('{"qr": "'));
      expect(r).toMatchObject({ status: 413, body: { code: 'INPUT_TOO_LARGE' } });
    });

    it('an image over the image cap is refused from its declared length', async () => {
      const r = await partialUpload('image/png', 13 * 1024 * 1024, greyPng(10, 10));
      expect(r).toMatchObject({ status: 413, body: { code: 'INPUT_TOO_LARGE' } });
    });

    it('a PDF sent as application/octet-stream is held to the PDF cap before it is parsed', async () => {
      const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1_500_000, 0x20), Buffer.from('\n%%EOF\n')]);
      const r = await upload(pdf, 'application/octet-stream');
      expect(r.status).toBe(413);
      expect(r.body).toMatchObject({ code: 'INPUT_TOO_LARGE' });
      expect(r.body.detail).toMatch(/PDF/);
    });
  });

  describe('server timeouts (item 7)', () => {
    const openSocket = (): Promise<Socket> =>
      new Promise((ok, fail) => {
        const s = connect(node.services.config.port === 0 ? Number(new URL(node.url).port) : node.services.config.port, '127.0.0.1', () => ok(s));
        s.once('error', fail);
      });
    const closedWithin = (s: Socket, ms: number): Promise<{ closed: boolean; data: string }> =>
      new Promise((ok) => {
        let data = '';
        s.on('data', (d) => (data += d.toString('latin1')));
        const timer = setTimeout(() => ok({ closed: false, data }), ms);
        s.once('close', () => {
          clearTimeout(timer);
          ok({ closed: true, data });
        });
      });

    it('a client that never finishes its headers is cut off after ELICENSE_HEADERS_TIMEOUT_MS (408)', async () => {
      const s = await openSocket();
      s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      const r = await closedWithin(s, 4000);
      s.destroy();
      expect(r.closed).toBe(true);
      expect(r.data).toMatch(/^HTTP\/1\.1 408/);
    });

    it('a body that never finishes is cut off after ELICENSE_REQUEST_TIMEOUT_MS (408)', async () => {
      const s = await openSocket();
      s.write('POST /v1/verifications HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nLC1:');
      const r = await closedWithin(s, 9000);
      s.destroy();
      expect(r.closed).toBe(true);
      expect(r.data).toMatch(/^HTTP\/1\.1 408/);
    }, 15_000);

    it('an idle keep-alive connection is closed after ELICENSE_KEEP_ALIVE_TIMEOUT_MS', async () => {
      const s = await openSocket();
      s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.250\r\n\r\n');
      const r = await closedWithin(s, 3000);
      s.destroy();
      expect(r.data).toMatch(/^HTTP\/1\.1 200/);
      expect(r.closed).toBe(true);
    });
  });
});
