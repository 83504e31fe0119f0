/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { businessLicenseRequest } from '../licenses/licenseRequests';

describe('POST /v1/verifications and the standards catalogue (public)', () => {
  let node: TestNode;
  let license: Record<string, any>;
  beforeAll(async () => {
    node = await startTestNode();
    const r = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('business-licence'), json: businessLicenseRequest() });
    license = r.body;
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  const verify = (body: unknown) => http(node.url, 'POST', '/v1/verifications', { json: body });

  it('accepts a licence of this region with every check passed except recognition', async () => {
    const r = await verify(license);
    expect(r.status).toBe(200);
    expect(r.body.result).toBe('accepted');
    const byCheck = Object.fromEntries(r.body.checks.map((c: any) => [c.check, c.status]));
    expect(byCheck).toMatchObject({ format: 'passed', schema: 'passed', identifier: 'passed', signature: 'passed', chain: 'passed', issuer: 'passed', validity: 'passed', status: 'passed' });
    expect(r.body.trust.source).toMatch(/region 350000/);
  });

  it('a tampered licence: 200 rejected with SIGNATURE_INVALID', async () => {
    const tampered = JSON.parse(JSON.stringify(license));
    tampered.license.certificateHolderName = '张三';
    const r = await verify(tampered);
    expect(r.status).toBe(200);
    expect(r.body.result).toBe('rejected');
    expect(r.body.reasons).toContain('SIGNATURE_INVALID');
  });

  it('a licence naming a status entry or identifier it was not issued with is rejected', async () => {
    const moved = JSON.parse(JSON.stringify(license));
    moved.license.statusEntry.index += 1;
    expect((await verify(moved)).body.result).toBe('rejected');
  });

  it('a licence from another region: 200 rejected, chain untrusted, status not covered', async () => {
    const golden = JSON.parse(readFileSync(join(__dirname, '../../golden/licences/business-licence.elic.json'), 'utf8'));
    const r = await verify(golden);
    expect(r.status).toBe(200);
    expect(r.body.result).toBe('rejected');
    expect(r.body.reasons).toContain('CHAIN_UNTRUSTED');
  });

  it('garbage: 400 problem+json', async () => {
    for (const raw of ['"hello"', '[1,2,3]', '{}', '{"format":"elicense/full@1"}', '{"fullForm": 42}', 'not json']) {
      const r = await http(node.url, 'POST', '/v1/verifications', { raw });
      expect({ raw, status: r.status }).toEqual({ raw, status: 400 });
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    const empty = await http(node.url, 'POST', '/v1/verifications', {});
    expect(empty.status).toBe(400);
  });

  it('counts verifications by type, department and result', async () => {
    const text = await node.services.metrics.registry.getSingleMetricAsString('elicense_verifications_total');
    expect(text).toMatch(/result="accepted"/);
  });

  describe('standards', () => {
    it('lists the catalogue with an ETag and answers 304 to If-None-Match', async () => {
      const r = await http(node.url, 'GET', '/v1/standards');
      expect(r.status).toBe(200);
      expect(r.body.types.length).toBeGreaterThanOrEqual(8);
      const business = r.body.types.filter((t: any) => t.slug === 'business-licence');
      // The national code in force first; the replaced placeholder stays listed, pointing at its successor.
      expect(business).toEqual([
        expect.objectContaining({ typeCode: '11100000MB0143028R001', version: '1.1.0', placeholders: { typeCode: false, definingAuthorityUscc: false }, replacesTypeCode: '11100000PH00000122901' }),
        expect.objectContaining({ typeCode: '11100000PH00000122901', version: '1.0.0', placeholders: { typeCode: true, definingAuthorityUscc: true }, supersededBy: { typeCode: '11100000MB0143028R001', version: '1.1.0' } }),
      ]);
      expect(r.body.envelopes.map((e: any) => e.version)).toEqual(['1.0.0', '1.1.0']);
      expect(r.body.envelope.version).toBe('urn:elicense:standards:envelope:licence-record:1.1.0');
      const etag = r.headers.get('etag')!;
      expect(etag).toMatch(/^".+"$/);
      const again = await http(node.url, 'GET', '/v1/standards', { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
    });

    it('serves one standard in full by code or slug; unknown is 404', async () => {
      const byCode = await http(node.url, 'GET', '/v1/standards/11100000MB0143028R001');
      expect(byCode.status).toBe(200);
      const replaced = await http(node.url, 'GET', '/v1/standards/11100000PH00000122901');
      expect(replaced.body).toMatchObject({ slug: 'business-licence', version: '1.0.0', typeCode: '11100000PH00000122901' });
      expect(byCode.body).toMatchObject({ slug: 'business-licence', faceSchema: expect.any(Object), labels: expect.any(Object), qrFields: expect.any(Array) });
      const bySlug = await http(node.url, 'GET', '/v1/standards/business-licence');
      expect(bySlug.text).toBe(byCode.text);
      expect((await http(node.url, 'GET', '/v1/standards/nothing')).status).toBe(404);
      expect((await http(node.url, 'GET', '/v1/standards/business-licence?version=0.0.1')).status).toBe(404);
    });
  });
});
