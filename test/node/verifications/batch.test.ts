/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_VERIFICATION_BODY_BYTES, MAX_BATCH_VERIFICATIONS } from '../../../src/http/routes/verifications/batchVerificationRoute';
import { http, type HttpResult } from '../helpers/http';
import { clearOfWindowEnd } from '../helpers/rateWindows';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { issueBusinessLicenceWithQr } from '../licenses/licenseRequests';

/**
 * POST /v1/verifications/batch (issue 17 item 4): one result per item in order, each exactly what the single
 * route answers; bad items fail alone; every item is charged to the caller's rate limit. Each test speaks as
 * its own client (X-Forwarded-For, one trusted proxy hop), so the small public limit set here is per test.
 */
describe('POST /v1/verifications/batch', () => {
  let node: TestNode;
  let license: Record<string, any>;
  let qrText: string;
  let clients = 0;
  const client = () => `198.51.100.${++clients}`;
  const PUBLIC_LIMIT = 40;

  beforeAll(async () => {
    node = await startTestNode({
      env: {
        ELICENSE_TRUST_PROXY_HOPS: '1',
        ELICENSE_PUBLIC_RATE_LIMIT: String(PUBLIC_LIMIT),
        ELICENSE_PUBLIC_RATE_WINDOW_SECONDS: '3600',
        ELICENSE_KEY_RATE_LIMIT: '100000',
        ELICENSE_KEY_RATE_WINDOW_SECONDS: '3600',
      },
    });
    ({ license, qrText } = await issueBusinessLicenceWithQr(node));
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  const batch = (body: unknown, from = client()): Promise<HttpResult> => http(node.url, 'POST', '/v1/verifications/batch', { json: body, headers: { 'x-forwarded-for': from } });
  const single = (body: unknown, from = client()): Promise<HttpResult> => http(node.url, 'POST', '/v1/verifications', { json: body, headers: { 'x-forwarded-for': from } });
  /** What may differ between two verifications of the same document a moment apart. */
  const timeless = (result: Record<string, any>) => JSON.parse(JSON.stringify(result).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>'));

  it('answers one result per item, in order: good, tampered and malformed items side by side, each as the single route answers it', async () => {
    await clearOfWindowEnd(3600);
    const tampered = JSON.parse(JSON.stringify(license));
    tampered.license.certificateHolderName = '张三';
    const golden = JSON.parse(readFileSync(join(__dirname, '../../golden/licences/business-licence.elic.json'), 'utf8'));
    const items: unknown[] = [
      license, // 0 accepted
      tampered, // 1 rejected: SIGNATURE_INVALID
      { qr: qrText }, // 2 accepted (QR)
      42, // 3 no licence form
      { fullForm: license }, // 4 accepted (wrapped)
      {}, // 5 no licence form
      'hello', // 6
      { qr: qrText, fullForm: license }, // 7 accepted, QR bound to the full form
      golden, // 8 rejected: another region's
      { qr: 17 }, // 9 rejected: "qr" must be text
      { format: 'elicense/full@1' }, // 10 no licence form
      [1, 2, 3], // 11
      null, // 12
    ];
    const r = await batch({ items });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body.results.map((x: any) => [x.index, x.status])).toEqual([
      [0, 'accepted'],
      [1, 'rejected'],
      [2, 'accepted'],
      [3, 'failed'],
      [4, 'accepted'],
      [5, 'failed'],
      [6, 'failed'],
      [7, 'accepted'],
      [8, 'rejected'],
      [9, 'rejected'],
      [10, 'failed'],
      [11, 'failed'],
      [12, 'failed'],
    ]);
    expect(r.body.summary).toEqual({ accepted: 4, rejected: 3, failed: 6 });
    expect(r.body.results[1].verification.reasons).toContain('SIGNATURE_INVALID');
    expect(r.body.results[8].verification.reasons).toContain('CHAIN_UNTRUSTED');
    for (const i of [3, 5, 6, 10, 11, 12]) expect(r.body.results[i].error).toMatchObject({ code: 'INPUT_UNREADABLE', detail: expect.any(String) });

    // Each verified item's answer is the single route's answer to the same document (same wire format).
    for (const i of [0, 1, 2, 4, 7, 8, 9]) {
      const one = await single(items[i]);
      expect(one.status).toBe(200);
      expect([i, timeless(r.body.results[i].verification)]).toEqual([i, timeless(one.body)]);
    }
    // ... and a malformed item fails with the code the single route refuses it with.
    const refused = await single(items[3]);
    expect([refused.status, refused.body.code]).toEqual([400, 'INPUT_UNREADABLE']);
  });

  it('refuses a presentation QR (LP1:, single use) per item with PRESENTATION_NOT_IN_BATCH; the other items are verified', async () => {
    const r = await batch({ items: [{ qr: 'LP1:eyJhbGciOiJFUzI1NiJ9.e30.AAAA' }, { qr: 'lp1:anything' }, license] });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: any) => x.error?.code ?? x.status)).toEqual(['PRESENTATION_NOT_IN_BATCH', 'PRESENTATION_NOT_IN_BATCH', 'accepted']);
  });

  it('never answers 500 to garbage items', async () => {
    const garbage: unknown[] = [
      { qr: '' },
      { qr: 'LC1:' },
      { qr: 'LC1:' + '%'.repeat(5000) },
      { qr: 'EAC1:broken' },
      { fullForm: null },
      { fullForm: { format: 'elicense/full@1', license: 'x', signature: 5 } },
      { format: 'elicense/full@1', license: {}, signature: 'a.b.c' },
      { format: 'elicense/full@1', license: { certificateIdentifier: 'x\u0000y', certificateIssuingAuthorityCode: '\u0000' }, signature: '..' },
      { annotatedCopy: {}, original: {}, signature: '' },
      { annotatedCopy: 1, original: license, signature: 'x.y.z' },
      { license: license['license'], signature: license['signature'], format: 'elicense/full@9' },
      true,
      -1,
      { a: { b: { c: { d: [[[[[[]]]]]] } } } },
    ];
    const r = await batch({ items: garbage });
    expect(r.status).toBe(200);
    expect(r.body.results).toHaveLength(garbage.length);
    r.body.results.forEach((x: any, i: number) => {
      expect(x.index).toBe(i);
      expect(['rejected', 'failed']).toContain(x.status);
      if (x.status === 'failed') expect(x.error.code).not.toBe('INTERNAL');
    });
  });

  it(`takes ${MAX_BATCH_VERIFICATIONS} full forms (a body larger than the node's own JSON limit) and refuses ${MAX_BATCH_VERIFICATIONS + 1} with 413 BATCH_TOO_LARGE`, async () => {
    const key = node.keys.issuerOf('business-licence');
    const full = await http(node.url, 'POST', '/v1/verifications/batch', { key, json: { items: new Array(MAX_BATCH_VERIFICATIONS).fill(license) } });
    expect(full.status).toBe(200);
    expect(full.body.summary).toEqual({ accepted: MAX_BATCH_VERIFICATIONS, rejected: 0, failed: 0 });
    expect(full.body.results[MAX_BATCH_VERIFICATIONS - 1].index).toBe(MAX_BATCH_VERIFICATIONS - 1);
    expect(JSON.stringify({ items: new Array(MAX_BATCH_VERIFICATIONS).fill(license) }).length).toBeGreaterThan(node.services.config.bodyLimitBytes);

    const over = await http(node.url, 'POST', '/v1/verifications/batch', { key, json: { items: new Array(MAX_BATCH_VERIFICATIONS + 1).fill({ qr: 'LC1:X' }) } });
    expect([over.status, over.body.code]).toEqual([413, 'BATCH_TOO_LARGE']);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
  }, 60_000);

  it('refuses a body over its own limit with 413 INPUT_TOO_LARGE; the single route keeps the node limit', async () => {
    const key = node.keys.issuerOf('business-licence');
    const pad = 'A'.repeat(Math.ceil(BATCH_VERIFICATION_BODY_BYTES / 900));
    const big = await http(node.url, 'POST', '/v1/verifications/batch', { key, json: { items: new Array(1000).fill({ qr: pad }) } });
    expect([big.status, big.body.code]).toEqual([413, 'INPUT_TOO_LARGE']);
    const three = JSON.stringify({ fullForm: { ...license, pad: 'x'.repeat(3 * 1024 * 1024) } });
    const one = await http(node.url, 'POST', '/v1/verifications', { key, raw: three });
    expect([one.status, one.body.code]).toEqual([413, 'INPUT_TOO_LARGE']);
  }, 60_000);

  it('refuses envelopes that are not {"items": [...]} with 422 SCHEMA_INVALID (and a non-JSON body with 415)', async () => {
    for (const body of [{}, { items: [] }, { items: {} }, { items: [license], extra: 1 }, [license]]) {
      const r = await batch(body);
      expect([JSON.stringify(body).slice(0, 40), r.status, r.body.code]).toEqual([JSON.stringify(body).slice(0, 40), 422, 'SCHEMA_INVALID']);
    }
    const empty = await http(node.url, 'POST', '/v1/verifications/batch', { headers: { 'x-forwarded-for': client() } });
    expect([empty.status, empty.body.code]).toEqual([422, 'SCHEMA_INVALID']);
    const text = await http(node.url, 'POST', '/v1/verifications/batch', { raw: 'LC1:X', headers: { 'content-type': 'text/plain', 'x-forwarded-for': client() } });
    expect([text.status, text.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const bad = await http(node.url, 'POST', '/v1/verifications/batch', { raw: '{"items": [1, 2', headers: { 'x-forwarded-for': client() } });
    expect(bad.status).toBe(400);
    const duplicate = await http(node.url, 'POST', '/v1/verifications/batch', { raw: '{"items": [1], "items": [2]}', headers: { 'x-forwarded-for': client() } });
    expect([duplicate.status, duplicate.body.code]).toEqual([400, 'JSON_DUPLICATE_KEY']);
  });

  it("charges every item to the caller's rate limit", async () => {
    await clearOfWindowEnd(3600);
    const from = client();
    // 40 a window: a batch of 30 spends 30 of them ...
    const first = await batch({ items: new Array(30).fill({ qr: 'LC1:X' }) }, from);
    expect(first.status).toBe(200);
    // ... so a batch of 11 no longer fits (the whole batch is refused, nothing is verified), with Retry-After ...
    const refused = await batch({ items: new Array(11).fill(license) }, from);
    expect([refused.status, refused.body.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // ... (the refused request itself counts as one, as any refused request does) while 9 single verifications do, and then nothing more.
    for (let i = 0; i < 9; i++) expect((await single({ qr: 'LC1:X' }, from)).status).toBe(200);
    expect((await single({ qr: 'LC1:X' }, from)).status).toBe(429);
    // A batch larger than the whole limit is told so.
    const huge = await batch({ items: new Array(PUBLIC_LIMIT + 1).fill({ qr: 'LC1:X' }) }, client());
    expect([huge.status, huge.body.code]).toEqual([429, 'RATE_LIMITED']);
    expect(huge.body.detail).toMatch(/smaller batches/);
  });

  it('answers the example of the OpenAPI document ("Try it out") with 200 and a result per item', async () => {
    const doc = await http(node.url, 'GET', '/openapi.json');
    const op = doc.body.paths['/v1/verifications/batch'].post;
    const example = op.requestBody.content['application/json'].example;
    const r = await batch(example);
    expect(r.status).toBe(200);
    expect(r.body.results).toHaveLength(example.items.length);
    expect(r.body.results.every((x: any) => x.status === 'rejected' && x.verification.reasons.length > 0)).toBe(true);
  });

  it('counts every verified item in the metrics and the statistics', async () => {
    const metric = async () => {
      const text = await node.services.metrics.registry.getSingleMetricAsString('elicense_verifications_total');
      return [...text.matchAll(/^elicense_verifications_total\{[^}]*result="accepted"[^}]*\} (\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0);
    };
    const statistics = async () => {
      const r = await http(node.url, 'GET', '/v1/statistics?by=result&granularity=hour', { key: node.keys.auditor });
      return Object.fromEntries(r.body.verifications.series.map((x: { key: string; total: number }) => [x.key, x.total])) as Record<string, number>;
    };
    const before = await metric();
    const counted = await statistics();
    const tampered = JSON.parse(JSON.stringify(license));
    tampered.license.certificateHolderName = '李四';
    const r = await batch({ items: [license, license, { qr: qrText }, 42, tampered] });
    expect(r.body.summary).toEqual({ accepted: 3, rejected: 1, failed: 1 });
    expect((await metric()) - before).toBe(3);
    const now = await statistics();
    expect([(now['accepted'] ?? 0) - (counted['accepted'] ?? 0), (now['rejected'] ?? 0) - (counted['rejected'] ?? 0)]).toEqual([3, 1]);
  });
});
