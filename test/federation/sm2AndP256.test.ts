/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Federation across algorithms (issue 12, item 6): S (Shanghai, the all-SM2 demo
 * ceremony) and F (Fujian, P-256 root) follow each other. S publishes its trust
 * list, status lists and agreement signed with SM2; F's with its own keys. Each
 * recognises the other's business licences, and a licence of either region
 * verifies `accepted` on the other node, full form and compact QR, as the mapped
 * local type.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { repoPath } from '../../src/repoPath';
import { firstStatusListId } from '../../src/trust/publish/buildTrustDocuments';
import { freePort } from '../../scripts/bench/childNode';
import { http } from '../node/helpers/http';
import { freshStorage, startTestNode, type TestNode, type TestStorage } from '../node/helpers/startTestNode';
import { BUSINESS_LICENSE_TYPE } from '../typeCodes';

const BUSINESS = BUSINESS_LICENSE_TYPE;
const SAMPLE = loadSampleLicenses().find((x) => x.slug === 'business-licence')!;

let storageF: TestStorage;
let portF: number;
let f: TestNode;
let s: TestNode;
const issued = new Map<TestNode, { fullForm: unknown; qr: string }>();

const rootOf = async (node: TestNode) => parseCertificate((await node.services.stores.region.get(node.services.db))!.rootCertificate).fingerprint;
const verifyAt = (node: TestNode, body: unknown) => http(node.url, 'POST', '/v1/verifications', { json: body });
const headerOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8')) as { alg: string };
const syncOk = async (node: TestNode) => {
  const r = await http(node.url, 'POST', '/v1/federation/sync', { key: node.keys.admin, json: {} });
  expect(r.status).toBe(200);
  expect(r.body.peers[0]).toMatchObject({ ok: true, errors: [] });
};
const issueBusinessLicence = async (node: TestNode) => {
  const key = node.keys.issuerOf('business-licence');
  const r = await http(node.url, 'POST', '/v1/licenses', { key, json: { type: 'business-licence', data: SAMPLE.draft } });
  expect(r.status).toBe(201);
  const id = encodeURIComponent(r.body.license.certificateIdentifier);
  const fullForm = (await http(node.url, 'GET', `/v1/licenses/${id}`, { key })).body;
  const qr = (await http(node.url, 'GET', `/v1/licenses/${id}.qr.txt`, { key })).text.trim();
  issued.set(node, { fullForm, qr });
};

beforeAll(async () => {
  storageF = await freshStorage();
  portF = await freePort();
  const startF = (env: Record<string, string> = {}) => startTestNode({ reuse: { dataDir: storageF.dataDir, databaseUrl: storageF.databaseUrl }, env: { PORT: String(portF), ...env } });
  f = await startF();
  const rootF = await rootOf(f);
  const cfgS = join(storageF.dataDir, 'federation-s.json');
  writeFileSync(cfgS, JSON.stringify({ peers: [{ baseUrl: `http://127.0.0.1:${portF}`, rootSha256: rootF, label: 'Fujian' }], recognition: [{ peerRegion: '350000', peerTypeCode: BUSINESS, localTypeCode: BUSINESS, maxStatusAgeSeconds: 3600 }], requestTimeoutMs: 3000, autoSync: false }));
  s = await startTestNode({ env: { ELICENSE_FEDERATION_FILE: cfgS, ELICENSE_DEMO_CEREMONY: repoPath('fixtures', 'ceremony', 'demo-region-shanghai.json') } });
  // F restarts knowing S (its root is known only now).
  await f.close();
  const cfgF = join(storageF.dataDir, 'federation-f.json');
  writeFileSync(cfgF, JSON.stringify({ peers: [{ baseUrl: s.url, rootSha256: await rootOf(s), label: 'Shanghai' }], recognition: [{ peerRegion: '310000', peerTypeCode: BUSINESS, localTypeCode: BUSINESS, maxStatusAgeSeconds: 3600 }], requestTimeoutMs: 3000, autoSync: false }));
  f = await startF({ ELICENSE_FEDERATION_FILE: cfgF });
  await issueBusinessLicence(f);
  await issueBusinessLicence(s);
}, 240_000);

afterAll(async () => {
  await s?.close();
  await f?.close();
  await storageF?.remove();
}, 60_000);

describe('an SM2 region and a P-256 region recognise each other', () => {
  it('S signs its licences, trust list, agreement and status lists with SM2; F with ES256', async () => {
    expect(headerOf((issued.get(s)!.fullForm as { signature: string }).signature).alg).toBe('SM2');
    expect(headerOf((issued.get(f)!.fullForm as { signature: string }).signature).alg).toBe('ES256');
    expect(headerOf(await (await fetch(`${s.url}/v1/federation/trust-list`)).text()).alg).toBe('SM2');
    expect(headerOf(await (await fetch(`${s.url}/v1/federation/agreement`)).text()).alg).toBe('SM2');
    const statusList = await fetch(`${s.url}/v1/federation/status-lists/${encodeURIComponent(firstStatusListId('11310115DM0310011K'))}`);
    expect(statusList.status).toBe(200);
    expect(headerOf(await statusList.text()).alg).toBe('SM2');
    expect(headerOf(await (await fetch(`${f.url}/v1/federation/trust-list`)).text()).alg).toBe('ES256');
  });

  it('before any sync, neither knows the other: CHAIN_UNTRUSTED', async () => {
    expect((await verifyAt(f, issued.get(s)!.fullForm)).body.reasons).toContain('CHAIN_UNTRUSTED');
    expect((await verifyAt(s, issued.get(f)!.fullForm)).body.reasons).toContain('CHAIN_UNTRUSTED');
  });

  it('after a sync each way, the SM2 licence is accepted on the P-256 node and the P-256 licence on the SM2 node, full form and QR', async () => {
    await syncOk(f);
    await syncOk(s);
    const peersOfF = (await http(f.url, 'GET', '/v1/federation/peers', { key: f.keys.admin })).body.peers;
    expect(peersOfF[0]).toMatchObject({ state: 'ok', regionCode: '310000' });
    expect(peersOfF[0].statusLists.count).toBeGreaterThanOrEqual(1);
    for (const [node, from, region, algorithm] of [[f, s, '310000', 'SM2'], [s, f, '350000', 'ES256']] as const) {
      const full = await verifyAt(node, issued.get(from)!.fullForm);
      expect({ region, result: full.body.result, reasons: full.body.reasons }).toEqual({ region, result: 'accepted', reasons: [] });
      expect(full.body.recognizedLocalType).toBe(BUSINESS);
      expect(full.body.signer).toMatchObject({ algorithm });
      expect(full.body.issuer).toMatchObject({ regionCode: region });
      expect(full.body.status).toMatchObject({ value: 'valid' });
      for (const check of ['status', 'recognition']) expect(full.body.checks.find((x: { check: string }) => x.check === check).status).toBe('passed');
      const qr = await verifyAt(node, { qr: issued.get(from)!.qr });
      expect({ region, result: qr.body.result, reasons: qr.body.reasons }).toEqual({ region, result: 'accepted', reasons: [] });
      expect(qr.body.recognizedLocalType).toBe(BUSINESS);
      expect(qr.body.signer).toMatchObject({ algorithm });
    }
  });

  it("a tampered SM2 licence is rejected on the P-256 node", async () => {
    const form = JSON.parse(JSON.stringify(issued.get(s)!.fullForm));
    form.license.certificateHolderName = `${form.license.certificateHolderName}X`;
    const r = await verifyAt(f, form);
    expect(r.body.result).toBe('rejected');
    expect(r.body.reasons).toContain('SIGNATURE_INVALID');
  });
});
