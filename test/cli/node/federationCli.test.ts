/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * `elicense trust export` / `trust import` / `federation sync` against stopped
 * nodes' databases (the embedded database is single-process, so the commands
 * run while the nodes are down — as an operator of an air-gapped window would).
 * Region A exports; region B, which cannot reach A, imports and then verifies
 * A's licence from what it imported.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliContext } from '../../../src/cli/CliContext';
import { runFederationSync, runTrustExport, runTrustImport } from '../../../src/cli/commands/federationCommand';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { parseCertificate } from '../../../src/pki/certificate/ParsedCertificate';
import { repoPath } from '../../../src/repoPath';
import { http } from '../../node/helpers/http';
import { freshStorage, startTestNode, type TestStorage } from '../../node/helpers/startTestNode';
import { cli, removeDir, runAction, tempDir } from '../cliHarness';
import { BUSINESS_LICENSE_TYPE } from '../../typeCodes';

/** The command's action with its output; stdout and stderr together (the tests match on either). */
async function run(action: (ctx: CliContext) => Promise<void>): Promise<{ code: number; out: string }> {
  const r = await runAction(action);
  return { code: r.code, out: [r.out, r.err].filter(Boolean).join('\n') };
}

let storageA: TestStorage;
let storageB: TestStorage;
let work: string;
let cfgB: string;
let fullForm: unknown;
let rootA: string;
const where = (s: TestStorage) => (s.databaseUrl ? { databaseUrl: s.databaseUrl } : { dataDir: s.dataDir });
const deps = (s: TestStorage) => (s.pglite ? { pglite: s.pglite } : {});

beforeAll(async () => {
  work = tempDir('elicense-federation-cli-');
  storageA = await freshStorage();
  storageB = await freshStorage();
  const a = await startTestNode({ reuse: { dataDir: storageA.dataDir, databaseUrl: storageA.databaseUrl } });
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
  const issued = await http(a.url, 'POST', '/v1/licenses', { key: a.keys.issuerOf('business-licence'), json: { type: 'business-licence', data: sample.draft } });
  fullForm = issued.body;
  rootA = parseCertificate((await a.services.stores.region.get(a.services.db))!.rootCertificate).fingerprint;
  await a.close();
  cfgB = join(work, 'federation-b.json');
  writeFileSync(
    cfgB,
    JSON.stringify({
      peers: [{ baseUrl: 'http://127.0.0.1:9', rootSha256: rootA, label: 'Fujian (unreachable)' }],
      recognition: [{ peerRegion: '350000', peerTypeCode: BUSINESS_LICENSE_TYPE, localTypeCode: BUSINESS_LICENSE_TYPE, maxStatusAgeSeconds: 86_400 }],
      autoSync: false,
      requestTimeoutMs: 1000,
    }),
  );
  const b = await startTestNode({ reuse: { dataDir: storageB.dataDir, databaseUrl: storageB.databaseUrl }, env: { ELICENSE_DEMO_CEREMONY: repoPath('fixtures', 'ceremony', 'demo-region-guangdong.json') } });
  await b.close();
}, 240_000);

afterAll(async () => {
  await storageA?.remove();
  await storageB?.remove();
  removeDir(work);
}, 60_000);

describe('elicense trust export / import and federation sync', () => {
  const bundleFile = () => join(work, 'bundle.json');

  it('export writes region A\'s signed trust list, agreement and status lists', async () => {
    const r = await run((ctx) => runTrustExport({ ...where(storageA), out: bundleFile() }, { ...ctx, env: { ELICENSE_DATA_DIR: storageA.dataDir } }, deps(storageA)));
    expect(r).toMatchObject({ code: 0 });
    const bundle = JSON.parse(readFileSync(bundleFile(), 'utf8'));
    expect(bundle.format).toBe('elicense/trust-bundle@1');
    expect(bundle.exportedBy).toBe('350000');
    expect(bundle.documents.map((d: { kind: string }) => d.kind)).toEqual(expect.arrayContaining(['trust-list', 'recognition-agreement', 'status-list']));
  });

  it('sync cannot reach A: exit 1 with PEER_UNREACHABLE', async () => {
    const r = await run((ctx) => runFederationSync({ ...where(storageB), federation: cfgB }, ctx, deps(storageB)));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILED Fujian \(unreachable\)[\s\S]*PEER_UNREACHABLE/);
  });

  it('import into B takes every document (exit 0); again, all unchanged; a tampered bundle is refused (exit 1)', async () => {
    const first = await run((ctx) => runTrustImport(bundleFile(), { ...where(storageB), federation: cfgB }, ctx, deps(storageB)));
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^\d+ accepted, 0 unchanged, 0 refused/);
    const again = await run((ctx) => runTrustImport(bundleFile(), { ...where(storageB), federation: cfgB, json: true }, ctx, deps(storageB)));
    expect(JSON.parse(again.out)).toMatchObject({ accepted: 0, refused: [] });

    const bundle = JSON.parse(readFileSync(bundleFile(), 'utf8'));
    const doc = bundle.documents.find((d: { kind: string }) => d.kind === 'trust-list');
    doc.body = `${doc.body.slice(0, 40)}A${doc.body.slice(41)}`;
    const bad = join(work, 'tampered.json');
    writeFileSync(bad, JSON.stringify({ ...bundle, documents: [doc] }));
    const refused = await run((ctx) => runTrustImport(bad, { ...where(storageB), federation: cfgB }, ctx, deps(storageB)));
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/REFUSED trust-list current/);
  });

  it('unreadable input: exit 2', async () => {
    const notJson = join(work, 'not.json');
    writeFileSync(notJson, 'nope');
    expect((await run((ctx) => runTrustImport(notJson, { ...where(storageB), federation: cfgB }, ctx, deps(storageB)))).code).toBe(2);
    expect((await run((ctx) => runFederationSync({ ...where(storageB) }, ctx, deps(storageB)))).code).toBe(2);
    // Export must open the trust-list signer: a malformed master key is exit 2 (checked like the node checks it).
    const badKey = await run((ctx) => runTrustExport({ ...where(storageA), out: join(work, 'x.json') }, { ...ctx, env: { ELICENSE_MASTER_KEY: 'c2hvcnQ=' } }, deps(storageA)));
    expect(badKey.code).toBe(2);
    expect(badKey.out).toMatch(/32 random bytes/);
  });

  it('elicense verify --bundle: A\'s licence verifies offline from the bundle under A\'s pinned root', async () => {
    const license = join(work, 'licence.elic.json');
    writeFileSync(license, JSON.stringify(fullForm));
    const ok = await cli(['verify', license, '--bundle', bundleFile(), '--pin', rootA, '--json']);
    expect(ok.code).toBe(0);
    const result = JSON.parse(ok.out);
    expect(result.checks.find((c: { check: string }) => c.check === 'status').status).toBe('passed');
    expect(result.checks.find((c: { check: string }) => c.check === 'recognition').status).toBe('not_checked');
    // With an agreement, recognition is judged too.
    const recognised = JSON.parse((await cli(['verify', license, '--bundle', bundleFile(), '--pin', rootA, '--federation', cfgB, '--json'])).out);
    expect(recognised.recognizedLocalType).toBe(BUSINESS_LICENSE_TYPE);
    // Another pin: nothing in the bundle is trusted.
    const other = await cli(['verify', license, '--bundle', bundleFile(), '--pin', 'a'.repeat(64)]);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/no acceptable trust list/);
    expect((await cli(['verify', license, '--bundle', bundleFile()])).code).toBe(2);
  });

  it('B, started again, verifies A\'s licence from the imported documents', async () => {
    const b = await startTestNode({ reuse: { dataDir: storageB.dataDir, databaseUrl: storageB.databaseUrl }, env: { ELICENSE_FEDERATION_FILE: cfgB } });
    try {
      const r = await http(b.url, 'POST', '/v1/verifications', { json: fullForm });
      expect({ result: r.body.result, reasons: r.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
      expect(r.body.recognizedLocalType).toBe(BUSINESS_LICENSE_TYPE);
    } finally {
      await b.close();
    }
  });
});
