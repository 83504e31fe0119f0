import { encodePem } from '../../src/pki/ca/encodePem';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyIdForCertificate } from '../../src/crypto/keyIdForCertificate';
import { ElicenseError } from '../../src/errors';
import { runCeremony, type RegionPki } from '../../src/pki/ca/ceremony';
import { buildLocalTrustFile } from '../../src/trust/local/buildLocalTrustFile';
import { LOCAL_TRUST_FORMAT, loadLocalTrustFile, type LocalTrustFile } from '../../src/trust/local/loadLocalTrustFile';

const NOW = new Date('2026-11-26T08:00:00Z');
const CEREMONY = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'ceremony', 'demo-region.json'), 'utf8')) as unknown;

let pki: RegionPki;
let file: LocalTrustFile;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const text = (f: unknown): string => JSON.stringify(f, null, 2);
const firstDept = (f: LocalTrustFile) => f.regions[0]!.departments[0]!;

/** Asserts that loading throws an ElicenseError TRUST_MATERIAL_INVALID naming the source, and returns its message. */
function rejection(input: Uint8Array | string, source = 'test-trust.json'): string {
  let error: unknown;
  try {
    loadLocalTrustFile(input, source);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ElicenseError);
  expect((error as ElicenseError).code).toBe('TRUST_MATERIAL_INVALID');
  expect((error as ElicenseError).message).toContain(source);
  return (error as ElicenseError).message;
}

beforeAll(async () => {
  pki = await runCeremony(CEREMONY, { now: NOW });
  file = buildLocalTrustFile([pki], NOW);
});

describe('buildLocalTrustFile', () => {
  it('lists the pinned root, the time-stamping authority and every department with its key id and types', () => {
    expect(file.format).toBe(LOCAL_TRUST_FORMAT);
    expect(file.generatedAt).toBe(NOW.toISOString());
    expect(file.anchors).toEqual([pki.root.certificate.pem]);
    expect(file.regions).toHaveLength(1);
    const region = file.regions[0]!;
    expect(region).toMatchObject({ regionCode: '350000', name: '福建省' });
    expect(region.timestampAuthorities).toEqual([pki.timestampAuthority.certificate.pem]);
    expect(region.departments).toHaveLength(pki.departments.length);
    for (const d of pki.departments) {
      expect(region.departments.find((x) => x.uscc === d.uscc)).toEqual({
        uscc: d.uscc,
        name: d.name,
        keyIds: [keyIdForCertificate(d.certificate.der)],
        certificates: [d.chain.map((der) => encodePem(der, 'CERTIFICATE')).join('')],
        authorizedTypeCodes: [...d.licenseTypes],
        state: 'active',
        stateSince: null,
      });
    }
  });

  it('lets key-id-only forms find the signing certificate and its intermediates, and refuses a certificate whose key id is not listed', () => {
    const trust = loadLocalTrustFile(text(file));
    for (const d of pki.departments) {
      const found = trust.lookupSignerCertificate!(keyIdForCertificate(d.certificate.der));
      expect(Buffer.from(found!.certificate.der)).toEqual(Buffer.from(d.certificate.der));
      expect(found!.intermediates.map((c) => Buffer.from(c.der).toString('hex'))).toEqual(d.chain.slice(1).map((c) => Buffer.from(c).toString('hex')));
    }
    const f = clone(file);
    firstDept(f).keyIds = ['AAAAAAAAAAA'];
    expect(rejection(text(f))).toContain('key id the department does not list');
  });

  it('never puts an intermediate, a department or a signer certificate among the anchors', () => {
    const pems = [...pki.intermediates, ...pki.departments, pki.timestampAuthority, pki.trustListSigner].map((k) => k.certificate.pem);
    for (const pem of pems) expect(file.anchors).not.toContain(pem);
  });

  it('one anchor per region', () => {
    expect(buildLocalTrustFile([pki, pki], NOW).anchors).toHaveLength(2);
  });
});

describe('loadLocalTrustFile: round trip', () => {
  it('reads back what buildLocalTrustFile wrote, from text or bytes alike', () => {
    for (const input of [text(file), Buffer.from(text(file)), new Uint8Array(Buffer.from(JSON.stringify(file)))]) {
      const trust = loadLocalTrustFile(input, 'round-trip.json');
      expect(trust.source).toBe('round-trip.json');
      expect(trust.asOf).toEqual(NOW);
      expect(trust.anchors.map((a) => a.fingerprint)).toHaveLength(1);
      expect(Buffer.from(trust.anchors[0]!.der)).toEqual(Buffer.from(pki.root.certificate.der));
      for (const d of pki.departments) {
        const t = trust.lookupDepartment(d.uscc);
        expect(t).toBeDefined();
        expect(t!.name).toBe(d.name);
        expect(t!.regionCode).toBe('350000');
        expect([...t!.authorizedTypeCodes].sort()).toEqual([...d.licenseTypes].sort());
        expect([...t!.keyIds]).toEqual([keyIdForCertificate(d.certificate.der)]);
        expect(t!.state).toBe('active');
        expect(t!.stateSince).toBeNull();
      }
      const tsa = trust.lookupTimestampAuthority(keyIdForCertificate(pki.timestampAuthority.certificate.der));
      expect(tsa && Buffer.from(tsa.der)).toEqual(Buffer.from(pki.timestampAuthority.certificate.der));
    }
  });

  it('has the default source name when none is given', () => {
    expect(loadLocalTrustFile(text(file)).source).toBe('local trust file');
  });

  it('knows nothing about departments or time-stamping keys it does not list', () => {
    const trust = loadLocalTrustFile(text(file));
    expect(trust.lookupDepartment('91350102EL0000017D')).toBeUndefined();
    expect(trust.lookupDepartment('')).toBeUndefined();
    expect(trust.lookupTimestampAuthority(keyIdForCertificate(pki.root.certificate.der))).toBeUndefined();
    expect(trust.lookupTimestampAuthority('AAAAAAAAAAA')).toBeUndefined();
  });

  it('keeps suspended and withdrawn departments with the time their state took effect', () => {
    const f = clone(file);
    f.regions[0]!.departments[0]!.state = 'suspended';
    f.regions[0]!.departments[0]!.stateSince = '2026-06-01T00:00:00Z';
    f.regions[0]!.departments[1]!.state = 'withdrawn';
    f.regions[0]!.departments[1]!.stateSince = '2026-07-01T12:30:00+08:00';
    delete f.regions[0]!.departments[2]!.stateSince; // optional
    const trust = loadLocalTrustFile(text(f));
    expect(trust.lookupDepartment(f.regions[0]!.departments[0]!.uscc)).toMatchObject({ state: 'suspended', stateSince: new Date('2026-06-01T00:00:00Z') });
    expect(trust.lookupDepartment(f.regions[0]!.departments[1]!.uscc)).toMatchObject({ state: 'withdrawn', stateSince: new Date('2026-07-01T04:30:00Z') });
    expect(trust.lookupDepartment(f.regions[0]!.departments[2]!.uscc)!.stateSince).toBeNull();
  });

  it('accepts several key ids per department (key rollover), no types, no departments and no time-stamping list', () => {
    const f = clone(file);
    firstDept(f).keyIds.push('AAAAAAAAAAA');
    f.regions[0]!.departments[1]!.authorizedTypeCodes = [];
    delete f.regions[0]!.timestampAuthorities;
    f.regions.push({ regionCode: '110000', name: '北京市', departments: [] });
    const trust = loadLocalTrustFile(text(f));
    expect(trust.lookupDepartment(firstDept(f).uscc)!.keyIds.size).toBe(2);
    expect(trust.lookupDepartment(f.regions[0]!.departments[1]!.uscc)!.authorizedTypeCodes.size).toBe(0);
  });

  it('reads every certificate of an anchor PEM holding a bundle', () => {
    const f = clone(file);
    f.anchors = [pki.root.certificate.pem + pki.intermediates[0]!.certificate.pem];
    expect(loadLocalTrustFile(text(f)).anchors).toHaveLength(2);
  });
});

describe('loadLocalTrustFile: every rejection is TRUST_MATERIAL_INVALID', () => {
  it.each<[string, () => Uint8Array | string]>([
    ['empty input', () => ''],
    ['not JSON', () => 'trust me'],
    ['truncated JSON', () => text(file).slice(0, 200)],
    ['invalid UTF-8', () => Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['a duplicate key', () => text(file).replace('"format":', '"format": "elicense/local-trust@1",\n  "format":')],
    ['more than 16 MiB', () => Buffer.alloc(16 * 1024 * 1024 + 1, 0x20)],
    ['nesting deeper than the format needs', () => {
      let deep: unknown = 'x';
      for (let i = 0; i < 20; i++) deep = [deep];
      return JSON.stringify({ ...file, anchors: deep });
    }],
  ])('unreadable input: %s', (_name, input) => {
    rejection(input());
  });

  const schemaCases: Array<[string, (f: LocalTrustFile & Record<string, unknown>) => unknown]> = [
    ['a JSON array', () => [file]],
    ['null', () => null],
    ['another format version', (f) => ({ ...f, format: 'elicense/local-trust@2' })],
    ['no format', (f) => { delete (f as Partial<LocalTrustFile>).format; return f; }],
    ['an unknown top-level field', (f) => ({ ...f, comment: 'hi' })],
    ['an unknown region field', (f) => { (f.regions[0] as Record<string, unknown>)['colour'] = 'red'; return f; }],
    ['an unknown department field', (f) => { (firstDept(f) as Record<string, unknown>)['keys'] = []; return f; }],
    ['no generatedAt', (f) => { delete (f as Partial<LocalTrustFile>).generatedAt; return f; }],
    ['a generatedAt that is not a date-time', (f) => ({ ...f, generatedAt: 'last tuesday' })],
    ['a generatedAt without a time zone', (f) => ({ ...f, generatedAt: '2026-11-26T08:00:00' })],
    ['no anchors', (f) => ({ ...f, anchors: [] })],
    ['anchors that are not a list', (f) => ({ ...f, anchors: f.anchors[0] })],
    ['an anchor that is not PEM', (f) => ({ ...f, anchors: [Buffer.from(pki.root.certificate.der).toString('base64')] })],
    ['an anchor over 16 KiB', (f) => ({ ...f, anchors: [`-----BEGIN CERTIFICATE-----\n${'A'.repeat(17_000)}\n-----END CERTIFICATE-----\n`] })],
    ['no regions', (f) => { delete (f as Partial<LocalTrustFile>).regions; return f; }],
    ['a five-digit region code', (f) => { f.regions[0]!.regionCode = '35000'; return f; }],
    ['an empty region name', (f) => { f.regions[0]!.name = ''; return f; }],
    ['a time-stamping entry that is not PEM', (f) => { f.regions[0]!.timestampAuthorities = ['tsa']; return f; }],
    ['a malformed USCC', (f) => { firstDept(f).uscc = '11350100DM0000013'; return f; }],
    ['a USCC with a forbidden letter', (f) => { firstDept(f).uscc = '11350100DM0000013I'; return f; }],
    ['an empty department name', (f) => { firstDept(f).name = ''; return f; }],
    ['a key id of the wrong length', (f) => { firstDept(f).keyIds = ['AAAA']; return f; }],
    ['a key id that is not base64url', (f) => { firstDept(f).keyIds = ['AAAAAAAAAA+']; return f; }],
    ['a malformed type code', (f) => { firstDept(f).authorizedTypeCodes = ['business-licence']; return f; }],
    ['an unknown state', (f) => { (firstDept(f) as Record<string, unknown>)['state'] = 'revoked'; return f; }],
    ['no state', (f) => { delete (firstDept(f) as Partial<LocalTrustFile['regions'][0]['departments'][0]>).state; return f; }],
    ['a stateSince that is not a date-time', (f) => { firstDept(f).stateSince = '2026-06-01'; return f; }],
    ['keyIds that are not a list', (f) => { (firstDept(f) as Record<string, unknown>)['keyIds'] = 'AAAAAAAAAAA'; return f; }],
  ];
  it.each(schemaCases)('schema: %s', (_name, mutate) => {
    rejection(text(mutate(clone(file) as LocalTrustFile & Record<string, unknown>)));
  });

  it('the message says where the schema is broken', () => {
    const f = clone(file);
    firstDept(f).keyIds = ['AAAA'];
    expect(rejection(text(f))).toContain('/regions/0/departments/0/keyIds/0');
  });

  it.each<[string, () => string]>([
    ['DER that is not a certificate', () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
    ['bad base64', () => '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n'],
    ['a BEGIN line with no END', () => '-----BEGIN CERTIFICATE-----\nMIIB\n'],
    ['a certificate cut in half', () => {
      const lines = pki.root.certificate.pem.trim().split('\n');
      return [...lines.slice(0, Math.floor(lines.length / 2)), lines[lines.length - 1]!].join('\n');
    }],
  ])('an anchor with %s', (_name, pem) => {
    const f = clone(file);
    f.anchors = [pki.root.certificate.pem, pem()];
    expect(rejection(text(f))).toContain('anchor');
  });

  it('a time-stamping certificate that is unreadable', () => {
    const f = clone(file);
    f.regions[0]!.timestampAuthorities = ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'];
    expect(rejection(text(f))).toContain('time-stamping');
  });

  it('a department listed twice in one region', () => {
    const f = clone(file);
    f.regions[0]!.departments.push(clone(firstDept(f)));
    expect(rejection(text(f))).toContain(`${firstDept(f).uscc} is listed twice`);
  });

  it('a department listed by two regions', () => {
    const f = clone(file);
    f.regions.push({ regionCode: '110000', name: '北京市', departments: [{ ...clone(firstDept(f)), name: 'another name' }] });
    expect(rejection(text(f))).toContain('listed twice');
  });

  it('an anchor that is not a CA certificate (a department certificate pinned by mistake)', () => {
    const f = clone(file);
    f.anchors = [pki.root.certificate.pem, pki.departments[0]!.certificate.pem];
    expect(rejection(text(f))).toContain('is not a CA certificate');
  });

  it('a region listed twice', () => {
    const f = clone(file);
    f.regions.push({ regionCode: f.regions[0]!.regionCode, name: 'copy', departments: [] });
    expect(rejection(text(f))).toContain('region 350000 is listed twice');
  });

  it('the trust file of two copies of the same region (same departments) is refused', () => {
    rejection(text(buildLocalTrustFile([pki, pki], NOW)));
  });

  it('the error keeps the parse error as its cause', () => {
    try {
      loadLocalTrustFile('{"a":1,"a":2}');
      throw new Error('not rejected');
    } catch (e) {
      expect((e as ElicenseError).code).toBe('TRUST_MATERIAL_INVALID');
      expect(((e as ElicenseError).cause as ElicenseError).code).toBe('JSON_DUPLICATE_KEY');
    }
  });
});
