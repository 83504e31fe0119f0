/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { businessLicenseRequest } from './licenseRequests';

describe('issuance and lifecycle: bad input and access', () => {
  let node: TestNode;
  let issuer: string;
  let otherIssuer: string;
  let identifier: string;
  beforeAll(async () => {
    node = await startTestNode({ env: { ELICENSE_BODY_LIMIT_BYTES: String(256 * 1024) } });
    issuer = node.keys.issuerOf('business-licence');
    otherIssuer = node.keys.issuerOf('marriage-certificate');
    const r = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: businessLicenseRequest() });
    identifier = r.body.license.certificateIdentifier;
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  const issue = (json: unknown, key = issuer) => http(node.url, 'POST', '/v1/licenses', { key, json });
  const problem = (r: { status: number; headers: Headers; body: any }, status: number, code: string) => {
    expect({ status: r.status, code: r.body?.code }).toEqual({ status, code });
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  };

  it('unknown type: 422 TYPE_UNKNOWN', async () => {
    problem(await issue({ ...businessLicenseRequest(), type: 'no-such-licence' }), 422, 'TYPE_UNKNOWN');
    problem(await issue({ typeCode: '11100000PH00000122999', data: businessLicenseRequest().data }), 422, 'TYPE_UNKNOWN');
    problem(await issue({ type: 'business-licence', standardVersion: '9.9.9', data: businessLicenseRequest().data }), 422, 'TYPE_UNKNOWN');
  });

  it('data failing the type schema: 422 SCHEMA_INVALID with the issues', async () => {
    const req = businessLicenseRequest();
    const r = await issue({ ...req, data: { ...req.data, extendInfo: { ...(req.data['extendInfo'] as object), unexpected: 1 } } });
    problem(r, 422, 'SCHEMA_INVALID');
    expect(r.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('/extendInfo') })]));
    problem(await issue({ type: 'business-licence' }), 422, 'SCHEMA_INVALID');
    problem(await issue({ ...req, extra: true }), 422, 'SCHEMA_INVALID');
    problem(await issue({ ...req, data: { ...req.data, holder: 'nobody' } }), 422, 'SCHEMA_INVALID');
  });

  it('bad codes: 422 CODE_INVALID', async () => {
    const req = businessLicenseRequest();
    problem(await issue({ ...req, data: { ...req.data, areaCode: '999999' } }), 422, 'CODE_INVALID');
  });

  it('an area outside the region, which could never verify: 422 CODE_INVALID at the record path /certificateAreaCode (as other code errors), nothing issued', async () => {
    const req = businessLicenseRequest();
    const before = (await http(node.url, 'GET', '/v1/licenses?limit=500', { key: issuer })).body.items.length;
    // The demo region is Fujian (350000): Guangzhou (440100) is another region's to vouch for.
    const r = await issue({ ...req, data: { ...req.data, areaCode: '440100' } });
    problem(r, 422, 'CODE_INVALID');
    expect(r.body.errors).toEqual([expect.objectContaining({ path: '/certificateAreaCode', code: 'AREA_OUTSIDE_REGION' })]);
    expect((await http(node.url, 'GET', '/v1/licenses?limit=500', { key: issuer })).body.items.length).toBe(before);
    // An area inside the region (a district of Fuzhou) is issued.
    expect((await issue({ ...req, data: { ...req.data, areaCode: '350102', certificateNumber: `${String(req.data['certificateNumber'])}-A` } })).status).toBe(201);
  });

  it('a type the department may not issue: 403 ISSUER_NOT_AUTHORIZED_FOR_TYPE', async () => {
    problem(await issue({ ...businessLicenseRequest(), type: 'marriage-certificate' }), 403, 'ISSUER_NOT_AUTHORIZED_FOR_TYPE');
  });

  it('no key 401, unknown key 401, wrong role 403', async () => {
    problem(await http(node.url, 'POST', '/v1/licenses', { json: businessLicenseRequest() }), 401, 'UNAUTHENTICATED');
    problem(await issue(businessLicenseRequest(), `elk_${'A'.repeat(43)}`), 401, 'UNAUTHENTICATED');
    problem(await issue(businessLicenseRequest(), node.keys.admin), 403, 'FORBIDDEN');
    problem(await issue(businessLicenseRequest(), node.keys.auditor), 403, 'FORBIDDEN');
    problem(await http(node.url, 'POST', `/v1/licenses/${identifier}/revoke`, { key: node.keys.auditor, json: { reason: 'x' } }), 403, 'FORBIDDEN');
  });

  it("another department's licence: read, events, revoke → 403; it stays valid", async () => {
    problem(await http(node.url, 'GET', `/v1/licenses/${identifier}`, { key: otherIssuer }), 403, 'FORBIDDEN');
    problem(await http(node.url, 'GET', `/v1/licenses/${identifier}/events`, { key: otherIssuer }), 403, 'FORBIDDEN');
    problem(await http(node.url, 'POST', `/v1/licenses/${identifier}/revoke`, { key: otherIssuer, json: { reason: 'not mine' } }), 403, 'FORBIDDEN');
    problem(await http(node.url, 'GET', '/v1/licenses?department=11350100DM00000133', { key: otherIssuer }), 403, 'FORBIDDEN');
    const own = await http(node.url, 'GET', `/v1/licenses/${identifier}`, { key: issuer });
    expect(own.headers.get('elicense-licence-status')).toBe('valid');
    expect((await http(node.url, 'GET', `/v1/licenses/${identifier}`, { key: node.keys.auditor })).status).toBe(200);
  });

  it('unknown and malformed identifiers: 404 and 400', async () => {
    const unknown = identifier.replace(/\.[0-9A-Z]{16}\./, '.0000000000000000.');
    const r = await http(node.url, 'GET', `/v1/licenses/${unknown}`, { key: issuer });
    expect([400, 404]).toContain(r.status);
    problem(await http(node.url, 'GET', '/v1/licenses/not-an-identifier', { key: issuer }), 400, 'INPUT_MALFORMED');
  });

  it('lifecycle needs a reason', async () => {
    problem(await http(node.url, 'POST', `/v1/licenses/${identifier}/suspend`, { key: issuer, json: {} }), 400, 'INPUT_MALFORMED');
    problem(await http(node.url, 'POST', `/v1/licenses/${identifier}/suspend`, { key: issuer, json: { reason: '' } }), 400, 'INPUT_MALFORMED');
    problem(await http(node.url, 'POST', `/v1/licenses/${identifier}/reinstate`, { key: issuer, json: { reason: 'not suspended' } }), 409, 'LICENSE_STATE_CONFLICT');
  });

  it('oversized body 413, malformed JSON 400, duplicate keys 400', async () => {
    const big = JSON.stringify({ ...businessLicenseRequest(), pad: 'x'.repeat(300 * 1024) });
    problem(await http(node.url, 'POST', '/v1/licenses', { key: issuer, raw: big }), 413, 'INPUT_TOO_LARGE');
    problem(await http(node.url, 'POST', '/v1/licenses', { key: issuer, raw: '{"type": "business-licence", ' }), 400, 'INPUT_MALFORMED');
    problem(await http(node.url, 'POST', '/v1/licenses', { key: issuer, raw: '{"type": "business-licence", "type": "x", "data": {}}' }), 400, 'JSON_DUPLICATE_KEY');
  });

  it('bad list queries: 400', async () => {
    problem(await http(node.url, 'GET', '/v1/licenses?status=lost', { key: issuer }), 400, 'INPUT_MALFORMED');
    problem(await http(node.url, 'GET', '/v1/licenses?limit=0', { key: issuer }), 400, 'INPUT_MALFORMED');
    problem(await http(node.url, 'GET', '/v1/licenses?from=yesterday', { key: issuer }), 400, 'INPUT_MALFORMED');
    problem(await http(node.url, 'GET', '/v1/licenses?cursor=zzz', { key: issuer }), 400, 'INPUT_MALFORMED');
    problem(await http(node.url, 'GET', '/v1/licenses?colour=red', { key: issuer }), 400, 'INPUT_MALFORMED');
    // A whole number is written in digits: what Number() would also read is refused.
    for (const limit of ['1e2', '%205', '0x10', '5.0', '']) {
      const r = await http(node.url, 'GET', `/v1/licenses?limit=${limit}`, { key: issuer });
      problem(r, 400, 'INPUT_MALFORMED');
      expect(r.body.errors[0].path).toBe('/limit');
    }
    expect((await http(node.url, 'GET', '/v1/licenses?limit=5', { key: issuer })).status).toBe(200);
  });

  it('a suspended department cannot issue (409 DEPARTMENT_NOT_ACTIVE)', async () => {
    const { db, stores, clock } = node.services;
    await db.transaction((tx) => stores.departments.changeState(tx, '11350100DM0000021X', 'suspended', 'test', clock.now()));
    const req = { type: 'marriage-certificate', data: { holder: {}, certificateNumber: 'x', effectiveDate: '2024-01-01', extendInfo: {} } };
    const r = await issue(req, otherIssuer);
    // Either refused for the state or for the data; never issued.
    expect([409, 422]).toContain(r.status);
  });
});
