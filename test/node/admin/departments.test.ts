/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import 'reflect-metadata';
import { generateKeyPairSync, type webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { organizationCodeCheckCharacter, usccCheckCharacter } from '../../../src/codes/uscc';
import { verifyStoredAuditLog } from '../../../src/region/audit/verifyStoredAuditLog';
import { parseCertificate } from '../../../src/pki/certificate/ParsedCertificate';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { BUSINESS_LICENSE_TYPE, MARRIAGE_TYPE } from '../../typeCodes';

/** A USCC with correct check characters: registration authority + category, division, 8-character organisation body. */
function makeUscc(head: string, division: string, org8: string): string {
  const first17 = `${head}${division}${org8}${organizationCodeCheckCharacter(org8)}`;
  return first17 + usccCheckCharacter(first17);
}

const MARKET = '11350100DM00000133'; // demo: 福州市市场监督管理局, ES256
const CIVIL = '11350100DM0000021X'; // demo: 福州市民政局
const BUSINESS_LICENSE = BUSINESS_LICENSE_TYPE;
const MARRIAGE = MARRIAGE_TYPE;

let node: TestNode;
let admin: string;
const get = (path: string, key?: string) => http(node.url, 'GET', path, key === undefined ? {} : { key });
const post = (path: string, json: unknown, key = admin) => http(node.url, 'POST', path, { key, json });

beforeAll(async () => {
  node = await startTestNode();
  admin = node.keys.admin;
}, 180_000);
afterAll(() => node?.close(), 60_000);

async function lastAudit(n = 1) {
  const head = await node.services.stores.audit.head(node.services.db);
  return node.services.stores.audit.read(node.services.db, Math.max(0, head.seq - n), n);
}

describe('admitting departments', () => {
  it('admits a department with a valid USCC, known division and types: 201, audited', async () => {
    const uscc = makeUscc('11', '350100', 'DM900001');
    const r = await post('/v1/departments', { uscc, name: '福州市测试局', divisionCode: '350100', types: [BUSINESS_LICENSE] });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/v1/departments/${uscc}`);
    expect(r.body.warnings).toEqual([]);
    expect(r.body.department).toMatchObject({ uscc, name: '福州市测试局', divisionCode: '350100', divisionName: expect.any(String), state: 'active', types: [BUSINESS_LICENSE] });
    const [entry] = await lastAudit();
    expect(entry).toMatchObject({ action: 'department.admit', subject: uscc, details: { types: [BUSINESS_LICENSE] } });
    expect(entry!.actor).toMatch(/^ak_/);
  });

  it('a USCC failing only its check character is admitted with a warning', async () => {
    const good = makeUscc('11', '350100', 'DM900002');
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const r = await post('/v1/departments', { uscc: bad, name: '试点单位', divisionCode: '350100' });
    expect(r.status).toBe(201);
    expect(r.body.warnings.map((w: { code: string }) => w.code)).toContain('USCC_CHECK_CHARACTER_MISMATCH');
    expect(r.body.department.types).toEqual([]);
  });

  it.each([
    ['a malformed USCC', 'CODE_INVALID', { uscc: '1135010OOM0000013', name: 'x', divisionCode: '350100' }],
    ['a division code not in GB/T 2260', 'CODE_INVALID', { uscc: makeUscc('11', '350100', 'DM900003'), name: 'x', divisionCode: '359999' }],
    ['an unknown licence type', 'TYPE_UNKNOWN', { uscc: makeUscc('11', '350100', 'DM900004'), name: 'x', divisionCode: '350100', types: ['11100000PH00000199999'] }],
    ['no name', 'SCHEMA_INVALID', { uscc: makeUscc('11', '350100', 'DM900005'), divisionCode: '350100' }],
    ['an unknown field', 'SCHEMA_INVALID', { uscc: makeUscc('11', '350100', 'DM900006'), name: 'x', divisionCode: '350100', state: 'active' }],
  ])('%s → 422 %s, nothing stored', async (_what, code, body) => {
    const before = (await get('/v1/departments', admin)).body.departments.length;
    const r = await post('/v1/departments', body);
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body.code).toBe(code);
    expect((await get('/v1/departments', admin)).body.departments.length).toBe(before);
  });

  it('a USCC already admitted → 409 DEPARTMENT_EXISTS', async () => {
    const r = await post('/v1/departments', { uscc: MARKET, name: 'again', divisionCode: '350100' });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('DEPARTMENT_EXISTS');
  });

  it('a malformed JSON body → 400', async () => {
    const r = await http(node.url, 'POST', '/v1/departments', { key: admin, raw: '{"uscc":' });
    expect(r.status).toBe(400);
  });
});

describe('reading departments', () => {
  it('the admin and the auditor list every department; an issuer sees only its own', async () => {
    const all = await get('/v1/departments', admin);
    expect(all.status).toBe(200);
    expect(all.body.departments.map((d: { uscc: string }) => d.uscc)).toEqual(expect.arrayContaining([MARKET, CIVIL]));
    expect((await get('/v1/departments', node.keys.auditor)).body.departments.length).toBe(all.body.departments.length);
    const own = await get('/v1/departments', node.keys.issuerOf(MARKET));
    expect(own.body.departments.map((d: { uscc: string }) => d.uscc)).toEqual([MARKET]);
  });

  it('GET one department: its types; another department for an issuer → 403; unknown → 404', async () => {
    const r = await get(`/v1/departments/${MARKET}`, node.keys.issuerOf(MARKET));
    expect(r.status).toBe(200);
    expect(r.body.department.types).toEqual(expect.arrayContaining([BUSINESS_LICENSE]));
    expect((await get(`/v1/departments/${CIVIL}`, node.keys.issuerOf(MARKET))).status).toBe(403);
    const missing = await get(`/v1/departments/${makeUscc('11', '350100', 'DM999999')}`, admin);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('DEPARTMENT_NOT_FOUND');
  });
});

describe('licence type grants', () => {
  const uscc = makeUscc('11', '350100', 'DM900010');
  beforeAll(async () => {
    expect((await post('/v1/departments', { uscc, name: '授权测试局', divisionCode: '350100' })).status).toBe(201);
  });

  it('PUT grants (idempotent, audited once); DELETE withdraws (idempotent)', async () => {
    const put = () => http(node.url, 'PUT', `/v1/departments/${uscc}/types/${MARRIAGE}`, { key: admin });
    const first = await put();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ changed: true, department: { types: [MARRIAGE] } });
    const [grant] = await lastAudit();
    expect(grant).toMatchObject({ action: 'department.grant_type', subject: uscc, details: { typeCode: MARRIAGE } });
    const again = await put();
    expect(again.body.changed).toBe(false);
    expect((await lastAudit())[0]!.seq).toBe(grant!.seq);

    const del = () => http(node.url, 'DELETE', `/v1/departments/${uscc}/types/${MARRIAGE}`, { key: admin });
    expect((await del()).body).toMatchObject({ changed: true, department: { types: [] } });
    expect((await lastAudit())[0]).toMatchObject({ action: 'department.withdraw_type', subject: uscc });
    expect((await del()).body.changed).toBe(false);
  });

  it('an unknown type code → 422 TYPE_UNKNOWN; an unknown department → 404', async () => {
    const r = await http(node.url, 'PUT', `/v1/departments/${uscc}/types/11100000PH00000199999`, { key: admin });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('TYPE_UNKNOWN');
    const gone = await http(node.url, 'PUT', `/v1/departments/${makeUscc('11', '350100', 'DM999998')}/types/${MARRIAGE}`, { key: admin });
    expect(gone.status).toBe(404);
  });
});

describe('department states', () => {
  const uscc = makeUscc('11', '350100', 'DM900020');
  beforeAll(async () => {
    expect((await post('/v1/departments', { uscc, name: '状态测试局', divisionCode: '350100', types: [MARRIAGE] })).status).toBe(201);
  });

  it('suspend → reinstate → withdraw, each with its reason, audited; illegal moves → 409', async () => {
    const s = await post(`/v1/departments/${uscc}/suspend`, { reason: 'inspection' });
    expect(s.status).toBe(200);
    expect(s.body.department).toMatchObject({ state: 'suspended', stateReason: 'inspection' });
    expect((await lastAudit())[0]).toMatchObject({ action: 'department.suspend', subject: uscc, details: { from: 'active', to: 'suspended', reason: 'inspection' } });
    expect((await post(`/v1/departments/${uscc}/suspend`, { reason: 'twice' })).status).toBe(409);
    expect((await post(`/v1/departments/${uscc}/reinstate`, { reason: 'cleared' })).body.department.state).toBe('active');
    expect((await post(`/v1/departments/${uscc}/reinstate`, { reason: 'again' })).body.code).toBe('DEPARTMENT_STATE_CONFLICT');
    expect((await post(`/v1/departments/${uscc}/withdraw`, { reason: 'merged' })).body.department.state).toBe('withdrawn');
    const back = await post(`/v1/departments/${uscc}/reinstate`, { reason: 'undo' });
    expect(back.status).toBe(409);
    // Withdrawn is final: no new grants, no new keys.
    expect((await http(node.url, 'PUT', `/v1/departments/${uscc}/types/${BUSINESS_LICENSE}`, { key: admin })).status).toBe(409);
    expect((await post(`/v1/departments/${uscc}/keys`, {})).status).toBe(409);
  });

  it('a reason is required', async () => {
    const r = await post(`/v1/departments/${MARKET}/suspend`, {});
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('SCHEMA_INVALID');
    expect((await get(`/v1/departments/${MARKET}`, admin)).body.department.state).toBe('active');
  });
});

describe('signing keys', () => {
  const uscc = makeUscc('11', '350100', 'DM900030');
  beforeAll(async () => {
    expect((await post('/v1/departments', { uscc, name: '密钥测试局', divisionCode: '350100', types: [BUSINESS_LICENSE] })).status).toBe(201);
  });

  it('issues an ES256 key by default: certified for the department under the region CA, sealed, never shown', async () => {
    const r = await post(`/v1/departments/${uscc}/keys`, {});
    expect(r.status).toBe(201);
    expect(r.body.retired).toEqual([]);
    const key = r.body.key;
    expect(key).toMatchObject({ uscc, algorithm: 'ES256', custody: 'node', state: 'active', purpose: 'licence_signing' });
    expect(r.text).not.toMatch(/PRIVATE|encrypted/i);
    const cert = parseCertificate(new Uint8Array(new x509.X509Certificate(key.certificate).rawData));
    expect(cert.subject.text).toContain(uscc);
    expect(cert.selfIssued).toBe(false);
    expect(key.chain.length).toBeGreaterThanOrEqual(1);
    const stored = await node.services.stores.signingKeys.get(node.services.db, key.keyId);
    expect(stored!.encryptedPrivateKey.length).toBeGreaterThan(32);
    // The sealed key opens with the node's vault and is the certified key.
    expect(() => node.services.vault.open(key.keyId, stored!.encryptedPrivateKey)).not.toThrow();
    const [entry] = await lastAudit();
    expect(entry).toMatchObject({ action: 'signing_key.issue', subject: key.keyId, details: { uscc, algorithm: 'ES256', custody: 'node' } });
  });

  it('rotation: a new key (PS256) becomes active and the previous one is retired, atomically', async () => {
    const before = (await get(`/v1/departments/${uscc}/keys`, admin)).body.keys;
    const active = before.filter((k: { state: string }) => k.state === 'active');
    expect(active).toHaveLength(1);
    const r = await post(`/v1/departments/${uscc}/keys`, { algorithm: 'PS256', validityDays: 365 });
    expect(r.status).toBe(201);
    expect(r.body.retired).toEqual([active[0].keyId]);
    const after = (await get(`/v1/departments/${uscc}/keys`, admin)).body.keys;
    const states = Object.fromEntries(after.map((k: { keyId: string; state: string }) => [k.keyId, k.state]));
    expect(states[r.body.key.keyId]).toBe('active');
    expect(states[active[0].keyId]).toBe('retired');
    expect(after.filter((k: { state: string }) => k.state === 'active')).toHaveLength(1);
    const audit = await lastAudit(2);
    expect(audit.map((e) => e.action)).toEqual(['signing_key.retire', 'signing_key.issue']);
  });

  it('PS256 keys are allowed; unknown algorithms and out-of-range validity → 422', async () => {
    const ps = await post(`/v1/departments/${uscc}/keys`, { algorithm: 'PS256' });
    expect(ps.status).toBe(201);
    expect(ps.body.key.algorithm).toBe('PS256');
    expect((await post(`/v1/departments/${uscc}/keys`, { algorithm: 'HS256' })).status).toBe(422);
    // The CA certifies SM2 keys, but only under an SM2 CA: a path is all SM2 or has no SM2 key (docs/adr/0009-national-cryptography.md).
    const sm2 = await post(`/v1/departments/${uscc}/keys`, { algorithm: 'SM2' });
    expect({ status: sm2.status, code: sm2.body.code }).toEqual({ status: 422, code: 'ALGORITHM_NOT_ALLOWED' });
    expect((await post(`/v1/departments/${uscc}/keys`, { validityDays: 100000 })).status).toBe(422);
  });

  it('EdDSA is no longer offered for department keys: 422 ALGORITHM_NOT_ALLOWED saying why, for a node-held key and for a CSR; nothing is issued', async () => {
    const before = (await get(`/v1/departments/${uscc}/keys`, admin)).body.keys;
    const auditBefore = await lastAudit();
    const r = await post(`/v1/departments/${uscc}/keys`, { algorithm: 'EdDSA' });
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 422, code: 'ALGORITHM_NOT_ALLOWED' });
    expect(r.body.detail).toMatch(/EdDSA is not offered for new department keys.*Readers agree/);
    const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=ignored', keys, signingAlgorithm: { name: 'Ed25519' } });
    const c = await post(`/v1/departments/${uscc}/keys`, { csr: csr.toString('pem') });
    expect({ status: c.status, code: c.body.code }).toEqual({ status: 422, code: 'ALGORITHM_NOT_ALLOWED' });
    expect(c.body.detail).toMatch(/EdDSA is not offered for new department keys/);
    expect((await get(`/v1/departments/${uscc}/keys`, admin)).body.keys).toEqual(before);
    expect(await lastAudit()).toEqual(auditBefore);
  });

  it('from a PKCS#10 CSR: the department keeps its private key, recorded as custody "department"', async () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const cryptoKeys = {
      privateKey: await crypto.subtle.importKey('pkcs8', keys.privateKey.export({ type: 'pkcs8', format: 'der' }), alg, false, ['sign']),
      publicKey: await crypto.subtle.importKey('spki', keys.publicKey.export({ type: 'spki', format: 'der' }), alg, true, ['verify']),
    };
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=ignored', keys: cryptoKeys, signingAlgorithm: alg });
    const r = await post(`/v1/departments/${uscc}/keys`, { csr: csr.toString('pem') });
    expect(r.status).toBe(201);
    expect(r.body.key).toMatchObject({ custody: 'department', algorithm: 'ES256', state: 'active' });
    const certKey = new x509.X509Certificate(r.body.key.certificate).publicKey;
    expect(Buffer.from(certKey.rawData).equals(keys.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    const stored = await node.services.stores.signingKeys.get(node.services.db, r.body.key.keyId);
    expect(stored!.encryptedPrivateKey.length).toBe(0);
    expect((await lastAudit())[0]).toMatchObject({ details: { custody: 'department' } });

    // The subject is under the CSR signature: change one letter and the proof of possession fails.
    const der = Buffer.from(csr.rawData);
    const at = der.indexOf('ignored');
    der[at] = 'I'.charCodeAt(0);
    const bad = await post(`/v1/departments/${uscc}/keys`, { csr: der.toString('base64') });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('CSR_INVALID');
    expect((await post(`/v1/departments/${uscc}/keys`, { csr: 'not a csr' })).status).toBe(422);
  });

  it('withdraws a key with a reason; withdrawing again or another department\'s key → 409 / 404', async () => {
    const list = (await get(`/v1/departments/${uscc}/keys`, admin)).body.keys;
    const retired = list.find((k: { state: string }) => k.state === 'retired');
    const r = await post(`/v1/departments/${uscc}/keys/${retired.keyId}/withdraw`, { reason: 'key compromise' });
    expect(r.status).toBe(200);
    expect(r.body.key.state).toBe('withdrawn');
    expect((await lastAudit())[0]).toMatchObject({ action: 'signing_key.withdraw', subject: retired.keyId, details: { reason: 'key compromise' } });
    expect((await post(`/v1/departments/${uscc}/keys/${retired.keyId}/withdraw`, { reason: 'again' })).status).toBe(409);
    const marketKey = (await get(`/v1/departments/${MARKET}/keys`, admin)).body.keys[0];
    const cross = await post(`/v1/departments/${uscc}/keys/${marketKey.keyId}/withdraw`, { reason: 'wrong department' });
    expect(cross.status).toBe(404);
    expect(cross.body.code).toBe('SIGNING_KEY_NOT_FOUND');
  });

  it('an issuer lists its own department\'s keys only', async () => {
    expect((await get(`/v1/departments/${MARKET}/keys`, node.keys.issuerOf(MARKET))).status).toBe(200);
    expect((await get(`/v1/departments/${uscc}/keys`, node.keys.issuerOf(MARKET))).status).toBe(403);
  });

  it('every change above is in an intact audit chain', async () => {
    const result = await verifyStoredAuditLog(node.services.db, node.services.stores.audit);
    expect(result.ok).toBe(true);
  });

  it('with no region CA key held by the node → 409 ROOT_KEY_OFFLINE, nothing changes', async () => {
    const { db, stores } = node.services;
    const before = (await get(`/v1/departments/${uscc}/keys`, admin)).body.keys;
    const caKeys = (await stores.signingKeys.listFor(db, null)).filter((k) => k.purpose === 'certificate_signing' && k.state === 'active');
    expect(caKeys.length).toBeGreaterThan(0);
    await db.transaction(async (tx) => {
      for (const k of caKeys) await stores.signingKeys.changeState(tx, k.keyId, 'retired', new Date());
    });
    const r = await post(`/v1/departments/${uscc}/keys`, {});
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('ROOT_KEY_OFFLINE');
    expect((await get(`/v1/departments/${uscc}/keys`, admin)).body.keys).toEqual(before);
  });
});
