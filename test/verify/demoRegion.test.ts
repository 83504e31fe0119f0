import { readFileSync } from 'node:fs';
import { buildDemoRegion, DEMO_CEREMONY_FILE, type DemoRegion } from '../../src/demo/buildDemoRegion';
import { formatResult } from '../../src/cli/formatResult';
import { runCeremony } from '../../src/pki/ca/ceremony';
import { issueDepartmentCertificate } from '../../src/pki/ca/issueDepartmentCertificate';
import { softwareKeySigner } from '../../src/crypto/softwareKeySigner';
import { generateKeyPair } from '../../src/pki/ca/generateKeyPair';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { OID } from '../../src/pki/oids';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { verifyLicense } from '../../src/verify/verifyLicense';

const NOW = new Date('2026-11-26T08:00:00Z');
const catalog = StandardsCatalog.load();
const demoCeremony = (): Record<string, unknown> => JSON.parse(readFileSync(DEMO_CEREMONY_FILE, 'utf8')) as Record<string, unknown>;
/** The same ceremony with the demo flag removed: a region that is not a demo one, with the same names. */
const realCeremony = (): Record<string, unknown> => {
  const c = demoCeremony();
  const region = { ...(c['region'] as Record<string, unknown>) };
  delete region['demo'];
  return { ...c, region };
};
const policiesOf = (der: Uint8Array): readonly string[] => parseCertificate(der).ext.certificatePolicies?.policies ?? [];

let demo: DemoRegion;
let real: DemoRegion;
beforeAll(async () => {
  demo = await buildDemoRegion({ catalog, now: NOW });
  real = await buildDemoRegion({ catalog, now: NOW, ceremony: realCeremony() });
});

describe('demo-region certificate policy (docs/adr/0002)', () => {
  it('a demo ceremony sets the policy on the root and on every certificate it issues, non-critical', () => {
    const pki = demo.pki;
    expect(pki.region.demo).toBe(true);
    const all = [pki.root, ...pki.intermediates, pki.trustListSigner, pki.timestampAuthority, ...pki.departments];
    for (const k of all) {
      expect(policiesOf(k.certificate.der)).toEqual([OID.policyDemoRegion]);
      expect(parseCertificate(k.certificate.der).ext.certificatePolicies?.critical).toBe(false);
    }
    expect(pki.record.region.demo).toBe(true);
  });

  it('a ceremony without the flag sets no policy anywhere, unless the node runs it as its demo region', async () => {
    for (const k of [real.pki.root, ...real.pki.departments]) expect(policiesOf(k.certificate.der)).toEqual([]);
    expect(real.pki.region.demo).toBeUndefined();
    const forced = await runCeremony(realCeremony(), { now: NOW, demo: true });
    expect(policiesOf(forced.root.certificate.der)).toEqual([OID.policyDemoRegion]);
  });

  it('a certificate issued later under a demo CA inherits the policy (key rotation in a demo region)', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const ca = demo.pki.intermediates[0] ?? demo.pki.root;
    const d = demo.pki.departments[0]!;
    const cert = await issueDepartmentCertificate(
      { certificate: ca.certificate.der, signer: softwareKeySigner(ca.privateKey) },
      { department: { name: d.name, uscc: d.uscc, divisionCode: d.divisionCode }, publicKey, validityDays: 30 },
      { now: NOW },
    );
    expect(policiesOf(cert.der)).toEqual([OID.policyDemoRegion]);
    const realCa = real.pki.intermediates[0] ?? real.pki.root;
    const plain = await issueDepartmentCertificate(
      { certificate: realCa.certificate.der, signer: softwareKeySigner(realCa.privateKey) },
      { department: { name: d.name, uscc: d.uscc, divisionCode: d.divisionCode }, publicKey, validityDays: 30 },
      { now: NOW },
    );
    expect(policiesOf(plain.der)).toEqual([]);
  });
});

describe('verification answers say demo from the validated chain, not from names', () => {
  const verify = (r: DemoRegion, form: unknown) => verifyLicense(Buffer.from(JSON.stringify(form)), { trust: r.trust, catalog, at: NOW });

  it('every licence of the demo region is accepted with demo: true; the CLI text says DEMO', () => {
    for (const lic of demo.licenses) {
      const r = verify(demo, lic.form);
      expect(r.result).toBe('accepted');
      expect(r.demo).toBe(true);
    }
    const text = formatResult(verify(demo, demo.licenses[0]!.form), 'licence.elic.json');
    expect(text.split('\n')[1]).toContain('DEMO');
    expect(text).toContain('无法律效力');
  });

  it('the same names in a region without the policy: no demo field at all, no DEMO line', () => {
    const r = verify(real, real.licenses[0]!.form);
    expect(r.result).toBe('accepted');
    expect('demo' in r).toBe(false);
    expect(formatResult(r, 'x')).not.toContain('DEMO');
  });

  it('a demo licence presented to a verifier that does not trust the demo root is not called demo (no validated chain)', () => {
    const r = verify(real, demo.licenses[0]!.form);
    expect(r.result).toBe('rejected');
    expect('demo' in r).toBe(false);
  });
});
