/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Recognition across a type code succession (issue 13 item 2, docs/adr/0011), two nodes on loopback: A
 * (Fujian) issues business licences under the national code of standard 1.1.0 and still has one signed under
 * the placeholder code of 1.0.0; B (Guangdong) configured one rule, for A's business licences under the
 * placeholder code. B recognises both, the new one by a rule derived from B's own standards and published in
 * B's signed agreement; what A publishes cannot make B recognise a type B has no rule for.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import type { FullForm } from '../../src/format/FullForm';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { repoPath } from '../../src/repoPath';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { cli, removeDir, tempDir } from '../cli/cliHarness';
import { http } from '../node/helpers/http';
import { issueUnderSupersededStandard } from '../node/helpers/issueUnderSupersededStandard';
import { startTestNode, type TestNode } from '../node/helpers/startTestNode';

const OLD = '11100000PH00000122901'; // 营业执照, placeholder (standard 1.0.0)
const NEW = '11100000MB0143028R001'; // 营业执照, SAMR's code (standard 1.1.0)
const MARKET = '11350100DM00000133'; // A's 福州市市场监督管理局 (demo)
const catalog = StandardsCatalog.load();
const MARRIAGE = catalog.getTypeBySlug('marriage-certificate')!.typeCode;

// The business licence face of 1.0.0 (no kind of entity), from the 1.0.0 sample.
const FACE_1_0 = loadSampleLicenses(repoPath('fixtures', 'data', '1.0.0')).find((x) => x.slug === 'business-licence')!.draft.extendInfo;
let numbers = 0;
const businessData = (extendInfo: Record<string, unknown>) => ({
  holder: { name: '福州榕信软件科技有限公司', code: '91350102EL0000017D', typeCode: '001', typeName: '统一社会信用代码' },
  certificateNumber: `SC${process.pid}${++numbers}`,
  effectiveDate: '2024-03-15',
  extendInfo,
});

let work: string;
let a: TestNode;
let b: TestNode;
let rootA: string;
let cfgB: string;
let newLicense: FullForm;
let oldLicense: FullForm;
let marriage: FullForm;

const verifyAt = (node: TestNode, body: unknown) => http(node.url, 'POST', '/v1/verifications', { json: body });
const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));
const recognition = (r: { body: { checks: Array<{ check: string; status: string; detail?: string }> } }) => r.body.checks.find((c) => c.check === 'recognition')!;

beforeAll(async () => {
  work = tempDir('elicense-succession-');
  // A's own agreement claims, for B's marriage certificates, B's business licence type: a statement about what A
  // accepts of B, which B must never read as a rule of its own.
  const cfgA = join(work, 'federation-a.json');
  writeFileSync(cfgA, JSON.stringify({ peers: [], recognition: [{ peerRegion: '440000', peerTypeCode: MARRIAGE, localTypeCode: NEW, maxStatusAgeSeconds: 3600 }] }));
  a = await startTestNode({ env: { ELICENSE_FEDERATION_FILE: cfgA } });
  rootA = parseCertificate((await a.services.stores.region.get(a.services.db))!.rootCertificate).fingerprint;
  const admin = { key: a.keys.admin };
  // The market department holds the national code (the demo grants it) and, for its licences from before 1.1.0, the placeholder.
  for (const code of [NEW, OLD]) expect((await http(a.url, 'PUT', `/v1/departments/${MARKET}/types/${code}`, admin)).status).toBe(200);
  oldLicense = await issueUnderSupersededStandard(a, MARKET, { typeCode: OLD, standardVersion: '1.0.0', ...businessData(FACE_1_0) });
  const issued = await http(a.url, 'POST', '/v1/licenses', { key: a.keys.issuerOf(MARKET), json: { type: 'business-licence', data: businessData({ ...FACE_1_0, entityKind: 'company' }) } });
  expect(issued.status).toBe(201);
  newLicense = issued.body;
  const sample = loadSampleLicenses().find((s) => s.slug === 'marriage-certificate')!;
  const m = await http(a.url, 'POST', '/v1/licenses', { key: a.keys.issuerOf('marriage-certificate'), json: { type: 'marriage-certificate', data: sample.draft } });
  expect(m.status).toBe(201);
  marriage = m.body;

  cfgB = join(work, 'federation-b.json');
  writeFileSync(
    cfgB,
    JSON.stringify({
      peers: [{ baseUrl: a.url, rootSha256: rootA, regionCode: '350000', label: 'Fujian' }],
      recognition: [{ peerRegion: '350000', peerTypeCode: OLD, localTypeCode: OLD, maxStatusAgeSeconds: 3600 }],
      requestTimeoutMs: 3000,
      autoSync: false,
    }),
  );
  b = await startTestNode({ env: { ELICENSE_FEDERATION_FILE: cfgB, ELICENSE_DEMO_CEREMONY: repoPath('fixtures', 'ceremony', 'demo-region-guangdong.json') } });
  const synced = await http(b.url, 'POST', '/v1/federation/sync', { key: b.keys.admin, json: {} });
  expect(synced.body.peers).toEqual([expect.objectContaining({ ok: true, errors: [] })]);
}, 240_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  removeDir(work);
}, 60_000);

describe('a recognition rule for the placeholder code', () => {
  it('A lists its department under both codes, and its licences carry them', async () => {
    const listed = payloadOf(await (await fetch(`${a.url}/v1/federation/trust-list`)).text()).departments.find((d: { uscc: string }) => d.uscc === MARKET);
    expect(listed.authorizedTypes.map((t: { typeCode: string }) => t.typeCode)).toEqual(expect.arrayContaining([NEW, OLD]));
    expect(newLicense.license).toMatchObject({ certificateTypeCode: NEW, standardVersion: '1.1.0' });
    expect(oldLicense.license).toMatchObject({ certificateTypeCode: OLD, standardVersion: '1.0.0' });
  });

  it("recognises A's licence under the national code, as B's successor of the local type", async () => {
    const r = await verifyAt(b, newLicense);
    expect({ result: r.body.result, reasons: r.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
    expect(r.body.recognizedLocalType).toBe(NEW);
    expect(recognition(r)).toMatchObject({ status: 'passed', detail: expect.stringContaining(`350000/${NEW} → ${NEW}`) });
  });

  it("still recognises A's licence signed under the placeholder code, by the configured rule", async () => {
    const r = await verifyAt(b, oldLicense);
    expect({ result: r.body.result, reasons: r.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
    expect(r.body.recognizedLocalType).toBe(OLD);
  });

  it("B's signed agreement carries the configured rule and the derived one, nothing else", async () => {
    const jws = await (await fetch(`${b.url}/v1/federation/agreement`)).text();
    const doc = payloadOf(jws);
    expect(doc.region.code).toBe('440000');
    expect(doc.accepts).toEqual(
      expect.arrayContaining([
        { peerRegion: '350000', peerTypeCode: OLD, localTypeCode: OLD, conditions: { maxStatusAgeSeconds: 3600 } },
        { peerRegion: '350000', peerTypeCode: NEW, localTypeCode: NEW, conditions: { maxStatusAgeSeconds: 3600 } },
      ]),
    );
    expect(doc.accepts).toHaveLength(2);
  });

  it('elicense verify --bundle --federation recognises it the same way, from the same file', async () => {
    const exported = await http(a.url, 'GET', '/v1/federation/export', { key: a.keys.admin });
    expect(exported.status).toBe(200);
    const bundleFile = join(work, 'bundle-a.json');
    const licenseFile = join(work, 'licence-new.json');
    writeFileSync(bundleFile, JSON.stringify(exported.body));
    writeFileSync(licenseFile, JSON.stringify(newLicense));
    const r = await cli(['verify', licenseFile, '--bundle', bundleFile, '--pin', `${rootA}:350000`, '--federation', cfgB, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ result: 'accepted', recognizedLocalType: NEW });
  });
});

describe('what a peer publishes cannot widen what B recognises', () => {
  it("A's trust list authorises its marriage registry, A's agreement names marriage certificates — B has no rule: TYPE_NOT_RECOGNIZED", async () => {
    const trustList = payloadOf(await (await fetch(`${a.url}/v1/federation/trust-list`)).text());
    expect(trustList.departments.flatMap((d: { authorizedTypes: Array<{ typeCode: string }> }) => d.authorizedTypes.map((t) => t.typeCode))).toContain(MARRIAGE);
    const peers = (await http(b.url, 'GET', '/v1/federation/peers', { key: b.keys.admin })).body.peers;
    expect(peers[0].agreement).toMatchObject({ accepts: 1 });

    const r = await verifyAt(b, marriage);
    expect({ result: r.body.result, reasons: r.body.reasons }).toEqual({ result: 'rejected', reasons: ['TYPE_NOT_RECOGNIZED'] });
    expect(r.body.recognizedLocalType).toBeNull();
    expect(recognition(r).status).toBe('failed');
  });

  it('B adds no rule for a code its own standards do not link to the configured one', async () => {
    const doc = payloadOf(await (await fetch(`${b.url}/v1/federation/agreement`)).text());
    expect(doc.accepts.map((r: { peerTypeCode: string }) => r.peerTypeCode).sort()).toEqual([NEW, OLD]);
  });
});
