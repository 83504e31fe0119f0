import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { organizationCodeCheckCharacter, usccCheckCharacter } from '../../src/codes/uscc';
import { algorithmForKey } from '../../src/crypto/algorithms';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { CEREMONY_FILE, cli, cliJson, removeDir, sampleData, tempDir } from './cliHarness';
import { BUSINESS_LICENSE_TYPE, FOOD_PERMIT_TYPE } from '../typeCodes';

const PASSPHRASE = 'ca-test-passphrase';
const env = { ELICENSE_PASSPHRASE: PASSPHRASE };
const FAST = ['--pkcs12-iterations', '1000']; // the 600k default takes seconds per key file
const BUSINESS_LICENSE = BUSINESS_LICENSE_TYPE;
const FOOD_PERMIT = FOOD_PERMIT_TYPE;

/** A fictional but valid USCC for a Fuzhou government body: both check characters computed. */
function uscc(division: string, orgBody8: string): string {
  const first17 = `11${division}${orgBody8}${organizationCodeCheckCharacter(orgBody8)}`;
  return first17 + usccCheckCharacter(first17);
}

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const splitPem = (pem: string): string[] => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];

let dir: string;
let region: string;

async function issueAndVerify(key: string, slug: string, typeCode: string, name: string): Promise<{ code: number; result?: string; reasons?: string[]; err: string }> {
  const data = join(dir, `${name}-data.json`);
  writeFileSync(data, JSON.stringify(sampleData(slug)));
  const out = join(dir, `${name}.elic.json`);
  const issued = await cli(
    ['issue', '--type', typeCode, '--data', data, '--key', key, '--tsa-key', join(region, 'timestamp-authority', 'key.p12'), '--trust', join(region, 'trust'), '--out', out],
    env,
  );
  if (issued.code !== 0) return { code: issued.code, err: issued.err };
  const v = await cliJson<{ result: string; reasons: string[] }>(['verify', out, '--trust', join(region, 'trust'), '--json']);
  return { code: v.code, result: v.json.result, reasons: v.json.reasons, err: v.err };
}

beforeAll(async () => {
  dir = tempDir('cli-ca');
  region = join(dir, 'region');
  const r = await cli(['ca', 'init', '--ceremony', CEREMONY_FILE, '--out', region, ...FAST], env);
  if (r.code !== 0) throw new Error(`ca init failed (exit ${r.code}): ${r.out}\n${r.err}`);
});
afterAll(() => removeDir(dir));

describe('elicense ca init', () => {
  it('writes the region PKI, the review record and the trust material', () => {
    expect(readdirSync(region).sort()).toEqual(['ceremony-record.json', 'departments', 'intermediates', 'root', 'timestamp-authority', 'trust', 'trust-list-signer']);
    for (const d of ['root', 'intermediates/fuzhou', 'timestamp-authority', 'trust-list-signer', 'departments/fz-market-regulation']) {
      expect(readdirSync(join(region, d)).sort()).toEqual(['certificate.pem', 'key.p12']);
    }
    expect(readdirSync(join(region, 'departments'))).toHaveLength(8);
    expect(readdirSync(join(region, 'trust')).sort()).toEqual(['anchors.pem', 'trust.json']);
    expect(readFileSync(join(region, 'trust', 'anchors.pem'), 'utf8')).toBe(readFileSync(join(region, 'root', 'certificate.pem'), 'utf8'));
    const record = JSON.parse(readFileSync(join(region, 'ceremony-record.json'), 'utf8')) as { certificates: unknown[] };
    expect(record.certificates.length).toBeGreaterThanOrEqual(11);
  });

  it('key files are readable by their owner only', () => {
    if (process.platform === 'win32') return;
    expect(statSync(join(region, 'root', 'key.p12')).mode & 0o077).toBe(0);
    expect(statSync(join(region, 'departments', 'fz-health', 'key.p12')).mode & 0o077).toBe(0);
  });

  it('a ceremony department key issues a licence that verifies against the new trust directory', async () => {
    const r = await issueAndVerify(join(region, 'departments', 'fz-market-regulation', 'key.p12'), 'business-licence', BUSINESS_LICENSE, 'ceremony-dept');
    expect(r).toMatchObject({ code: 0, result: 'accepted', reasons: [] });
  });

  it('into a non-empty directory → 2, and nothing there is touched', async () => {
    const before = readFileSync(join(region, 'root', 'certificate.pem'), 'utf8');
    const r = await cli(['ca', 'init', '--ceremony', CEREMONY_FILE, '--out', region, ...FAST], env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('not empty');
    expect(readFileSync(join(region, 'root', 'certificate.pem'), 'utf8')).toBe(before);
  });

  it('a ceremony file with a malformed USCC → 2 CEREMONY_INVALID, nothing written', async () => {
    const config = JSON.parse(readFileSync(CEREMONY_FILE, 'utf8')) as { departments: Array<{ uscc: string }> };
    config.departments[0]!.uscc = '11350100DM0000I13'; // 17 characters, and I is not in the alphabet
    const file = join(dir, 'bad-uscc-ceremony.json');
    writeFileSync(file, JSON.stringify(config));
    const out = join(dir, 'bad-uscc-region');
    const r = await cli(['ca', 'init', '--ceremony', file, '--out', out, ...FAST], env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('CEREMONY_INVALID');
    expect(r.err).toContain('/departments/0/uscc');
    expect(existsSync(out) && readdirSync(out).length > 0).toBe(false);
  });

  it('an all-SM2 ceremony ("algorithm": "SM2" everywhere) writes SM3withSM2 certificates; a mixed one → 2 CEREMONY_INVALID at the algorithm', async () => {
    type Keyed = { algorithm?: string };
    const config = JSON.parse(readFileSync(CEREMONY_FILE, 'utf8')) as { root: Keyed; intermediates?: Keyed[]; trustListSigner: Keyed; timestampAuthority: Keyed; departments: Keyed[] };
    for (const x of [config.root, ...(config.intermediates ?? []), config.trustListSigner, config.timestampAuthority, ...config.departments]) x.algorithm = 'SM2';
    const file = join(dir, 'sm2-ceremony.json');
    writeFileSync(file, JSON.stringify(config));
    const out = join(dir, 'sm2-region');
    const r = await cli(['ca', 'init', '--ceremony', file, '--out', out, ...FAST], env);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: expect.any(String) });
    for (const d of ['root', 'intermediates/fuzhou', 'trust-list-signer', 'timestamp-authority', 'departments/fz-market-regulation']) {
      const cert = parseCertificate(new X509Certificate(readFileSync(join(out, d, 'certificate.pem'))).raw);
      expect([cert.publicKey && algorithmForKey(cert.publicKey), cert.signatureAlgorithm.oid]).toEqual(['SM2', '1.2.156.10197.1.501']);
    }
    // A department certified later under the SM2 intermediate: --algorithm SM2; a P-256 key under it is refused.
    const sm2Dept = join(dir, 'sm2-department');
    const base = ['ca', 'issue-department', '--ca-key', join(out, 'intermediates', 'fuzhou', 'key.p12'), '--name', '福州市国密测试局', '--division', '350100', '--types', BUSINESS_LICENSE, '--trust', join(out, 'trust')];
    const issued = await cli([...base, '--uscc', uscc('350100', 'DM000095'), '--algorithm', 'SM2', '--out', sm2Dept, ...FAST], env);
    expect({ code: issued.code, err: issued.err }).toEqual({ code: 0, err: '' });
    const deptCert = parseCertificate(new X509Certificate(readFileSync(join(sm2Dept, 'certificate.pem'))).raw);
    expect([deptCert.publicKey && algorithmForKey(deptCert.publicKey), deptCert.signatureAlgorithm.oid]).toEqual(['SM2', '1.2.156.10197.1.501']);
    const p256 = await cli([...base, '--uscc', uscc('350100', 'DM000096'), '--algorithm', 'ES256', '--out', join(dir, 'p256-under-sm2'), ...FAST], env);
    expect(p256.code).not.toBe(0);
    expect(p256.err).toContain('ALGORITHM_NOT_ALLOWED');
    config.departments[0]!.algorithm = 'ES256';
    writeFileSync(file, JSON.stringify(config));
    const mixed = await cli(['ca', 'init', '--ceremony', file, '--out', join(dir, 'mixed-region'), ...FAST], env);
    expect(mixed.code).toBe(2);
    expect(mixed.err).toContain('CEREMONY_INVALID');
    expect(mixed.err).toContain('/departments/0/algorithm');
  });

  it('a ceremony USCC with only a wrong check character is a warning, not a refusal', async () => {
    const config = JSON.parse(readFileSync(CEREMONY_FILE, 'utf8')) as { departments: Array<{ uscc: string }> };
    const good = config.departments[0]!.uscc;
    config.departments[0]!.uscc = good.slice(0, 17) + (good.endsWith('3') ? '4' : '3');
    const file = join(dir, 'check-warning-ceremony.json');
    writeFileSync(file, JSON.stringify(config));
    const r = await cli(['ca', 'init', '--ceremony', file, '--out', join(dir, 'check-warning-region'), ...FAST], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning: .*check character/);
  });

  it.each([
    ['not JSON', '{"ceremonyVersion": 1,'],
    ['JSON with an unknown field', JSON.stringify({ ...JSON.parse(readFileSync(CEREMONY_FILE, 'utf8')), surprise: true })],
    ['an empty object', '{}'],
  ])('a ceremony file that is %s → 2', async (name, text) => {
    const file = join(dir, `ceremony-${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, text);
    const r = await cli(['ca', 'init', '--ceremony', file, '--out', join(dir, `region-${name.replace(/\W+/g, '-')}`), ...FAST], env);
    expect(r.code).toBe(2);
  });

  it('a missing ceremony file → 2', async () => {
    const r = await cli(['ca', 'init', '--ceremony', join(dir, 'no-such-ceremony.json'), '--out', join(dir, 'region-missing'), ...FAST], env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('ENOENT');
  });

  it('no passphrase → 2, nothing written', async () => {
    const out = join(dir, 'region-no-passphrase');
    const r = await cli(['ca', 'init', '--ceremony', CEREMONY_FILE, '--out', out, ...FAST], {});
    expect(r.code).toBe(2);
    expect(r.err).toContain('ELICENSE_PASSPHRASE');
    expect(existsSync(out)).toBe(false);
  });

  it.each(['abc', '0', '999', '1.5'])('--pkcs12-iterations %s → 2 before any key is written', async (n) => {
    const out = join(dir, `region-iterations-${n}`);
    const r = await cli(['ca', 'init', '--ceremony', CEREMONY_FILE, '--out', out, '--pkcs12-iterations', n], env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--pkcs12-iterations');
    expect(existsSync(out)).toBe(false);
  });

  it('--passphrase-file protects the key files with the passphrase in the file', async () => {
    const pf = join(dir, 'passphrase.txt');
    writeFileSync(pf, 'from-a-file\n');
    const out = join(dir, 'region-passphrase-file');
    expect((await cli(['ca', 'init', '--ceremony', CEREMONY_FILE, '--out', out, '--passphrase-file', pf, ...FAST])).code).toBe(0);
    // The new CA key opens with the file's passphrase and not with another one.
    const args = ['ca', 'issue-department', '--ca-key', join(out, 'intermediates', 'fuzhou', 'key.p12'), '--name', '福州市测试局', '--uscc', uscc('350100', 'DM000090'), '--division', '350100'];
    expect((await cli([...args, '--out', join(dir, 'pf-dept-a'), ...FAST], { ELICENSE_PASSPHRASE: 'from-a-file' })).code).toBe(0);
    const wrong = await cli([...args, '--out', join(dir, 'pf-dept-b'), ...FAST], env);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('PASSPHRASE_INVALID');
  });
});

describe('elicense ca issue-department', () => {
  const caKey = (): string => join(region, 'intermediates', 'fuzhou', 'key.p12');
  const trustFile = (): { regions: Array<{ departments: Array<{ uscc: string; name: string; keyIds: string[]; authorizedTypeCodes: string[] }> }> } =>
    JSON.parse(readFileSync(join(region, 'trust', 'trust.json'), 'utf8'));
  const findDept = (code: string) => trustFile().regions.flatMap((r) => r.departments).find((d) => d.uscc === code);

  it('certifies a generated key under the Fuzhou intermediate; the new key issues a licence that verifies', async () => {
    const code = uscc('350100', 'DM000091');
    const out = join(dir, 'new-generated');
    const r = await cli(
      ['ca', 'issue-department', '--ca-key', caKey(), '--name', '福州市测试局', '--uscc', code, '--division', '350100', '--types', BUSINESS_LICENSE, '--trust', join(region, 'trust'), '--out', out, ...FAST],
      env,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const keyId = /key id ([A-Za-z0-9_-]{11})/.exec(r.out)?.[1];
    expect(keyId).toBeDefined();
    expect(readdirSync(out).sort()).toEqual(['certificate.pem', 'chain.pem', 'key.p12']);

    // The chain a signer sends: the department certificate, then the intermediate (never the root).
    const chain = splitPem(readFileSync(join(out, 'chain.pem'), 'utf8'));
    expect(chain).toHaveLength(2);
    const [leaf, intermediate] = chain.map((pem) => new X509Certificate(pem));
    expect(leaf!.toString()).toBe(new X509Certificate(readFileSync(join(out, 'certificate.pem'))).toString());
    expect(intermediate!.fingerprint256).toBe(new X509Certificate(readFileSync(join(region, 'intermediates', 'fuzhou', 'certificate.pem'))).fingerprint256);
    expect(leaf!.checkIssued(intermediate!)).toBe(true);
    expect(leaf!.subject).toContain(`NTRCN-${code}`);

    // The trust file now lists it with its key id and the authorised type.
    expect(findDept(code)).toMatchObject({ name: '福州市测试局', keyIds: [keyId], authorizedTypeCodes: [BUSINESS_LICENSE] });

    const v = await issueAndVerify(join(out, 'key.p12'), 'business-licence', BUSINESS_LICENSE, 'generated');
    expect(v).toMatchObject({ code: 0, result: 'accepted', reasons: [] });

    // The trust file authorises the business licence only.
    const refused = await issueAndVerify(join(out, 'key.p12'), 'food-business-permit', FOOD_PERMIT, 'generated-food');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('ISSUER_NOT_AUTHORIZED_FOR_TYPE');
  });

  it('certifies a key directly under the root: the chain holds the department certificate only', async () => {
    const code = uscc('350000', 'DM000092');
    const out = join(dir, 'new-under-root');
    const r = await cli(
      ['ca', 'issue-department', '--ca-key', join(region, 'root', 'key.p12'), '--name', '福建省测试厅', '--uscc', code, '--division', '350000', '--algorithm', 'PS256', '--types', BUSINESS_LICENSE, '--trust', join(region, 'trust'), '--out', out, ...FAST],
      env,
    );
    expect(r.code).toBe(0);
    expect(splitPem(readFileSync(join(out, 'chain.pem'), 'utf8'))).toHaveLength(1);
    const v = await issueAndVerify(join(out, 'key.p12'), 'business-licence', BUSINESS_LICENSE, 'under-root');
    expect(v).toMatchObject({ code: 0, result: 'accepted' });
  });

  it('refuses --algorithm EdDSA for a new department key, saying why, and writes nothing', async () => {
    const out = join(dir, 'eddsa-refused');
    const r = await cli(
      ['ca', 'issue-department', '--ca-key', join(region, 'root', 'key.p12'), '--name', '福建省测试厅', '--uscc', uscc('350000', 'DM000093'), '--division', '350000', '--algorithm', 'EdDSA', '--out', out, ...FAST],
      env,
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/EdDSA is not offered for new department keys.*Readers agree/);
    expect(existsSync(out)).toBe(false);
  });

  it('certifies a department CSR (PEM); a PKCS#12 built with openssl issues a licence that verifies', async () => {
    if (!hasOpenssl) {
      console.warn('openssl not found: skipping the CSR case of ca issue-department');
      return;
    }
    const work = join(dir, 'csr');
    mkdirSync(work, { recursive: true });
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=x', '-keyout', join(work, 'k.pem'), '-out', join(work, 'csr.pem')], { stdio: 'pipe' });
    const code = uscc('350100', 'DM000093');
    const out = join(dir, 'new-from-csr');
    const r = await cli(
      ['ca', 'issue-department', '--ca-key', caKey(), '--name', '福州市测试二局', '--uscc', code, '--division', '350100', '--csr', join(work, 'csr.pem'), '--types', FOOD_PERMIT, '--trust', join(region, 'trust'), '--out', out, ...FAST],
      env,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // The private key stays with the department: no key file is written.
    expect(readdirSync(out).sort()).toEqual(['certificate.pem', 'chain.pem']);
    // The certificate certifies the CSR's key, not a new one; the subject comes from the CA, not the CSR.
    const leaf = new X509Certificate(readFileSync(join(out, 'certificate.pem')));
    const csrKey = execFileSync('openssl', ['pkey', '-in', join(work, 'k.pem'), '-pubout'], { encoding: 'utf8' });
    expect(leaf.publicKey.export({ type: 'spki', format: 'pem' })).toBe(csrKey);
    expect(leaf.subject).not.toMatch(/^CN=x$/m);

    execFileSync('openssl', ['pkcs12', '-export', '-inkey', join(work, 'k.pem'), '-in', join(out, 'chain.pem'), '-passout', `pass:${PASSPHRASE}`, '-out', join(work, 'key.p12')], { stdio: 'pipe' });
    const v = await issueAndVerify(join(work, 'key.p12'), 'food-business-permit', FOOD_PERMIT, 'from-csr');
    expect(v).toMatchObject({ code: 0, result: 'accepted', reasons: [] });
  });

  it('certifies a department CSR in DER form as well', async () => {
    if (!hasOpenssl) {
      console.warn('openssl not found: skipping the DER CSR case');
      return;
    }
    const work = join(dir, 'csr-der');
    mkdirSync(work, { recursive: true });
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=y', '-keyout', join(work, 'k.pem'), '-outform', 'DER', '-out', join(work, 'csr.der')], { stdio: 'pipe' });
    const r = await cli(
      ['ca', 'issue-department', '--ca-key', caKey(), '--name', '福州市测试三局', '--uscc', uscc('350100', 'DM000094'), '--division', '350100', '--csr', join(work, 'csr.der'), '--out', join(dir, 'new-from-der-csr'), ...FAST],
      env,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('a CSR that is not a CSR → 2 CSR_INVALID', async () => {
    const r = await cli(
      ['ca', 'issue-department', '--ca-key', caKey(), '--name', 'x', '--uscc', uscc('350100', 'DM000095'), '--division', '350100', '--csr', join(region, 'root', 'certificate.pem'), '--out', join(dir, 'bad-csr'), ...FAST],
      env,
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('CSR_INVALID');
  });

  it('a second key for a listed department is added to its key ids', async () => {
    const code = uscc('350100', 'DM000096');
    const args = ['ca', 'issue-department', '--ca-key', caKey(), '--name', '福州市测试四局', '--uscc', code, '--division', '350100', '--trust', join(region, 'trust'), ...FAST];
    expect((await cli([...args, '--types', BUSINESS_LICENSE, '--out', join(dir, 'rollover-1')], env)).code).toBe(0);
    expect((await cli([...args, '--types', FOOD_PERMIT, '--out', join(dir, 'rollover-2')], env)).code).toBe(0);
    const d = findDept(code)!;
    expect(d.keyIds).toHaveLength(2);
    expect(d.authorizedTypeCodes.sort()).toEqual([BUSINESS_LICENSE, FOOD_PERMIT]);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['a malformed USCC', ['--uscc', '1135'], /CODE_INVALID|USCC/],
    ['an unknown division code', ['--division', '990100'], /CODE_INVALID|division/],
    ['an unknown algorithm', ['--algorithm', 'HS256'], /--algorithm/],
    ['a zero validity', ['--validity-days', '0'], /--validity-days/],
    ['a malformed --types entry', ['--types', 'business-licence', '--trust', 'TRUST'], /--types/],
    ['bad --pkcs12-iterations', ['--pkcs12-iterations', 'many'], /--pkcs12-iterations/],
  ];
  it.each(bad)('%s → 2, and no certificate is issued', async (_name, override, message) => {
    const base: Record<string, string> = {
      '--ca-key': caKey(), '--name': '福州市测试局', '--uscc': uscc('350100', 'DM000097'), '--division': '350100', '--pkcs12-iterations': '1000',
    };
    for (let i = 0; i < override.length; i += 2) base[override[i]!] = override[i + 1] === 'TRUST' ? join(region, 'trust') : override[i + 1]!;
    const out = join(dir, `bad-${_name.replace(/\W+/g, '-')}`);
    const before = readFileSync(join(region, 'trust', 'trust.json'), 'utf8');
    const r = await cli(['ca', 'issue-department', ...Object.entries(base).flat(), '--out', out], env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(existsSync(join(out, 'certificate.pem'))).toBe(false);
    expect(readFileSync(join(region, 'trust', 'trust.json'), 'utf8')).toBe(before);
  });

  it('--trust whose trust.json is not JSON → 2 (never a crash), and no certificate is issued', async () => {
    const broken = join(dir, 'broken-trust');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'trust.json'), '{"format": ');
    const out = join(dir, 'issued-into-broken-trust');
    const r = await cli(
      ['ca', 'issue-department', '--ca-key', caKey(), '--name', 'x', '--uscc', uscc('350100', 'DM000099'), '--division', '350100', '--trust', broken, '--out', out, ...FAST],
      env,
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('TRUST_MATERIAL_INVALID');
    expect(existsSync(join(out, 'certificate.pem'))).toBe(false);
  });

  it('--trust without a region for the division → 2, and no certificate is issued', async () => {
    const out = join(dir, 'issued-for-beijing');
    const r = await cli(
      ['ca', 'issue-department', '--ca-key', caKey(), '--name', '北京市测试局', '--uscc', uscc('110100', 'DM000099'), '--division', '110100', '--trust', join(region, 'trust'), '--out', out, ...FAST],
      env,
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('no region for division 110100');
    expect(existsSync(join(out, 'certificate.pem'))).toBe(false);
  });

  it('a wrong CA key passphrase → 2 PASSPHRASE_INVALID', async () => {
    const r = await cli(
      ['ca', 'issue-department', '--ca-key', caKey(), '--name', 'x', '--uscc', uscc('350100', 'DM000098'), '--division', '350100', '--out', join(dir, 'wrong-pass'), ...FAST],
      { ELICENSE_PASSPHRASE: 'wrong' },
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('PASSPHRASE_INVALID');
  });

  it('into a non-empty directory → 2', async () => {
    const r = await cli(
      ['ca', 'issue-department', '--ca-key', caKey(), '--name', 'x', '--uscc', uscc('350100', 'DM000098'), '--division', '350100', '--out', join(region, 'root'), ...FAST],
      env,
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('not empty');
  });
});
