import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DivisionCodeList } from '../../../src/codes/divisionCode';
import { parseCeremonyConfig } from '../../../src/pki/ca/parseCeremonyConfig';
import { allSm2, loadDemoConfig } from './demoCeremony';

function expectInvalid(config: unknown, path: string, message?: RegExp): void {
  try {
    parseCeremonyConfig(config);
  } catch (e: any) {
    expect(e.code).toBe('CEREMONY_INVALID');
    expect(e.details.path).toBe(path);
    expect(e.message).toContain(path);
    if (message) expect(e.message).toMatch(message);
    return;
  }
  throw new Error('expected CEREMONY_INVALID');
}

describe('parseCeremonyConfig', () => {
  it('accepts the demo region, also against the real division list and the licence type standards', () => {
    const standards = join(__dirname, '../../../standards');
    const divisionCodes = new DivisionCodeList(JSON.parse(readFileSync(join(standards, 'codelists/division-codes.json'), 'utf8')));
    const typeCodes = new Set(
      readdirSync(join(standards, 'types')).flatMap((t) =>
        readdirSync(join(standards, 'types', t)).map((v) => JSON.parse(readFileSync(join(standards, 'types', t, v), 'utf8')).typeCode as string),
      ),
    );
    const { warnings } = parseCeremonyConfig(loadDemoConfig(), { divisionCodes, licenseTypeCodes: typeCodes });
    expect(warnings).toEqual([]);
  });

  it('missing field', () => {
    const c = loadDemoConfig();
    delete c.root.validityYears;
    expectInvalid(c, '/root/validityYears', /required/);
  });

  it('malformed USCC (schema) and a USCC with a forbidden letter', () => {
    const c = loadDemoConfig();
    c.departments[2].uscc = '11350100DM00000';
    expectInvalid(c, '/departments/2/uscc');
    c.departments[2].uscc = '11350100DM00000I33';
    expectInvalid(c, '/departments/2/uscc');
  });

  it('USCC whose check character fails is accepted with a warning (pilot codes exist)', () => {
    const c = loadDemoConfig();
    c.departments[0].uscc = '11350100DM00000134';
    const { warnings } = parseCeremonyConfig(c);
    expect(warnings).toEqual([expect.objectContaining({ path: '/departments/0/uscc' })]);
  });

  it('bad division code: malformed, unknown, or outside the issuer', () => {
    const c = loadDemoConfig();
    c.departments[1].divisionCode = '35010';
    expectInvalid(c, '/departments/1/divisionCode');
    c.departments[1].divisionCode = '440100';
    expectInvalid(c, '/departments/1/divisionCode', /not inside/);
    const d = loadDemoConfig();
    d.intermediates[0].divisionCode = '359900';
    const list = new DivisionCodeList({ source: { package: 't', version: '1', upstream: 't', asOf: 'today' }, divisions: [['350000', '福建省'], ['350100', '福州市']] });
    expect(() => parseCeremonyConfig(d, { divisionCodes: list })).toThrow(expect.objectContaining({ details: expect.objectContaining({ path: '/intermediates/0/divisionCode' }) }));
  });

  it('unknown algorithm', () => {
    const c = loadDemoConfig();
    c.departments[3].algorithm = 'RS256';
    expectInvalid(c, '/departments/3/algorithm', /ES256, EdDSA, PS256/);
  });

  it('SM2 everywhere is accepted; an SM2 key under a non-SM2 CA or the reverse is refused at its algorithm', () => {
    const sm2 = allSm2(loadDemoConfig());
    expect(parseCeremonyConfig(sm2).warnings).toEqual([]);
    const dept = allSm2(loadDemoConfig());
    dept.departments[0].algorithm = 'ES256';
    expectInvalid(dept, '/departments/0/algorithm', /SM2 and a non-SM2/);
    const inter = loadDemoConfig();
    inter.intermediates[0].algorithm = 'SM2';
    expectInvalid(inter, '/intermediates/0/algorithm', /SM2 and a non-SM2/);
    for (const role of ['trustListSigner', 'timestampAuthority']) {
      const c = allSm2(loadDemoConfig());
      c[role].algorithm = 'EdDSA';
      expectInvalid(c, `/${role}/algorithm`, /SM2 and a non-SM2/);
    }
  });

  it('EdDSA is refused for department keys and for the CAs above them, and still allowed for the trust-list signer and TSA (docs/adr/0004, "Readers agree")', () => {
    const dept = loadDemoConfig();
    dept.departments[1].algorithm = 'EdDSA';
    expectInvalid(dept, '/departments/1/algorithm', /EdDSA is not offered for new department keys.*Readers agree/);
    const inter = loadDemoConfig();
    inter.intermediates[0].algorithm = 'EdDSA';
    expectInvalid(inter, '/intermediates/0/algorithm', /a CA above department keys may not be EdDSA/);
    const root = loadDemoConfig();
    root.root.algorithm = 'EdDSA';
    expectInvalid(root, '/root/algorithm', /a CA above department keys may not be EdDSA/);
    const services = loadDemoConfig();
    services.trustListSigner.algorithm = 'EdDSA';
    services.timestampAuthority.algorithm = 'EdDSA';
    expect(() => parseCeremonyConfig(services)).not.toThrow();
  });

  it('pathLen inconsistent with intermediates', () => {
    const c = loadDemoConfig();
    c.root.pathLen = 0;
    expectInvalid(c, '/root/pathLen', /allows no intermediate/);
    const d = loadDemoConfig();
    d.intermediates[0].pathLen = 1;
    expectInvalid(d, '/intermediates/0/pathLen', /at most 0/);
  });

  it('unknown issuer, duplicate ids, unknown fields', () => {
    const c = loadDemoConfig();
    c.departments[0].issuer = 'xiamen';
    expectInvalid(c, '/departments/0/issuer');
    const d = loadDemoConfig();
    d.departments[1].id = d.departments[0].id;
    expectInvalid(d, '/departments/1/id', /duplicate/);
    const e = loadDemoConfig();
    e.root.colour = 'red';
    expectInvalid(e, '/root/colour', /unknown field/);
  });

  it('validity longer than the issuer', () => {
    const c = loadDemoConfig();
    c.root.validityYears = 20;
    c.intermediates[0].validityYears = 25;
    expectInvalid(c, '/intermediates/0/validityYears', /outlives/);
    const d = loadDemoConfig();
    d.departments[0].validityDays = 20 * 365;
    expectInvalid(d, '/departments/0/validityDays');
  });
});
