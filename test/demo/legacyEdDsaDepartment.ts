import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { organizationCodeCheckCharacter, usccCheckCharacter } from '../../src/codes/uscc';
import { softwareKeySigner } from '../../src/crypto/softwareKeySigner';
import { buildDemoRegion, DEMO_CEREMONY_FILE, type DemoLicense, type DemoRegion } from '../../src/demo/buildDemoRegion';
import { runCeremony, type CertifiedDepartment } from '../../src/pki/ca/ceremony';
import { issueDepartmentCertificate } from '../../src/pki/ca/issueDepartmentCertificate';
import { OID } from '../../src/pki/oids';
import type { StandardsCatalog } from '../../src/standards/StandardsCatalog';

/** The USCC of the test's EdDSA department (valid check characters; no demo department holds it). */
export const LEGACY_EDDSA_USCC = ((): string => {
  const org8 = 'ED255190';
  const first17 = `11350100${org8}${organizationCodeCheckCharacter(org8)}`;
  return first17 + usccCheckCharacter(first17);
})();

export interface DemoWithEdDsa extends DemoRegion {
  /** A department of the demo region whose licence key is Ed25519, certified before EdDSA stopped being offered. */
  eddsa: CertifiedDepartment;
  /** The demo marriage certificate, signed by that department. */
  eddsaLicense: DemoLicense;
}

/**
 * The demo region plus one EdDSA department (docs/adr/0004-pdf-form.md, "Readers agree": EdDSA is no longer
 * offered for new department keys, so neither the demo ceremony nor the node makes one; keys certified before
 * keep signing and verifying). The key is certified directly under the demo root by the CA library, as it was
 * before the rule, and listed in the region's trust file like every other department.
 */
export async function buildDemoWithEdDsaDepartment(opts: { catalog: StandardsCatalog; now: Date }): Promise<DemoWithEdDsa> {
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const pki = await runCeremony(JSON.parse(readFileSync(DEMO_CEREMONY_FILE, 'utf8')), { now: opts.now, randomBytes: random });
  const marriage = opts.catalog.getTypeBySlug('marriage-certificate')!.typeCode;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const department = { name: '福州市民政局（EdDSA 旧密钥）', uscc: LEGACY_EDDSA_USCC, divisionCode: '350100' };
  const certificate = await issueDepartmentCertificate(
    { certificate: pki.root.certificate.der, signer: softwareKeySigner(pki.root.privateKey) },
    { department, publicKey, validityDays: 730 },
    { now: opts.now, randomBytes: random, ...(pki.region.demo ? { policies: [OID.policyDemoRegion] } : {}) },
  );
  const eddsa: CertifiedDepartment = {
    id: 'fz-civil-affairs-eddsa',
    algorithm: 'EdDSA',
    privateKey,
    publicKey,
    certificate,
    chain: [certificate.der],
    issuerId: 'root',
    ...department,
    licenseTypes: [marriage],
  };
  pki.departments.push(eddsa);
  const demo = await buildDemoRegion({ catalog: opts.catalog, now: opts.now, pki });
  const eddsaLicense = await demo.issueSample('marriage-certificate', eddsa);
  return { ...demo, eddsa, eddsaLicense };
}
