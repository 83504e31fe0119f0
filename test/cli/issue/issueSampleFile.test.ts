import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, DATA_DIR, makeDemo, removeDir, tempDir } from '../cliHarness';

/**
 * A sample file of fixtures/data is accepted as `issue --data` as it is: its `slug` must name --type, its
 * `note` is a comment, and its `issuer` never decides who signs (the department of --key does; a
 * different issuer is noted on stderr).
 */
let dir: string;
let demo: string;
let env: NodeJS.ProcessEnv;
const key = (department: string): string => join(demo, 'pki', 'departments', department, 'key.p12');
const args = (type: string, data: string, extra: string[] = []): string[] => [
  'issue', '--type', type, '--data', data, '--key', key('fz-market-regulation'), '--tsa-key', join(demo, 'pki', 'timestamp-authority', 'key.p12'), '--trust', join(demo, 'trust'), ...extra,
];
const sample = JSON.parse(readFileSync(join(DATA_DIR, 'business-licence.json'), 'utf8')) as Record<string, unknown>;
const variant = (name: string, change: (s: Record<string, unknown>) => void): string => {
  const copy = structuredClone(sample);
  change(copy);
  const file = join(dir, `${name}.json`);
  // Photo files are named relative to the data file; the business licence has none, so the copy may live anywhere.
  writeFileSync(file, JSON.stringify(copy));
  return file;
};

beforeAll(async () => {
  dir = tempDir('cli-issue-sample');
  demo = await makeDemo(dir);
  env = { ELICENSE_PASSPHRASE: readFileSync(join(demo, 'pki', 'DEMO-PASSPHRASE.txt'), 'utf8').trim() };
}, 300_000);
afterAll(() => removeDir(dir));

describe('issue --data with a sample file of fixtures/data', () => {
  it('issues fixtures/data/business-licence.json as it is, signed by the --key department, and notes the sample issuer it ignores', async () => {
    const out = join(dir, 'sample.elic.json');
    const r = await cli(args('business-licence', join(DATA_DIR, 'business-licence.json'), ['--out', out]), env);
    expect(r.err).toContain(`names issuer "${(sample['issuer'] as { code: string }).code}"`);
    expect(r.err).toMatch(/the licence is issued by the department of --key, .+ \(11350100DM00000133\)/);
    expect(r.code).toBe(0);
    const license = (JSON.parse(readFileSync(out, 'utf8')) as { license: Record<string, unknown> }).license;
    expect(license['certificateIssuingAuthorityCode']).toBe('11350100DM00000133');
    expect(license['certificateNumber']).toBe(sample['certificateNumber']);
    expect(JSON.stringify(license)).not.toContain('Fictional sample data');
  }, 120_000);

  it('says nothing about an issuer that is the --key department', async () => {
    const file = variant('own-issuer', (s) => (s['issuer'] = { name: '福州市市场监督管理局', code: '11350100DM00000133', areaCode: '350100' }));
    const r = await cli(args('business-licence', file, ['--out', join(dir, 'own.elic.json')]), env);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('names issuer');
  }, 120_000);

  it('takes a slug that names the --type given by its type code', async () => {
    const code = (JSON.parse(readFileSync(join(demo, 'licences', 'business-licence.elic.json'), 'utf8')) as { license: { certificateTypeCode: string } }).license.certificateTypeCode;
    const r = await cli(args(code, join(DATA_DIR, 'business-licence.json'), ['--out', join(dir, 'by-code.elic.json')]), env);
    expect(r.code).toBe(0);
  }, 120_000);

  it('refuses (exit 1, SCHEMA_INVALID) a sample whose slug names another type than --type', async () => {
    const file = variant('other-slug', (s) => (s['slug'] = 'driving-licence'));
    const r = await cli(args('business-licence', file), env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/SCHEMA_INVALID: .*slug "driving-licence" names another licence type than --type business-licence/);
  }, 120_000);

  it('refuses (exit 1, SCHEMA_INVALID) a note that is not text, and still refuses keys a data file cannot set', async () => {
    const note = await cli(args('business-licence', variant('note-object', (s) => (s['note'] = { x: 1 }))), env);
    expect(note.code).toBe(1);
    expect(note.err).toMatch(/SCHEMA_INVALID: .*note must be text/);
    const unknown = await cli(args('business-licence', variant('unknown-key', (s) => (s['issuedBy'] = 'x'))), env);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/SCHEMA_INVALID: .*fields a data file cannot set: issuedBy/);
  }, 120_000);
});
