/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Mutual recognition end to end (issue 5): three nodes on loopback, three
 * regions, three databases. A (Fujian) issues; B (Guangdong) recognises A's
 * business licences; C (Shanghai, a region entirely on SM2 with SM3) follows A
 * and recognises its marriage certificates, not its business licences.
 * B verifies A's licence while A is down, sees A's revocation after its next
 * sync, and refuses a tampered or replayed trust list, keeping the last good one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import { signFederationDocument } from '../../src/trust/peer/federationDocument';
import { runCeremony } from '../../src/pki/ca/ceremony';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { repoPath } from '../../src/repoPath';
import { freePort } from '../../scripts/bench/childNode';
import { http } from '../node/helpers/http';
import { freshStorage, startTestNode, type TestNode, type TestStorage } from '../node/helpers/startTestNode';
import { BUSINESS_LICENSE_TYPE, MARRIAGE_TYPE } from '../typeCodes';

const BUSINESS = BUSINESS_LICENSE_TYPE;
const MARRIAGE = MARRIAGE_TYPE;
const SAMPLES = loadSampleLicenses();

async function rootOf(node: TestNode): Promise<string> {
  const region = await node.services.stores.region.get(node.services.db);
  return parseCertificate(region!.rootCertificate).fingerprint;
}

let storageA: TestStorage;
let portA: number;
let a: TestNode;
let b: TestNode;
let c: TestNode;
let rootA: string;
let identifier: string;
let fullForm: unknown;
let qrText: string;
let marriageForm: unknown;
/** A peer under its own root whose trust list claims Shanghai, C's own region (issue 10, item 1). */
let impostor: Server;
let impostorRoot: string;

const startA = () =>
  startTestNode({ reuse: { dataDir: storageA.dataDir, databaseUrl: storageA.databaseUrl }, env: { PORT: String(portA) } });
const verifyAt = (node: TestNode, body: unknown) => http(node.url, 'POST', '/v1/verifications', { json: body });
const sync = async (node: TestNode) => {
  const r = await http(node.url, 'POST', '/v1/federation/sync', { key: node.keys.admin, json: {} });
  expect(r.status).toBe(200);
  return r.body.peers as Array<{ ok: boolean; errors: Array<{ code: string }>; accepted: number; unchanged: number }>;
};

beforeAll(async () => {
  storageA = await freshStorage();
  portA = await freePort();
  a = await startA();
  rootA = await rootOf(a);
  const sample = SAMPLES.find((s) => s.slug === 'business-licence')!;
  const issued = await http(a.url, 'POST', '/v1/licenses', { key: a.keys.issuerOf('business-licence'), json: { type: 'business-licence', data: sample.draft } });
  expect(issued.status).toBe(201);
  identifier = issued.body.license.certificateIdentifier;
  fullForm = (await http(a.url, 'GET', `/v1/licenses/${encodeURIComponent(identifier)}`, { key: a.keys.issuerOf('business-licence') })).body;
  qrText = (await http(a.url, 'GET', `/v1/licenses/${encodeURIComponent(identifier)}.qr.txt`, { key: a.keys.issuerOf('business-licence') })).text.trim();
  const marriage = SAMPLES.find((s) => s.slug === 'marriage-certificate')!;
  const m = await http(a.url, 'POST', '/v1/licenses', { key: a.keys.issuerOf('marriage-certificate'), json: { type: 'marriage-certificate', data: marriage.draft } });
  expect(m.status).toBe(201);
  marriageForm = (await http(a.url, 'GET', `/v1/licenses/${encodeURIComponent(m.body.license.certificateIdentifier)}`, { key: a.keys.issuerOf('marriage-certificate') })).body;

  const peerA = { baseUrl: `http://127.0.0.1:${portA}`, rootSha256: rootA, label: 'Fujian' };
  const cfgB = join(storageA.dataDir, 'federation-b.json');
  writeFileSync(cfgB, JSON.stringify({ peers: [peerA], recognition: [{ peerRegion: '350000', peerTypeCode: BUSINESS, localTypeCode: BUSINESS, maxStatusAgeSeconds: 3600 }], requestTimeoutMs: 3000, autoSync: false }));
  const shanghai = await runCeremony(JSON.parse(readFileSync(repoPath('fixtures', 'ceremony', 'demo-region-shanghai.json'), 'utf8')), { now: new Date(Date.now() - 86_400_000) });
  impostorRoot = parseCertificate(shanghai.root.certificate.der).fingerprint;
  const claim = await signFederationDocument(
    'trust-list',
    {
      format: 'elicense/trust-list@1',
      region: { code: '310000', name: '上海市' },
      sequence: 1,
      issuedAt: new Date().toISOString(),
      nextUpdate: new Date(Date.now() + 86_400_000).toISOString(),
      rootCertificate: Buffer.from(shanghai.root.certificate.der).toString('base64'),
      timestampAuthorities: [],
      departments: [],
      statusLists: [],
    },
    new SoftwareSigner(shanghai.trustListSigner.privateKey, shanghai.trustListSigner.chain),
    shanghai.root.certificate.der,
  );
  impostor = createServer((req, res) => (req.url === '/v1/federation/trust-list' ? res.writeHead(200, { 'content-type': 'application/jose' }).end(claim) : res.writeHead(404).end()));
  await new Promise<void>((ok) => impostor.listen(0, '127.0.0.1', ok));
  const peerImpostor = { baseUrl: `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`, rootSha256: impostorRoot, label: 'impostor' };
  const cfgC = join(storageA.dataDir, 'federation-c.json');
  writeFileSync(cfgC, JSON.stringify({ peers: [peerA, peerImpostor], recognition: [{ peerRegion: '350000', peerTypeCode: MARRIAGE, localTypeCode: MARRIAGE, maxStatusAgeSeconds: 3600 }], requestTimeoutMs: 3000 }));
  b = await startTestNode({ env: { ELICENSE_FEDERATION_FILE: cfgB, ELICENSE_DEMO_CEREMONY: repoPath('fixtures', 'ceremony', 'demo-region-guangdong.json') } });
  c = await startTestNode({ env: { ELICENSE_FEDERATION_FILE: cfgC, ELICENSE_DEMO_CEREMONY: repoPath('fixtures', 'ceremony', 'demo-region-shanghai.json') } });
}, 240_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await c?.close();
  await new Promise((ok) => impostor?.close(ok));
  await storageA?.remove();
}, 60_000);

describe('three regions', () => {
  it('each node is its own region, publishing a signed trust list, status lists and agreement with strong ETags', async () => {
    expect((await b.services.stores.region.get(b.services.db))!.code).toBe('440000');
    expect((await c.services.stores.region.get(c.services.db))!.code).toBe('310000');
    const tl = await fetch(`${a.url}/v1/federation/trust-list`);
    expect(tl.status).toBe(200);
    expect(tl.headers.get('content-type')).toMatch(/^application\/jose/);
    const etag = tl.headers.get('etag')!;
    expect((await fetch(`${a.url}/v1/federation/trust-list`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${a.url}/v1/federation/agreement`)).status).toBe(200);
    expect((await fetch(`${a.url}/v1/federation/status-lists/nope-1`)).status).toBe(404);
  });

  it("a peer whose trust list claims C's own region is refused, the reason shown in GET /v1/federation/peers", async () => {
    const view = async () => (await http(c.url, 'GET', '/v1/federation/peers', { key: c.keys.admin })).body.peers as Array<Record<string, unknown>>;
    for (let i = 0; i < 50 && (await view())[1]!['lastError'] === null; i++) await new Promise((r) => setTimeout(r, 100));
    const [, claimed] = await view();
    expect(claimed).toMatchObject({ rootFingerprint: impostorRoot, state: 'failing', pinnedRegionCode: null, trustList: null, lastError: { code: 'DOCUMENT_REGION_OWN' } });
  });

  it('before any sync, B does not know A: the licence is rejected', async () => {
    const r = await verifyAt(b, fullForm);
    expect(r.body.result).toBe('rejected');
    expect(r.body.reasons).toContain('CHAIN_UNTRUSTED');
  });

  it('C synced on its own schedule at start; B syncs on demand: trust list, agreement and status lists accepted', async () => {
    for (let i = 0; i < 50 && (await http(c.url, 'GET', '/v1/federation/peers', { key: c.keys.admin })).body.peers[0].state !== 'ok'; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await http(c.url, 'GET', '/v1/federation/peers', { key: c.keys.admin })).body.peers[0]).toMatchObject({ state: 'ok', regionCode: '350000', pinnedRegionCode: '350000', conflicts: [] });
    const [reportB] = await sync(b);
    expect(reportB).toMatchObject({ ok: true, errors: [] });
    expect(reportB!.accepted).toBeGreaterThanOrEqual(3);
    const [reportC] = await sync(c);
    expect(reportC).toMatchObject({ ok: true });
    // A second round is all 304s.
    const [again] = await sync(b);
    expect(again).toMatchObject({ ok: true, accepted: 0 });
    expect(again!.unchanged).toBeGreaterThanOrEqual(3);
  });

  it('with A stopped, B verifies A\'s licence from its cache: accepted, with B\'s local type and the freshness of each piece of trust data', async () => {
    await a.close();
    const r = await verifyAt(b, fullForm);
    expect({ result: r.body.result, reasons: r.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
    expect(r.body.recognizedLocalType).toBe(BUSINESS);
    expect(r.body.checks.find((x: { check: string }) => x.check === 'status').status).toBe('passed');
    expect(r.body.checks.find((x: { check: string }) => x.check === 'recognition').status).toBe('passed');
    expect(r.body.status).toMatchObject({ value: 'valid' });
    const details = r.body.trust.details as Array<{ data: string; region: string; asOf: string | null }>;
    expect(details.map((d) => d.data)).toEqual(expect.arrayContaining(['trust-list', 'status-list', 'recognition-agreement']));
    for (const d of details) expect({ data: d.data, asOf: typeof d.asOf }).toEqual({ data: d.data, asOf: 'string' });
    // The compact QR too: its key id is found in A's trust list.
    const q = await verifyAt(b, { qr: qrText });
    expect({ result: q.body.result, reasons: q.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
    expect(q.body.recognizedLocalType).toBe(BUSINESS);
    // The QR names no department: the result takes name and region from A's trust list.
    expect(q.body.issuer).toEqual({ uscc: '11350100DM00000133', name: '福州市市场监督管理局', regionCode: '350000' });
    expect(q.body.signer).toMatchObject({ algorithm: 'ES256', uscc: '11350100DM00000133' });
  });

  it('C follows A but has no agreement for business licences: TYPE_NOT_RECOGNIZED (and recognises A\'s marriage certificates)', async () => {
    const r = await verifyAt(c, fullForm);
    expect({ result: r.body.result, reasons: r.body.reasons }).toEqual({ result: 'rejected', reasons: ['TYPE_NOT_RECOGNIZED'] });
    expect(r.body.recognizedLocalType).toBeNull();
    const m = await verifyAt(c, marriageForm);
    expect({ result: m.body.result, reasons: m.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
  });

  it('a sync while A is down fails, keeps the last good copies and reports their age', async () => {
    const [report] = await sync(b);
    expect(report!.ok).toBe(false);
    expect(report!.errors[0]!.code).toBe('PEER_UNREACHABLE');
    const peers = (await http(b.url, 'GET', '/v1/federation/peers', { key: b.keys.auditor })).body.peers;
    expect(peers[0]).toMatchObject({ state: 'failing', regionCode: '350000', rootFingerprint: rootA, consecutiveFailures: 1, lastError: { code: 'PEER_UNREACHABLE' } });
    expect(peers[0].trustList.sequence).toBeGreaterThanOrEqual(1);
    expect(Date.parse(peers[0].trustList.acceptsLicencesUntil) - Date.parse(peers[0].trustList.nextUpdate)).toBe(3_600_000);
    expect(peers[0].statusLists.count).toBeGreaterThanOrEqual(1);
    expect((await verifyAt(b, fullForm)).body.result).toBe('accepted');
  });

  it('A restarts and revokes; after B\'s next sync the licence is LICENSE_REVOKED in B', async () => {
    a = await startA();
    const revoked = await http(a.url, 'POST', `/v1/licenses/${encodeURIComponent(identifier)}/revoke`, { key: a.keys.issuerOf('business-licence'), json: { reason: 'federation test' } });
    expect(revoked.status).toBe(200);
    expect((await verifyAt(b, fullForm)).body.result).toBe('accepted'); // B has not synced yet
    const [report] = await sync(b);
    expect(report).toMatchObject({ ok: true });
    const r = await verifyAt(b, fullForm);
    expect({ result: r.body.result, reasons: r.body.reasons }).toEqual({ result: 'rejected', reasons: ['LICENSE_REVOKED'] });
    expect(r.body.status.value).toBe('revoked');
    const peers = (await http(b.url, 'GET', '/v1/federation/peers', { key: b.keys.admin })).body.peers;
    expect(peers[0]).toMatchObject({ state: 'ok', consecutiveFailures: 0, lastError: null });
  });

  it('a tampered or replayed trust list is refused and the previous one kept', async () => {
    const old = await (await fetch(`${a.url}/v1/federation/trust-list`)).text();
    const oldSequence = Number(JSON.parse(Buffer.from(old.split('.')[1]!, 'base64url').toString('utf8')).sequence);
    // A change in A (a type granted) makes a newer trust list; B takes it.
    const dept = '11350100DM0000021X';
    expect((await http(a.url, 'PUT', `/v1/departments/${dept}/types/${BUSINESS}`, { key: a.keys.admin })).status).toBeLessThan(300);
    await sync(b);
    const peers = async () => (await http(b.url, 'GET', '/v1/federation/peers', { key: b.keys.admin })).body.peers[0];
    const current = (await peers()).trustList.sequence;
    expect(current).toBeGreaterThan(oldSequence);

    const bundle = (body: string) => ({ format: 'elicense/trust-bundle@1', exportedAt: new Date().toISOString(), exportedBy: '350000', documents: [{ kind: 'trust-list', docId: 'current', rootSha256: rootA, body }] });
    const replay = await http(b.url, 'POST', '/v1/federation/import', { key: b.keys.admin, json: bundle(old) });
    expect(replay.status).toBe(200);
    expect(replay.body.refused.map((x: { code: string }) => x.code)).toEqual(['DOCUMENT_SEQUENCE_REPLAYED']);

    const [h, p, s] = old.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    payload.sequence = current + 100;
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    const t = await http(b.url, 'POST', '/v1/federation/import', { key: b.keys.admin, json: bundle(tampered) });
    expect(t.body.refused.map((x: { code: string }) => x.code)).toEqual(['DOCUMENT_SIGNATURE_INVALID']);

    // C's trust list presented as A's: wrong root.
    const foreign = await (await fetch(`${c.url}/v1/federation/trust-list`)).text();
    const f = await http(b.url, 'POST', '/v1/federation/import', { key: b.keys.admin, json: bundle(foreign) });
    expect(f.body.refused.map((x: { code: string }) => x.code)).toEqual(['DOCUMENT_ROOT_MISMATCH']);

    expect((await peers()).trustList.sequence).toBe(current);
    expect((await verifyAt(b, fullForm)).body.reasons).toEqual(['LICENSE_REVOKED']);
  });

  it('a department withdrawn after signing: B answers as A does (the foundation ADR rule)', async () => {
    const dept = '11350100DM0000021X'; // the marriage registry
    expect((await http(a.url, 'POST', `/v1/departments/${dept}/withdraw`, { key: a.keys.admin, json: { reason: 'merged' } })).status).toBe(200);
    await sync(c);
    const inA = await verifyAt(a, marriageForm);
    const inC = await verifyAt(c, marriageForm);
    expect(inC.body.checks.find((x: { check: string }) => x.check === 'issuer')).toEqual(inA.body.checks.find((x: { check: string }) => x.check === 'issuer'));
    expect(inC.body.result).toBe(inA.body.result);
  });

  it('trust export / import carries A\'s documents to a node that cannot reach A', async () => {
    const exported = await http(a.url, 'GET', '/v1/federation/export', { key: a.keys.admin });
    expect(exported.status).toBe(200);
    expect(exported.body.format).toBe('elicense/trust-bundle@1');
    const imported = await http(c.url, 'POST', '/v1/federation/import', { key: c.keys.admin, json: exported.body });
    expect(imported.status).toBe(200);
    expect(imported.body.refused).toEqual([]);
    expect(imported.body.accepted + imported.body.unchanged).toBe(exported.body.documents.length);
    // C now knows A's revocation without having synced after it.
    expect((await verifyAt(c, fullForm)).body.reasons).toEqual(expect.arrayContaining(['LICENSE_REVOKED']));
  });
});
