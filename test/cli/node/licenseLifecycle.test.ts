/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * `elicense licence revoke|suspend|reinstate` against a real node: the change
 * lands (and verification says so), a second revoke is refused (exit 1), another
 * department's issuer is refused (exit 1), bad keys and unreachable nodes are
 * exit 2, and the reason is required.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { http } from '../../node/helpers/http';
import { startTestNode, type TestNode } from '../../node/helpers/startTestNode';
import { cli, removeDir, tempDir } from '../cliHarness';

let node: TestNode;
let dir: string;
let issuerKey: string;
let otherKey: string;
let identifier: string;
let fullForm: string;

beforeAll(async () => {
  node = await startTestNode();
  dir = tempDir('cli-lifecycle');
  issuerKey = join(dir, 'issuer.key');
  writeFileSync(issuerKey, `${node.keys.issuerOf('business-licence')}\n`);
  otherKey = join(dir, 'other.key');
  writeFileSync(otherKey, node.keys.issuerOf('marriage-certificate'));
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
  const r = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('business-licence'), json: { type: 'business-licence', data: sample.draft } });
  identifier = r.body.license.certificateIdentifier;
  fullForm = r.text;
}, 120_000);
afterAll(async () => {
  await node?.close();
  removeDir(dir);
}, 60_000);

const run = (action: string, ...extra: string[]) => cli(['licence', action, identifier, '--node', node.url, '--api-key-file', issuerKey, ...extra]);
const verdict = async () => (await http(node.url, 'POST', '/v1/verifications', { raw: fullForm })).body.reasons as string[];

describe('elicense licence revoke|suspend|reinstate', () => {
  it('suspend, reinstate and revoke land on the node, with the reason; verification follows', async () => {
    expect((await run('suspend', '--reason', 'inspection')).code).toBe(0);
    expect(await verdict()).toEqual(['LICENSE_SUSPENDED']);
    const back = await run('reinstate', '--reason', 'cleared', '--json');
    expect(back.code).toBe(0);
    expect(JSON.parse(back.out)).toMatchObject({ status: 'valid', previousStatus: 'suspended' });
    expect(await verdict()).toEqual([]);
    const revoked = await run('revoke', '--reason', 'fraud');
    expect(revoked).toMatchObject({ code: 0 });
    expect(revoked.out).toMatch(/^REVOKED/);
    expect(await verdict()).toEqual(['LICENSE_REVOKED']);
    const events = await http(node.url, 'GET', `/v1/licenses/${encodeURIComponent(identifier)}/events`, { key: node.keys.admin });
    expect(events.body.events.map((e: { reason?: string }) => e.reason).filter(Boolean)).toEqual(['issued', 'inspection', 'cleared', 'fraud']);
  });

  it('refusals by the node are exit 1 with the code: already revoked, another department, unknown licence', async () => {
    const again = await run('revoke', '--reason', 'twice');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/LICENSE_STATE_CONFLICT/);
    const foreign = await cli(['licence', 'suspend', identifier, '--node', node.url, '--api-key-file', otherKey, '--reason', 'not mine']);
    expect(foreign.code).toBe(1);
    expect(foreign.err).toMatch(/FORBIDDEN/);
    const unknown = await cli(['licence', 'revoke', '1.2.156.3005.2.nope', '--node', node.url, '--api-key-file', issuerKey, '--reason', 'x']);
    expect(unknown.code).toBe(1);
  });

  it('exit 2: unknown API key, unreachable node, missing key file, empty reason, bad URL', async () => {
    const bad = join(dir, 'bad.key');
    writeFileSync(bad, 'ak_nope.secret');
    expect((await cli(['licence', 'revoke', identifier, '--node', node.url, '--api-key-file', bad, '--reason', 'x'])).code).toBe(2);
    expect((await cli(['licence', 'revoke', identifier, '--node', 'http://127.0.0.1:9', '--api-key-file', issuerKey, '--reason', 'x'])).code).toBe(2);
    expect((await cli(['licence', 'revoke', identifier, '--node', node.url, '--api-key-file', join(dir, 'missing.key'), '--reason', 'x'])).code).toBe(2);
    expect((await run('revoke', '--reason', '  ')).code).toBe(2);
    expect((await cli(['licence', 'revoke', identifier, '--node', 'ftp://x', '--api-key-file', issuerKey, '--reason', 'x'])).code).toBe(2);
  });
});
