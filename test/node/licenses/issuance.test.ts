/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { businessLicenseRequest } from './licenseRequests';

describe('issuance: idempotency, batches, concurrency', () => {
  let node: TestNode;
  let issuer: string;
  beforeAll(async () => {
    node = await startTestNode();
    issuer = node.keys.issuerOf('business-licence');
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  describe('Idempotency-Key', () => {
    it('a retry with the same key and body returns the same licence, marked Idempotent-Replayed', async () => {
      const body = businessLicenseRequest({ certificateNumber: 'IDEM-1' });
      const first = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: body, headers: { 'idempotency-key': 'order-1' } });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const again = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: body, headers: { 'idempotency-key': 'order-1' } });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.text).toBe(first.text);
      const listed = await http(node.url, 'GET', '/v1/licenses?holderCode=91350102EL0000017D&limit=500', { key: issuer });
      expect(listed.body.items.filter((i: any) => i.license.certificateNumber === 'IDEM-1')).toHaveLength(1);
    });

    it('the same key with a different body is a 409 IDEMPOTENCY_KEY_REUSED', async () => {
      const r = await http(node.url, 'POST', '/v1/licenses', {
        key: issuer,
        json: businessLicenseRequest({ certificateNumber: 'IDEM-OTHER' }),
        headers: { 'idempotency-key': 'order-1' },
      });
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('concurrent requests with one key create one licence', async () => {
      const body = businessLicenseRequest({ certificateNumber: 'IDEM-RACE' });
      const rs = await Promise.all(Array.from({ length: 5 }, () => http(node.url, 'POST', '/v1/licenses', { key: issuer, json: body, headers: { 'idempotency-key': 'race-1' } })));
      const ok = rs.filter((r) => r.status === 201);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(new Set(ok.map((r) => r.body.license.certificateIdentifier)).size).toBe(1);
      for (const r of rs.filter((x) => x.status !== 201)) expect(r.body.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
    });

    it('refuses a malformed key', async () => {
      const r = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: businessLicenseRequest(), headers: { 'idempotency-key': 'x'.repeat(300) } });
      expect(r.status).toBe(400);
    });
  });

  it('50 concurrent issuances: 50 distinct identifiers and status indexes', async () => {
    const rs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => http(node.url, 'POST', '/v1/licenses', { key: issuer, json: businessLicenseRequest({ certificateNumber: `CONC-${i}` }) })),
    );
    expect(rs.map((r) => r.status)).toEqual(Array(50).fill(201));
    const ids = new Set(rs.map((r) => r.body.license.certificateIdentifier));
    const slots = new Set(rs.map((r) => `${r.body.license.statusEntry.listId}#${r.body.license.statusEntry.index}`));
    expect(ids.size).toBe(50);
    expect(slots.size).toBe(50);
  }, 120_000);

  describe('batch', () => {
    it('issues 1,000 records: all created, distinct identifiers and status indexes', async () => {
      const records = Array.from({ length: 1000 }, (_, i) => ({ ...businessLicenseRequest({ certificateNumber: `BATCH-${i}` }), idempotencyKey: `batch-${i}` }));
      const started = Date.now();
      const r = await http(node.url, 'POST', '/v1/licenses/batch?return=minimal', { key: issuer, json: { records } });
      const seconds = (Date.now() - started) / 1000;
      expect(r.status).toBe(200);
      expect(r.body.summary).toEqual({ created: 1000, replayed: 0, failed: 0 });
      expect(new Set(r.body.results.map((x: any) => x.identifier)).size).toBe(1000);
      const stored = await Promise.all(r.body.results.slice(0, 1000).map((x: any) => node.services.stores.licenses.get(node.services.db, x.identifier)));
      expect(new Set(stored.map((l) => `${l!.statusListId}#${l!.statusIndex}`)).size).toBe(1000);
      // Re-running the same batch replays every record: no duplicates.
      const again = await http(node.url, 'POST', '/v1/licenses/batch?return=minimal', { key: issuer, json: { records } });
      expect(again.body.summary).toEqual({ created: 0, replayed: 1000, failed: 0 });
      expect(again.body.results.map((x: any) => x.identifier)).toEqual(r.body.results.map((x: any) => x.identifier));
      process.stdout.write(`batch of 1000 on ${node.kind}: ${seconds.toFixed(2)} s\n`);
    }, 300_000);

    it('a bad record fails alone; the others are issued; full forms are returned by default', async () => {
      const good = businessLicenseRequest({ certificateNumber: 'MIX-1' });
      const records = [
        good,
        { type: 'no-such-type', data: good.data },
        { ...good, data: { ...good.data, extendInfo: {} } },
        { ...businessLicenseRequest({ certificateNumber: 'MIX-3' }), idempotencyKey: 'mix-dup' },
        { ...businessLicenseRequest({ certificateNumber: 'MIX-3' }), idempotencyKey: 'mix-dup' },
        { ...businessLicenseRequest({ certificateNumber: 'MIX-2' }), idempotencyKey: 'mix-dup' },
        { type: 'marriage-certificate', data: good.data },
      ];
      const r = await http(node.url, 'POST', '/v1/licenses/batch', { key: issuer, json: { records } });
      expect(r.status).toBe(200);
      const status = r.body.results.map((x: any) => x.status);
      expect(status).toEqual(['created', 'failed', 'failed', 'created', 'replayed', 'failed', 'failed']);
      expect(r.body.results[1].error.code).toBe('TYPE_UNKNOWN');
      expect(r.body.results[2].error.code).toBe('SCHEMA_INVALID');
      expect(r.body.results[4].identifier).toBe(r.body.results[3].identifier);
      expect(r.body.results[5].error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(r.body.results[6].error.code).toBe('ISSUER_NOT_AUTHORIZED_FOR_TYPE');
      expect(r.body.results[0].license.format).toBe('elicense/full@1');
    });

    it('refuses more than 1,000 records (413) and a body without records', async () => {
      const records = Array.from({ length: 1001 }, () => ({ type: 'x', data: {} }));
      expect((await http(node.url, 'POST', '/v1/licenses/batch', { key: issuer, json: { records } })).body.code).toBe('BATCH_TOO_LARGE');
      expect((await http(node.url, 'POST', '/v1/licenses/batch', { key: issuer, json: { records: [] } })).status).toBe(422);
      expect((await http(node.url, 'POST', '/v1/licenses/batch', { key: issuer, json: [] })).status).toBe(422);
    });
  });

  it('counts issued licences in the metrics', async () => {
    const text = await node.services.metrics.registry.getSingleMetricAsString('elicense_licences_issued_total');
    expect(text).toMatch(/department="11350100DM00000133"/);
  });
});
