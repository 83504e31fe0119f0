/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { businessLicenseRequest } from './licenseRequests';

const MARKET = '11350100DM00000133';

/**
 * NUL and other control characters in any text of a request: PostgreSQL
 * refuses U+0000 in text and jsonb, so they used to reach the database and
 * come back as 500 INTERNAL. Now every door refuses them with 422
 * TEXT_CONTROL_CHARACTER naming the field, and a batch fails only the record.
 */
describe('control characters in request text', () => {
  let node: TestNode;
  let issuer: string;
  let identifier: string;
  let n = 0;
  const number = () => `CTRL-${++n}`;
  beforeAll(async () => {
    node = await startTestNode();
    issuer = node.keys.issuerOf('business-licence');
    const r = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: businessLicenseRequest({ certificateNumber: number() }) });
    identifier = r.body.license.certificateIdentifier;
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  const refused = (r: { status: number; body: any }, path: string) => {
    expect({ status: r.status, code: r.body?.code }).toEqual({ status: 422, code: 'TEXT_CONTROL_CHARACTER' });
    expect(r.body.errors).toEqual([expect.objectContaining({ path, code: 'TEXT_CONTROL_CHARACTER' })]);
  };
  const withHolderName = (name: string) => {
    const req = businessLicenseRequest({ certificateNumber: number() });
    return { ...req, data: { ...req.data, holder: { ...(req.data['holder'] as object), name } } };
  };
  const withFace = (extra: Record<string, unknown>) => {
    const req = businessLicenseRequest({ certificateNumber: number() });
    return { ...req, data: { ...req.data, extendInfo: { ...(req.data['extendInfo'] as object), ...extra } } };
  };

  it('issuance: NUL or another control character in the holder name → 422 naming /data/holder/name', async () => {
    refused(await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: withHolderName('福州\u0000榕信') }), '/data/holder/name');
    refused(await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: withHolderName('福州\u0007榕信') }), '/data/holder/name');
    refused(await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: withHolderName('福州\u009b榕信') }), '/data/holder/name');
  });

  it('issuance: in nested face data, values and keys (pointer escaped per RFC 6901)', async () => {
    refused(await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: withFace({ domicile: '五四路\u0000158号' }) }), '/data/extendInfo/domicile');
    refused(await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: withFace({ 'a/b\u0000': 'x' }) }), '/data/extendInfo/a~1b\u0000');
  });

  it('tab, line feed and carriage return stay allowed in free text', async () => {
    const r = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: withFace({ businessScope: '软件开发；\r\n\t信息系统集成服务' }) });
    expect(r.status).toBe(201);
  });

  it('batch [good, NUL, good]: the good ones are issued, the bad one fails alone', async () => {
    const good = () => businessLicenseRequest({ certificateNumber: number() });
    const r = await http(node.url, 'POST', '/v1/licenses/batch?return=minimal', { key: issuer, json: { records: [good(), withHolderName('a\u0000b'), good()] } });
    expect(r.status).toBe(200);
    expect(r.body.summary).toEqual({ created: 2, replayed: 0, failed: 1 });
    expect(r.body.results[1]).toMatchObject({ index: 1, status: 'failed', error: { code: 'TEXT_CONTROL_CHARACTER', errors: [expect.objectContaining({ path: '/data/holder/name' })] } });
    expect(r.body.results[0].status).toBe('created');
    expect(r.body.results[2].status).toBe('created');
  });

  it('a NUL in a batch idempotency key fails that record alone', async () => {
    const r = await http(node.url, 'POST', '/v1/licenses/batch?return=minimal', {
      key: issuer,
      json: { records: [{ ...businessLicenseRequest({ certificateNumber: number() }), idempotencyKey: 'k\u0000' }, businessLicenseRequest({ certificateNumber: number() })] },
    });
    expect(r.status).toBe(200);
    expect(r.body.summary).toEqual({ created: 1, replayed: 0, failed: 1 });
  });

  it('lifecycle reasons', async () => {
    refused(await http(node.url, 'POST', `/v1/licenses/${identifier}/suspend`, { key: issuer, json: { reason: 'x\u0000' } }), '/reason');
    refused(await http(node.url, 'POST', `/v1/licenses/${identifier}/revoke`, { key: issuer, json: { reason: '\u001b[31mred' } }), '/reason');
    expect((await http(node.url, 'GET', `/v1/licenses/${identifier}`, { key: issuer })).headers.get('elicense-licence-status')).toBe('valid');
  });

  it('API key labels, department names and reasons', async () => {
    const admin = node.keys.admin;
    refused(await http(node.url, 'POST', '/v1/api-keys', { key: admin, json: { role: 'issuer', uscc: MARKET, label: 'window\u00003' } }), '/label');
    refused(await http(node.url, 'POST', '/v1/departments', { key: admin, json: { uscc: '11350100MB0000011F', name: '局\u0000', divisionCode: '350100', types: [] } }), '/name');
    refused(await http(node.url, 'POST', `/v1/departments/${MARKET}/suspend`, { key: admin, json: { reason: 'x\u0000' } }), '/reason');
  });

  it('a NUL in a path segment or a query parameter is refused, not a 500', async () => {
    const at = (r: { status: number; body: any }) => expect({ status: r.status, code: r.body?.code }).toEqual({ status: 422, code: 'TEXT_CONTROL_CHARACTER' });
    at(await http(node.url, 'GET', `/v1/licenses/${encodeURIComponent(identifier + '\u0000')}`, { key: issuer }));
    at(await http(node.url, 'GET', '/v1/licenses?holderCode=%00', { key: issuer }));
    at(await http(node.url, 'GET', '/v1/licenses?department=%00', { key: node.keys.admin }));
    at(await http(node.url, 'GET', `/v1/departments/${encodeURIComponent('\u0000')}`, { key: node.keys.admin }));
  });

  it('verification of a presented licence with a NUL is an answer (rejected), not a 500', async () => {
    const issued = await http(node.url, 'GET', `/v1/licenses/${identifier}`, { key: issuer });
    const form = issued.body;
    const verdict = async (body: { json?: unknown; raw?: string; headers?: Record<string, string> }) => {
      const r = await http(node.url, 'POST', '/v1/verifications', body);
      return { status: r.status, result: r.body?.result ?? r.body?.code };
    };
    const presented = (license: Record<string, unknown>) => ({ json: { ...form, license: { ...form.license, ...license } } });
    const rejected = { status: 200, result: 'rejected' };
    expect(await verdict(presented({ certificateIdentifier: `${form.license.certificateIdentifier}\u0000` }))).toEqual(rejected);
    expect(await verdict(presented({ certificateHolderName: 'a\u0000' }))).toEqual(rejected);
    // The status lookup reads the database by list id and index, and by identifier when memory cannot answer.
    expect(await verdict(presented({ statusEntry: { ...form.license.statusEntry, listId: `${form.license.statusEntry.listId}\u0000` } }))).toEqual(rejected);
    expect(await verdict(presented({ certificateIdentifier: `${form.license.certificateIdentifier}\u0000`, statusEntry: undefined }))).toEqual(rejected);
    expect(await verdict(presented({ certificateIdentifier: `${form.license.certificateIdentifier}\u0000`, statusEntry: { ...form.license.statusEntry, index: 1_000_000 } }))).toEqual(rejected);
    expect(await verdict({ json: { qr: 'LC1:\u0000' } })).toEqual(rejected);
    expect(await verdict({ raw: 'LC1:\u0000AB', headers: { 'content-type': 'text/plain' } })).toEqual(rejected);
  });

  it('a federation import, an audit query and an Idempotency-Key with a control character are refused, not a 500', async () => {
    const imp = await http(node.url, 'POST', '/v1/federation/import', { key: node.keys.admin, json: { format: 'elicense/trust-bundle@1', documents: ['a\u0000'] } });
    expect({ status: imp.status, code: imp.body?.code }).toEqual({ status: 422, code: 'TEXT_CONTROL_CHARACTER' });
    const audit = await http(node.url, 'GET', '/v1/audit?subject=%00', { key: node.keys.admin });
    expect({ status: audit.status, code: audit.body?.code }).toEqual({ status: 422, code: 'TEXT_CONTROL_CHARACTER' });
    const key = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: businessLicenseRequest({ certificateNumber: number() }), headers: { 'idempotency-key': 'a\tb' } });
    expect({ status: key.status, code: key.body?.code }).toEqual({ status: 400, code: 'INPUT_MALFORMED' });
  });
});
