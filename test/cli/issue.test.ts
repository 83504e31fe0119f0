import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ceremonyDepartments, cli, cliJson, DATA_DIR, makeDemo, removeDir, sampleData, sampleSlug, SLUGS, tempDir, type SampleData } from './cliHarness';

let dir: string;
let demo: string;
let trust: string;
let passphrase: string;
let env: NodeJS.ProcessEnv;
/** Licence type code of each slug, read from the demo's own licences. */
const typeCodeOf = new Map<string, string>();

const departments = ceremonyDepartments();
const slugOf = sampleSlug;
const keyOf = (departmentId: string): string => join(demo, 'pki', 'departments', departmentId, 'key.p12');
const tsaKey = (): string => join(demo, 'pki', 'timestamp-authority', 'key.p12');
const authorisedFor = (typeCode: string) => departments.find((d) => d.licenseTypes.includes(typeCode))!;
const notAuthorisedFor = (typeCode: string) => departments.find((d) => !d.licenseTypes.includes(typeCode))!;

function writeData(name: string, data: SampleData | string): string {
  const file = join(dir, 'data', `${name}.json`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data, null, 2));
  return file;
}

const issueArgs = (type: string, data: string, departmentId: string, extra: string[] = []): string[] => [
  'issue', '--type', type, '--data', data, '--key', keyOf(departmentId), '--tsa-key', tsaKey(), '--trust', trust, ...extra,
];

beforeAll(async () => {
  dir = tempDir('cli-issue');
  demo = await makeDemo(dir);
  trust = join(demo, 'trust');
  passphrase = readFileSync(join(demo, 'pki', 'DEMO-PASSPHRASE.txt'), 'utf8').trim();
  env = { ELICENSE_PASSPHRASE: passphrase };
  for (const slug of SLUGS) {
    const form = JSON.parse(readFileSync(join(demo, 'licences', `${slug}.elic.json`), 'utf8')) as { license: Record<string, string> };
    typeCodeOf.set(slug, form.license['certificateTypeCode']!);
  }
});
afterAll(() => removeDir(dir));

describe('elicense issue', () => {
  it('knows the type code of every sample and a department authorised for each', () => {
    // One sample per type of the nine, and face variants (business-licence-individual).
    expect(new Set(SLUGS.map(slugOf)).size).toBe(9);
    for (const slug of SLUGS) expect(authorisedFor(typeCodeOf.get(slug)!)).toBeDefined();
  });

  it('refuses a replaced type code (exit 1, STANDARD_SUPERSEDED naming the successor)', async () => {
    const file = writeData('superseded', sampleData('business-licence'));
    const r = await cli(issueArgs('11100000PH00000122901', file, 'fz-market-regulation'), env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^elicense: STANDARD_SUPERSEDED: .*11100000MB0143028R001/);
  });

  it('reads a photo named relative to the data file, and refuses one that is not an image (PHOTO_INVALID)', async () => {
    const data = sampleData('driving-licence') as unknown as Record<string, any>;
    mkdirSync(join(dir, 'data', 'img'), { recursive: true });
    writeFileSync(join(dir, 'data', 'img', 'driver.jpg'), readFileSync(data['photos'].photo.file));
    data['photos'] = { photo: { mediaType: 'image/jpeg', file: 'img/driver.jpg' } };
    const department = authorisedFor(typeCodeOf.get('driving-licence')!);
    const out = join(dir, 'issued', 'relative-photo.elic.json');
    const ok = await cli(issueArgs('driving-licence', writeData('relative-photo', data as unknown as SampleData), department.id, ['--out', out]), env);
    expect(ok.code).toBe(0);
    expect(Object.keys((JSON.parse(readFileSync(out, 'utf8')) as { attachments: object }).attachments)).toEqual(['photo']);
    writeFileSync(join(dir, 'data', 'img', 'not-a-photo.jpg'), '这不是照片');
    data['photos'] = { photo: { mediaType: 'image/jpeg', file: 'img/not-a-photo.jpg' } };
    const bad = await cli(issueArgs('driving-licence', writeData('bad-photo', data as unknown as SampleData), department.id), env);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/PHOTO_INVALID: .*\/photos\/photo/);
    data['photos'] = { photo: { mediaType: 'image/jpeg', file: 'img/missing.jpg' } };
    const missing = await cli(issueArgs('driving-licence', writeData('missing-photo', data as unknown as SampleData), department.id), env);
    expect(missing.code).toBe(2);
  });

  it.each(SLUGS)('issues a %s with the authorised department; the output verifies', async (slug) => {
    const typeCode = typeCodeOf.get(slug)!;
    const department = authorisedFor(typeCode);
    const out = join(dir, 'issued', `${slug}.elic.json`);
    // Half the cases name the type by code, half by slug.
    const type = SLUGS.indexOf(slug) % 2 === 0 ? typeCode : slugOf(slug);
    const r = await cli(issueArgs(type, writeData(slug, sampleData(slug)), department.id, ['--out', out]), env);
    expect(r.err).toMatch(/^issued 1\.2\.156\.3005\.2\./);
    expect(r.code).toBe(0);
    const form = JSON.parse(readFileSync(out, 'utf8')) as { license: Record<string, unknown>; signature: string; timestamp?: unknown };
    expect(form.license['certificateTypeCode']).toBe(typeCode);
    expect(form.license['certificateIssuingAuthorityCode']).toBe(department.uscc);
    expect(form.license['certificateIssuingAuthorityName']).toBe(department.name);
    expect(form.license['certificateHolderName']).toBe(sampleData(slug).holder['name']);
    expect(form.timestamp).toBeDefined();
    const v = await cliJson<{ result: string; reasons: string[] }>(['verify', out, '--trust', trust, '--json']);
    expect(v.json.reasons).toEqual([]);
    expect(v.json.result).toBe('accepted');
    expect(v.code).toBe(0);
  });

  it('takes the passphrase from --passphrase-file (the demo passphrase file) and writes to stdout without --out', async () => {
    const file = writeData('business-licence', sampleData('business-licence'));
    const r = await cli(issueArgs('business-licence', file, 'fz-market-regulation', ['--passphrase-file', join(demo, 'pki', 'DEMO-PASSPHRASE.txt')]));
    expect(r.code).toBe(0);
    const form = JSON.parse(r.out) as { license: Record<string, unknown> };
    expect(form.license['certificateName']).toBe('营业执照');
    const stdinCopy = join(dir, 'issued', 'from-stdout.elic.json');
    writeFileSync(stdinCopy, r.out);
    expect((await cli(['verify', stdinCopy, '--trust', trust])).code).toBe(0);
  });

  it('two issues of the same data get different identifiers', async () => {
    const file = writeData('business-licence', sampleData('business-licence'));
    const a = await cli(issueArgs('business-licence', file, 'fz-market-regulation'), env);
    const b = await cli(issueArgs('business-licence', file, 'fz-market-regulation'), env);
    const id = (out: string) => (JSON.parse(out) as { license: Record<string, unknown> }).license['certificateIdentifier'];
    expect(id(a.out)).not.toBe(id(b.out));
  });

  it.each(['business-licence', 'marriage-certificate'])('a department issuing a %s it is not authorised for → 1 ISSUER_NOT_AUTHORIZED_FOR_TYPE, nothing written', async (slug) => {
    const department = notAuthorisedFor(typeCodeOf.get(slug)!);
    const out = join(dir, 'refused', `${slug}.elic.json`);
    const r = await cli(issueArgs(slug, writeData(slug, sampleData(slug)), department.id, ['--out', out]), env);
    expect(r.code).toBe(1);
    expect(r.err).toContain('ISSUER_NOT_AUTHORIZED_FOR_TYPE');
    expect(existsSync(out)).toBe(false);
  });

  const badData: Array<[string, (d: SampleData) => unknown]> = [
    ['an unknown face field', (d) => ({ ...d, extendInfo: { ...d.extendInfo, bogus: true } })],
    ['a face field of the wrong type', (d) => ({ ...d, extendInfo: { ...d.extendInfo, name: 42 } })],
    ['a required face field missing', (d) => {
      const { unifiedSocialCreditCode: _, ...rest } = d.extendInfo;
      return { ...d, extendInfo: rest };
    }],
    ['an effective date that is not a date', (d) => ({ ...d, effectiveDate: '15/03/2024' })],
    // A well-formed USCC with a wrong check character is only a warning (early pilot codes); a malformed one is refused.
    ['a malformed holder USCC', (d) => ({ ...d, holder: { ...d.holder, code: '91350102EL00000' } })],
  ];
  it.each(badData)('business-licence data with %s → 1', async (name, mutate) => {
    const file = writeData(`bad-${name.replace(/\W+/g, '-')}`, JSON.stringify(mutate(sampleData('business-licence'))));
    const r = await cli(issueArgs('business-licence', file, 'fz-market-regulation'), env);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/SCHEMA_INVALID|CODE_INVALID/);
    expect(r.code).toBe(1);
  });

  it('the data file cannot choose the type: a typeCode in it → 1, nothing issued', async () => {
    // Before the fix the file's typeCode silently overrode --type.
    const data = { ...sampleData('food-business-permit'), typeCode: typeCodeOf.get('food-business-permit') };
    const r = await cli(issueArgs('business-licence', writeData('type-override', JSON.stringify(data)), 'fz-market-regulation'), env);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('typeCode');
  });

  it('data verification would flag → 1 naming field and code, unless --acknowledge-warning names the code (issue 10)', async () => {
    const sample = sampleData('business-licence');
    const bad = '91350102EL0000017E'; // the sample's USCC with a wrong check character
    const data = { ...sample, holder: { ...sample.holder, code: bad }, extendInfo: { ...sample.extendInfo, unifiedSocialCreditCode: bad } };
    const file = writeData('pilot-uscc', data);
    const refused = await cli(issueArgs('business-licence', file, 'fz-market-regulation'), env);
    expect(refused.code).toBe(1);
    expect(refused.out).toBe('');
    expect(refused.err).toContain('RECORD_WARNING_UNACKNOWLEDGED');
    expect(refused.err).toContain('/holder/code USCC_CHECK_CHARACTER_MISMATCH');
    const out = join(dir, 'issued', 'pilot-uscc.elic.json');
    const issued = await cli(issueArgs('business-licence', file, 'fz-market-regulation', ['--acknowledge-warning', 'USCC_CHECK_CHARACTER_MISMATCH', '--out', out]), env);
    expect(issued.code).toBe(0);
    expect(issued.err).toContain('USCC_CHECK_CHARACTER_MISMATCH');
    const v = await cliJson<{ result: string; warnings: string[] }>(['verify', out, '--trust', trust, '--json']);
    expect(v.json.warnings).toContain('USCC_CHECK_CHARACTER_MISMATCH');
  });

  it('the raw fixture file (slug, note, issuer) → 0: the issuer comes from the key, never from the file (test/cli/issue/issueSampleFile.test.ts)', async () => {
    const r = await cli(issueArgs('business-licence', join(DATA_DIR, 'business-licence.json'), 'fz-market-regulation'), env);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/the licence is issued by the department of --key/);
  });

  it('an issuedDate and areaCode in the data are used (licences digitised from paper keep their date)', async () => {
    const data = { ...sampleData('business-licence'), issuedDate: '2024-03-15', areaCode: '350102' };
    const r = await cli(issueArgs('business-licence', writeData('dated', JSON.stringify(data)), 'fz-market-regulation'), env);
    expect(r.code).toBe(0);
    const form = JSON.parse(r.out) as { license: Record<string, unknown> };
    expect(form.license['certificateIssuedDate']).toBe('2024-03-15');
    expect(form.license['certificateAreaCode']).toBe('350102');
  });

  it.each([
    ['an empty object', '{}'],
    ['an array', '[]'],
    ['a string', '"business-licence"'],
    ['a null holder', JSON.stringify({ holder: null, certificateNumber: '1', effectiveDate: '2024-01-01', extendInfo: {} })],
    ['an empty holder', JSON.stringify({ holder: {}, certificateNumber: '1', effectiveDate: '2024-01-01', extendInfo: {} })],
    ['no extendInfo', JSON.stringify({ ...sampleData('business-licence'), extendInfo: undefined })],
  ])('data that is %s → 1, never a crash', async (name, text) => {
    const r = await cli(issueArgs('business-licence', writeData(`shape-${name.replace(/\W+/g, '-')}`, text), 'fz-market-regulation'), env);
    expect(r.code).toBe(1);
    expect(r.err).toContain('SCHEMA_INVALID');
  });

  it('a data file that is not JSON → 2', async () => {
    const r = await cli(issueArgs('business-licence', writeData('not-json', '{"holder": '), 'fz-market-regulation'), env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('not-json.json');
  });

  it('a missing data file → 2', async () => {
    const r = await cli(issueArgs('business-licence', join(dir, 'no-such-data.json'), 'fz-market-regulation'), env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('ENOENT');
  });

  it('a wrong passphrase → 2 PASSPHRASE_INVALID', async () => {
    const r = await cli(issueArgs('business-licence', writeData('business-licence', sampleData('business-licence')), 'fz-market-regulation'), {
      ELICENSE_PASSPHRASE: 'not-the-passphrase',
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain('PASSPHRASE_INVALID');
  });

  it('a wrong passphrase in --passphrase-file → 2 PASSPHRASE_INVALID', async () => {
    const wrong = writeData('wrong-passphrase', 'not-the-passphrase\n');
    const r = await cli(issueArgs('business-licence', writeData('business-licence', sampleData('business-licence')), 'fz-market-regulation', ['--passphrase-file', wrong]));
    expect(r.code).toBe(2);
    expect(r.err).toContain('PASSPHRASE_INVALID');
  });

  it('no passphrase at all → 2, saying how to give one', async () => {
    const r = await cli(issueArgs('business-licence', writeData('business-licence', sampleData('business-licence')), 'fz-market-regulation'), {});
    expect(r.code).toBe(2);
    expect(r.err).toContain('ELICENSE_PASSPHRASE');
    expect(r.err).toContain('--passphrase-file');
  });

  it.each(['no-such-type', '11100000PH00000122999', 'BUSINESS-LICENCE'])('an unknown type %s → 2', async (type) => {
    const r = await cli(issueArgs(type, writeData('business-licence', sampleData('business-licence')), 'fz-market-regulation'), env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown licence type');
  });

  it('a key file that is not PKCS#12 → 2', async () => {
    const data = writeData('business-licence', sampleData('business-licence'));
    const r = await cli(['issue', '--type', 'business-licence', '--data', data, '--key', join(demo, 'trust', 'anchors.pem'), '--tsa-key', tsaKey(), '--trust', trust], env);
    expect(r.code).toBe(2);
  });

  it('the TSA key given as the department key → 2 (not a department certificate)', async () => {
    const data = writeData('business-licence', sampleData('business-licence'));
    const r = await cli(['issue', '--type', 'business-licence', '--data', data, '--key', tsaKey(), '--tsa-key', tsaKey(), '--trust', trust], env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('not a department signing certificate');
  });

  it('an --out path that cannot be written (under a regular file) → 2 with one line, not an internal error', async () => {
    const blocker = writeData('blocker', '{}');
    const r = await cli(issueArgs('business-licence', writeData('business-licence', sampleData('business-licence')), 'fz-market-regulation', ['--out', join(blocker, 'x.elic.json')]), env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^elicense: .*: E[A-Z]+ \(mkdir\)$/);
  });

  it('a missing trust directory → 2', async () => {
    const data = writeData('business-licence', sampleData('business-licence'));
    const r = await cli(issueArgs('business-licence', data, 'fz-market-regulation').map((a) => (a === trust ? join(dir, 'no-trust') : a)), env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('trust.json');
  });
});
