import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCertificate } from '../../../src/pki/certificate/ParsedCertificate';
import { departmentIdentityOf } from '../../../src/pki/departmentIdentity';
import { OID } from '../../../src/pki/oids';
import { runCeremony } from '../../../src/pki/ca/ceremony';
import { validatePath } from '../../../src/pki/path/validatePath';
import { CEREMONY_TIME, allSm2, demoRegion, loadDemoConfig } from './demoCeremony';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('runCeremony with "algorithm": "SM2" everywhere', () => {
  it('issues SM2 root, intermediate, trust-list signer, TSA and departments whose paths validate', async () => {
    const pki = await runCeremony(allSm2(loadDemoConfig()), { now: CEREMONY_TIME });
    expect(new Set(pki.record.certificates.map((c) => c.algorithm))).toEqual(new Set(['SM2']));
    const time = new Date(CEREMONY_TIME.getTime() + 60_000);
    const anchors = [pki.root.certificate.der];
    for (const d of pki.departments) {
      const r = validatePath({ leaf: d.certificate.der, intermediates: d.chain.slice(1), anchors, time });
      expect(r.ok && r.chain.length).toBe(d.chain.length + 1);
    }
    for (const s of [pki.trustListSigner, pki.timestampAuthority]) expect(validatePath({ leaf: s.certificate.der, intermediates: [], anchors, time }).ok).toBe(true);
  });
});

describe('runCeremony on the demo region', () => {
  it('issues root, intermediate, trust-list signer, TSA and every department', async () => {
    const pki = await demoRegion();
    expect(pki.region).toEqual({ name: '福建省', code: '350000', demo: true });
    expect(pki.intermediates.map((i) => i.id)).toEqual(['fuzhou']);
    expect(pki.departments).toHaveLength(8);
    const types = pki.departments.flatMap((d) => d.licenseTypes);
    // Nine types: 不动产登记证明 is granted beside the title.
    expect(new Set(types).size).toBe(9);
    expect(pki.record.certificates.map((c) => c.role)).toEqual([
      'root', 'intermediate', 'trustListSigner', 'timestampAuthority', ...Array(8).fill('department'),
    ]);
    expect(pki.record.warnings).toEqual([]);
  });

  it('writes a key-free record with fingerprints, key ids and validity', async () => {
    const pki = await demoRegion();
    const json = JSON.stringify(pki.record);
    expect(json).not.toMatch(/PRIVATE KEY/);
    const root = pki.record.certificates[0]!;
    expect(root.notBefore).toBe(CEREMONY_TIME.toISOString());
    expect(root.notAfter).toBe('2056-03-01T08:00:00.000Z');
    expect(root.sha256Fingerprint).toBe(new NodeX509(pki.root.certificate.der).fingerprint256.replace(/:/g, '').toLowerCase());
    expect(root.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(root.subject).toBe('C=CN, ST=福建省, O=福建省电子证照平台, CN=福建省电子证照根CA (演示), divisionCode=350000');
    const dept = pki.record.certificates.find((c) => c.id === 'fz-civil-affairs')!;
    expect(dept).toMatchObject({ role: 'department', issuerId: 'fuzhou', algorithm: 'ES256', uscc: '11350100DM0000021X', divisionCode: '350100' });
    expect(dept.notAfter).toBe(new Date(CEREMONY_TIME.getTime() + 730 * 86_400_000).toISOString());
  });

  it('gives each department a chain up to (not including) the root and keys of the configured type', async () => {
    const pki = await demoRegion();
    const fz = pki.departments.find((d) => d.id === 'fz-real-estate')!;
    expect(fz.chain).toEqual([fz.certificate.der, pki.intermediates[0]!.certificate.der]);
    expect(fz.privateKey.asymmetricKeyType).toBe('ec');
    const resources = pki.departments.find((d) => d.id === 'fj-natural-resources')!;
    expect(resources.chain).toEqual([resources.certificate.der]);
    expect(resources.privateKey.asymmetricKeyType).toBe('rsa');
    expect(resources.privateKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    const degrees = pki.departments.find((d) => d.id === 'fj-degrees')!;
    expect(degrees.chain).toEqual([degrees.certificate.der]);
    expect(pki.root.chain).toEqual([]);
  });

  it('puts the department identity where departmentIdentityOf finds it', async () => {
    const pki = await demoRegion();
    for (const d of pki.departments) {
      expect(departmentIdentityOf(parseCertificate(d.certificate.der))).toEqual({ uscc: d.uscc, divisionCode: d.divisionCode, name: d.name });
    }
  });

  it('makes certificates Node (OpenSSL) parses, with our EKUs', async () => {
    const pki = await demoRegion();
    const dept = new NodeX509(pki.departments[0]!.certificate.der);
    expect(dept.keyUsage).toEqual([OID.ekuLicenseSigning, OID.ekuDocumentSigning, OID.ekuEmailProtection]);
    expect(dept.verify(new NodeX509(pki.intermediates[0]!.certificate.der).publicKey)).toBe(true);
    expect(new NodeX509(pki.timestampAuthority.certificate.der).keyUsage).toEqual([OID.ekuTimeStamping]);
    expect(new NodeX509(pki.trustListSigner.certificate.der).keyUsage).toEqual([OID.ekuTrustListSigning]);
  });

  (hasOpenssl ? it : it.skip)('passes `openssl verify` for every department chain', async () => {
    const pki = await demoRegion();
    const dir = mkdtempSync(join(tmpdir(), 'elicense-ceremony-'));
    try {
      writeFileSync(join(dir, 'root.pem'), pki.root.certificate.pem);
      writeFileSync(join(dir, 'inter.pem'), pki.intermediates[0]!.certificate.pem);
      const at = String(Math.floor(CEREMONY_TIME.getTime() / 1000) + 3600);
      for (const d of [...pki.departments, pki.trustListSigner]) {
        const leaf = join(dir, `${d.id}.pem`);
        writeFileSync(leaf, d.certificate.pem);
        // -purpose any: OpenSSL has no purpose for our private EKU; -x509_strict adds RFC 5280 profile checks.
        const out = execFileSync('openssl', ['verify', '-x509_strict', '-attime', at, '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'inter.pem'), leaf], { encoding: 'utf8' });
        expect(out.trim()).toBe(`${leaf}: OK`);
      }
      const tsa = join(dir, 'tsa.pem');
      writeFileSync(tsa, pki.timestampAuthority.certificate.pem);
      const out = execFileSync('openssl', ['verify', '-x509_strict', '-attime', at, '-purpose', 'timestampsign', '-CAfile', join(dir, 'root.pem'), tsa], { encoding: 'utf8' });
      expect(out.trim()).toBe(`${tsa}: OK`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
