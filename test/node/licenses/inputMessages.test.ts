/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { businessLicenseRequest } from './licenseRequests';

/** What a caller reads when the request is wrong in the ways newcomers get it wrong (issue 14, item 10). */
describe('API messages at the door', () => {
  let node: TestNode;
  let issuer: string;
  beforeAll(async () => {
    node = await startTestNode();
    issuer = node.keys.issuerOf('business-licence');
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  /** fetch as curl would send it: `contentType` undefined sends no Content-Type header at all (bytes body). */
  const send = async (path: string, body: string | undefined, contentType: string | undefined, key = issuer) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (contentType !== undefined) headers['content-type'] = contentType;
    const res = await fetch(node.url + path, { method: 'POST', headers, ...(body !== undefined ? { body: new TextEncoder().encode(body) } : {}) });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as { code: string; detail: string; errors?: Array<{ path: string; message: string }> } };
  };
  const json = JSON.stringify(businessLicenseRequest());

  it.each([
    ['without a Content-Type header', undefined, 'it came without a Content-Type header'],
    ["as curl -d sends it (form-urlencoded)", 'application/x-www-form-urlencoded', 'it came as application/x-www-form-urlencoded'],
    ['as text/plain', 'text/plain; charset=utf-8', 'it came as text/plain'],
  ])('a JSON body sent %s → 415 UNSUPPORTED_MEDIA_TYPE saying to send JSON with Content-Type: application/json', async (_what, contentType, got) => {
    const r = await send('/v1/licenses', json, contentType);
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(r.type).toContain('application/problem+json');
    expect(r.body.detail).toBe(`the request body must be JSON sent with Content-Type: application/json (${got})`);
    expect(r.body.detail).not.toContain('must be object');
    expect(r.body.errors).toEqual([{ path: '', message: `must be JSON (Content-Type: application/json); ${got}` }]);
  });

  it('the same on another JSON route (revoke), whatever code its schema refusals carry', async () => {
    const r = await send('/v1/licenses/1.2.3/revoke', '{"reason":"x"}', 'text/plain', node.keys.admin);
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('no body at all → the route’s code (422 SCHEMA_INVALID) saying a JSON body is missing, not "/ must be object"', async () => {
    const r = await send('/v1/licenses', undefined, 'application/json');
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 422, code: 'SCHEMA_INVALID' });
    expect(r.body.detail).toBe('the request body is missing: send a JSON object with the header Content-Type: application/json');
  });

  it('a JSON body that is not an object keeps its schema message (SCHEMA_INVALID)', async () => {
    const r = await send('/v1/licenses', '[1]', 'application/json');
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 422, code: 'SCHEMA_INVALID' });
    expect(r.body.detail).toBe('the request body: / must be object');
  });

  it.each([
    ['an unknown type code', { typeCode: 'no-such-type', data: {} }, 'no licence type standard no-such-type'],
    ['an unknown slug', { type: 'no-such-licence', data: {} }, 'no licence type standard no-such-licence'],
    ['a known type at an unknown version', { type: 'business-licence', standardVersion: '9.9.9', data: {} }, 'no licence type standard business-licence version 9.9.9'],
    ['no data at all', { type: 'no-such-licence' }, 'no licence type standard no-such-licence'],
  ])('%s with empty data → 422 TYPE_UNKNOWN, not the data’s schema errors', async (_what, body, detail) => {
    const r = await send('/v1/licenses', JSON.stringify(body), 'application/json');
    expect({ status: r.status, code: r.body.code, detail: r.body.detail }).toEqual({ status: 422, code: 'TYPE_UNKNOWN', detail });
  });

  it('a known type with empty data still lists what the data lacks (SCHEMA_INVALID)', async () => {
    const r = await send('/v1/licenses', JSON.stringify({ type: 'business-licence', data: {} }), 'application/json');
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 422, code: 'SCHEMA_INVALID' });
    expect(r.body.errors).toContainEqual({ path: '/data/certificateNumber', message: 'required' });
  });

  it('a type name that is not text is the schema’s to refuse (SCHEMA_INVALID), not TYPE_UNKNOWN', async () => {
    const r = await send('/v1/licenses', JSON.stringify({ typeCode: 42, data: {} }), 'application/json');
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 422, code: 'SCHEMA_INVALID' });
  });

  it('a batch record of an unknown type with empty data fails alone with TYPE_UNKNOWN', async () => {
    const r = await http(node.url, 'POST', '/v1/licenses/batch', { key: issuer, json: { records: [{ type: 'no-such-licence', data: {} }, businessLicenseRequest()] } });
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ status: 'failed', error: { code: 'TYPE_UNKNOWN', detail: 'no licence type standard no-such-licence' } });
    expect(r.body.results[1]).toMatchObject({ status: 'created' });
  });

  it('a face value outside its closed list names the allowed values', async () => {
    const request = businessLicenseRequest();
    (request.data['extendInfo'] as Record<string, unknown>)['entityKind'] = 'bogus';
    const r = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: request });
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 422, code: 'SCHEMA_INVALID' });
    expect(r.body.errors).toContainEqual({ path: '/extendInfo/entityKind', message: 'must be one of company, branch, partnership, individual' });
    expect(r.body.detail).toContain('/extendInfo/entityKind must be one of company, branch, partnership, individual');
  });

  it('a query value outside its closed list names the allowed values', async () => {
    const r = await http(node.url, 'GET', '/v1/licenses?status=bogus', { key: issuer });
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 400, code: 'INPUT_MALFORMED' });
    expect(r.body.detail).toContain('/status must be one of valid, revoked, suspended');
  });
});
