/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

const MARKET = '11350100DM00000133';

let node: TestNode;
const asAdmin = (method: string, path: string, json?: unknown) => http(node.url, method, path, { key: node.keys.admin, ...(json === undefined ? {} : { json }) });

beforeAll(async () => {
  node = await startTestNode();
}, 180_000);
afterAll(() => node?.close(), 60_000);

describe('API keys', () => {
  it('creates a key: the secret is in the creation response only, never listed, never stored in clear', async () => {
    const r = await asAdmin('POST', '/v1/api-keys', { role: 'issuer', uscc: MARKET, label: 'window 3' });
    expect(r.status).toBe(201);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body.apiKey).toMatchObject({ role: 'issuer', uscc: MARKET, label: 'window 3', revokedAt: null });
    const secret: string = r.body.secret;
    expect(secret).toMatch(/^elk_/);
    const list = await asAdmin('GET', '/v1/api-keys');
    expect(list.status).toBe(200);
    expect(list.body.apiKeys.map((k: { keyId: string }) => k.keyId)).toContain(r.body.apiKey.keyId);
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toMatch(/secret|hash/i);
    const rows = await node.services.db.query<Record<string, unknown>>('SELECT * FROM api_keys');
    expect(JSON.stringify(rows)).not.toContain(secret.slice(4));
    const audit = await node.services.stores.audit.read(node.services.db, 0, 10_000);
    expect(JSON.stringify(audit)).not.toContain(secret.slice(4));
    expect(audit[audit.length - 1]).toMatchObject({ action: 'api_key.create', subject: r.body.apiKey.keyId, details: { role: 'issuer', uscc: MARKET, label: 'window 3' } });

    // The new key works at once, for its own department.
    expect((await http(node.url, 'GET', `/v1/departments/${MARKET}`, { key: secret })).status).toBe(200);
  });

  it('a revoked key gets 401 at once; revoking again → 409, an unknown key → 404', async () => {
    const created = await asAdmin('POST', '/v1/api-keys', { role: 'auditor', label: 'temporary auditor' });
    const { secret } = created.body;
    const keyId: string = created.body.apiKey.keyId;
    expect((await http(node.url, 'GET', '/v1/audit', { key: secret })).status).toBe(200);
    const revoked = await asAdmin('DELETE', `/v1/api-keys/${keyId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.apiKey.revokedAt).toEqual(expect.any(String));
    const refused = await http(node.url, 'GET', '/v1/audit', { key: secret });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');
    const audit = await node.services.stores.audit.read(node.services.db, (await node.services.stores.audit.head(node.services.db)).seq - 1, 1);
    expect(audit[0]).toMatchObject({ action: 'api_key.revoke', subject: keyId });
    const again = await asAdmin('DELETE', `/v1/api-keys/${keyId}`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('API_KEY_REVOKED');
    const unknown = await asAdmin('DELETE', '/v1/api-keys/ak_nosuchkey');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('API_KEY_NOT_FOUND');
  });

  it.each([
    ['an unknown role', { role: 'root', label: 'x' }],
    ['an issuer without a department', { role: 'issuer', label: 'x' }],
    ['a region admin with a department', { role: 'region_admin', uscc: MARKET, label: 'x' }],
    ['an auditor with a department (its permissions are region-wide)', { role: 'auditor', uscc: MARKET, label: 'x' }],
    ['no label', { role: 'auditor' }],
    ['an unknown field', { role: 'auditor', label: 'x', secret: 'mine' }],
  ])('%s → 422 SCHEMA_INVALID', async (_what, body) => {
    const r = await asAdmin('POST', '/v1/api-keys', body);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('SCHEMA_INVALID');
  });

  it('an issuer key for an unknown department → 404 DEPARTMENT_NOT_FOUND', async () => {
    const r = await asAdmin('POST', '/v1/api-keys', { role: 'issuer', uscc: '11350100DM9999999X', label: 'x' });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('DEPARTMENT_NOT_FOUND');
  });

  it('only the region admin manages keys', async () => {
    for (const key of [node.keys.auditor, node.keys.issuerOf(MARKET)]) {
      expect((await http(node.url, 'GET', '/v1/api-keys', { key })).status).toBe(403);
      expect((await http(node.url, 'POST', '/v1/api-keys', { key, json: { role: 'region_admin', label: 'escalate' } })).status).toBe(403);
    }
    expect((await http(node.url, 'GET', '/v1/api-keys')).status).toBe(401);
  });
});
