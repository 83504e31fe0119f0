/**
 * The Shanghai demo region is all SM2 (ADR 0009, "SM2 demo region"): its ceremony
 * makes SM3withSM2 certificates from the root to every department, the trust-list
 * signer and the TSA. Every one of the eight licence types is issued there with an
 * SM2 department key and an SM2 region timestamp, and each form — full form, compact
 * QR, signed PDF — verifies to `accepted` with our verifiers; a tampered one does not.
 */
import { readFileSync } from 'node:fs';
import { buildDemoRegion, type DemoRegion } from '../../src/demo/buildDemoRegion';
import { LicenseFonts } from '../../src/forms/pdf/LicenseFonts';
import { renderLicensePdf } from '../../src/forms/pdf/renderLicensePdf';
import { encodeCompactLicense } from '../../src/forms/qr/compactLicense';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { repoPath } from '../../src/repoPath';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { verifyAnyForm } from '../../src/verify/forms/verifyAnyForm';
import { verifyCompactLicense } from '../../src/verify/forms/verifyCompactLicense';
import { createVerifierCaches, verifyLicense } from '../../src/verify/verifyLicense';

const NOW = new Date('2026-11-26T08:00:00Z');
const catalog = StandardsCatalog.load();
const SHANGHAI = repoPath('fixtures', 'ceremony', 'demo-region-shanghai.json');
const SM3_WITH_SM2 = '1.2.156.10197.1.501';
let demo: DemoRegion;

beforeAll(async () => {
  demo = await buildDemoRegion({ catalog, now: NOW, ceremony: JSON.parse(readFileSync(SHANGHAI, 'utf8')) });
}, 60_000);

const ctx = () => ({ trust: demo.trust, catalog, at: NOW, caches: createVerifierCaches() });
const summary = (r: { result: string; reasons: readonly string[] }) => ({ result: r.result, reasons: r.reasons });

describe('the Shanghai demo ceremony is entirely SM2', () => {
  it('root, intermediate, trust-list signer, TSA and every department are SM2 keys under SM3withSM2 links', () => {
    const config = JSON.parse(readFileSync(SHANGHAI, 'utf8'));
    const algorithms = [config.root, ...config.intermediates, config.trustListSigner, config.timestampAuthority, ...config.departments].map((x: { algorithm: string }) => x.algorithm);
    expect(new Set(algorithms)).toEqual(new Set(['SM2']));
    const chains = [...demo.pki.departments.map((d) => d.chain), demo.pki.timestampAuthority.chain, demo.pki.trustListSigner.chain];
    for (const chain of chains) {
      for (const der of chain) expect(parseCertificate(der).signatureAlgorithm).toMatchObject({ oid: SM3_WITH_SM2 });
    }
  });

  it('has a department for each of the nine licence types: every sample issues', () => {
    expect(new Set(demo.licenses.map((l) => l.slug)).size).toBe(9);
    expect(demo.licenses.map((l) => l.sample)).toContain('business-licence-individual');
  });
});

describe('all nine licence types, every form, SM2 end to end', () => {
  it('full form: JWS alg SM2, SM2 region timestamp, accepted', () => {
    const caches = createVerifierCaches();
    for (const lic of demo.licenses) {
      const r = verifyLicense(JSON.stringify(lic.form), { trust: demo.trust, catalog, at: NOW, caches });
      expect({ slug: lic.slug, ...summary(r) }).toEqual({ slug: lic.slug, result: 'accepted', reasons: [] });
      expect(r.signer).toMatchObject({ algorithm: 'SM2' });
      expect(JSON.parse(Buffer.from(lic.form.timestamp!.split('.')[0]!, 'base64url').toString('utf8'))).toMatchObject({ alg: 'SM2' });
      // After the department certificate expired, the SM2 region timestamp dates the signature.
      const x5c = JSON.parse(Buffer.from(lic.form.signature.split('.')[0]!, 'base64url').toString('utf8')).x5c as string[];
      const later = new Date(parseCertificate(Buffer.from(x5c[0]!, 'base64')).notAfter.getTime() + 30 * 86_400_000);
      const dated = verifyLicense(JSON.stringify(lic.form), { trust: demo.trust, catalog, at: later, caches });
      expect({ slug: lic.slug, reasons: dated.reasons, signingTime: dated.signingTime }).toEqual({ slug: lic.slug, reasons: [], signingTime: { value: NOW.toISOString(), source: 'timestamp' } });
      expect(dated.warnings).toContain('CERT_EXPIRED_AFTER_SIGNING');
    }
  });

  it('compact QR: COSE -65537, accepted alone and bound to its full form', async () => {
    for (const lic of demo.licenses) {
      const text = await encodeCompactLicense(lic.form, lic.standard, demo.signerOf(lic.department), NOW);
      const alone = verifyCompactLicense(text, ctx());
      expect({ slug: lic.slug, ...summary(alone) }).toEqual({ slug: lic.slug, result: 'accepted', reasons: [] });
      expect(alone.signer).toMatchObject({ algorithm: 'SM2' });
      const bound = verifyCompactLicense(text, { ...ctx(), fullForm: lic.form });
      expect({ slug: lic.slug, ...summary(bound) }).toEqual({ slug: lic.slug, result: 'accepted', reasons: [] });
    }
  });

  it('PDF (CAdES with SM3withSM2) through the any-form verifier: accepted, the PDF signature valid', async () => {
    const fonts = LicenseFonts.load();
    const sealPng = new Uint8Array(readFileSync(repoPath('fixtures', 'seals', 'demo-seal.png')));
    for (const lic of demo.licenses) {
      const qrText = await encodeCompactLicense(lic.form, lic.standard, demo.signerOf(lic.department), NOW);
      const pdf = await renderLicensePdf(lic.form, { standard: lic.standard, qrText, sealPng, signer: demo.signerOf(lic.department), at: NOW, fonts });
      const r = await verifyAnyForm(pdf, ctx());
      expect({ slug: lic.slug, form: r.form, ...summary(r) }).toEqual({ slug: lic.slug, form: 'pdf', result: 'accepted', reasons: [] });
      expect(r.pdf).toMatchObject({ signed: true, signatureValid: true });
    }
  }, 120_000);
});

describe('a tampered SM2 licence is rejected', () => {
  it('full form with a changed holder name: SIGNATURE_INVALID', () => {
    const lic = demo.licenses.find((l) => l.slug === 'business-licence')!;
    const text = JSON.stringify(lic.form);
    const name = (lic.form as unknown as { license: { certificateHolderName: string } }).license.certificateHolderName;
    const tampered = text.split(JSON.stringify(name)).join(JSON.stringify(`${name}X`));
    expect(tampered).not.toBe(text);
    const r = verifyLicense(tampered, ctx());
    expect(r.result).toBe('rejected');
    expect(r.reasons).toContain('SIGNATURE_INVALID');
  });

  it("full form carrying another licence's SM2 timestamp: TIMESTAMP_INVALID", () => {
    const [a, b] = demo.licenses;
    const form = { ...a!.form, timestamp: b!.form.timestamp };
    expect(summary(verifyLicense(JSON.stringify(form), ctx()))).toEqual({ result: 'rejected', reasons: ['TIMESTAMP_INVALID'] });
  });

  it('compact QR signed by another SM2 department of the region than the one it names: rejected', async () => {
    const lic = demo.licenses.find((l) => l.slug === 'driving-licence')!;
    const text = await encodeCompactLicense(lic.form, lic.standard, demo.signerOf(lic.department), NOW);
    const other = demo.pki.departments.find((d) => d.id !== lic.department.id)!;
    const wrong = await encodeCompactLicense(lic.form, lic.standard, demo.signerOf(other), NOW);
    expect(verifyCompactLicense(text, ctx()).result).toBe('accepted');
    expect(verifyCompactLicense(wrong, ctx()).result).toBe('rejected');
  });
});
