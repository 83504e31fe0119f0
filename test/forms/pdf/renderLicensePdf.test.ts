import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoLicense } from '../../../src/demo/buildDemoRegion';
import type { DemoWithEdDsa } from '../../demo/legacyEdDsaDepartment';
import { verifyLicensePdf } from '../../../src/verify/forms/verifyLicensePdf';
import { NOW, contextOf, demoRegion, qrTextFor, signedPdf, tool, toolAvailable, workDir } from './pdfTestRegion';

let demo: DemoWithEdDsa;
const pdfs = new Map<string, Uint8Array>();

beforeAll(async () => {
  demo = await demoRegion();
  for (const lic of demo.licenses) pdfs.set(lic.sample, await signedPdf(demo, lic));
  // The demo's sample licences are signed with ES256; the province's PS256 department issues one more, and a
  // department whose EdDSA key was certified before that stopped (docs/adr/0004, "Readers agree") another.
  pdfs.set('eddsa', await signedPdf(demo, demo.eddsaLicense));
  const rsa = await demo.issueSample('real-estate-title', demo.pki.departments.find((d) => d.algorithm === 'PS256')!);
  rsaLicense = rsa;
  pdfs.set('ps256', await signedPdf(demo, rsa));
});
let rsaLicense: DemoLicense;

const slugs = () => [...new Set(demo.licenses.map((l) => l.slug))];
const haveTools = ['pdfsig', 'pdftotext', 'pdftoppm'].every(toolAvailable);
const itWithTools = haveTools ? it : it.skip;
if (!haveTools) console.warn('poppler-utils (pdfsig, pdftotext, pdftoppm) not installed: the independent PDF checks are skipped');

describe('renderLicensePdf', () => {
  it('renders a signed PDF of every type, well under 60 KB (plus twice its photo), that verifyLicensePdf accepts', async () => {
    expect(slugs()).toHaveLength(9); // every type; the business licence twice (a company and an 个体工商户)
    for (const lic of demo.licenses) {
      const pdf = pdfs.get(lic.sample)!;
      expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
      // A photo is in the page and, in base64, in the embedded full form: twice its size on top.
      const photoBytes = Object.values(lic.form.attachments ?? {}).reduce((n, a) => n + Buffer.from(a.data, 'base64').length, 0);
      expect(pdf.length).toBeLessThan(60 * 1024 + 2 * photoBytes);
      const r = await verifyLicensePdf(pdf, contextOf(demo));
      expect({ slug: lic.slug, reasons: r.reasons }).toEqual({ slug: lic.slug, reasons: [] });
      expect(r.result).toBe('accepted');
      expect(r.pdf).toMatchObject({ signed: true, signatureValid: true, coversWholeFile: true, appendedBytes: 0, signerKeyId: demo.signerOf(lic.department).keyId });
      expect(r.pdf.claimedSigningTime).toBe('D:20261126080000Z');
      expect(r.license?.['certificateIdentifier']).toBe(lic.form.license['certificateIdentifier']);
    }
  });

  itWithTools('pdfsig finds one PAdES signature covering the whole document; valid for ES256 and PS256', () => {
    const algorithms = new Set<string>();
    for (const lic of [...demo.licenses, rsaLicense, demo.eddsaLicense]) {
      const key = lic === rsaLicense ? 'ps256' : lic === demo.eddsaLicense ? 'eddsa' : lic.sample;
      algorithms.add(demo.signerOf(lic.department).algorithm);
      const out = tool('pdfsig', ['-nocert', '{}'], pdfs.get(key)!);
      expect(out).toContain('Signature Type: ETSI.CAdES.detached');
      expect(out).toContain('Total document signed');
      expect(out).toContain(`Signer Certificate Common Name: ${lic.department.name}`);
      // NSS 3.87 (Debian 12) cannot check Ed25519 CMS signatures; our own verifier does (test above).
      if (demo.signerOf(lic.department).algorithm !== 'EdDSA') expect({ slug: lic.slug, out }).toEqual({ slug: lic.slug, out: expect.stringContaining('Signature Validation: Signature is Valid.') });
      else expect(out).toContain('Signing Hash Algorithm: SHA-512');
    }
    expect([...algorithms].sort()).toEqual(['ES256', 'EdDSA', 'PS256']);
  });

  it('verifies the PS256 department\'s PDF too', async () => {
    const r = await verifyLicensePdf(pdfs.get('ps256')!, contextOf(demo));
    expect(r.reasons).toEqual([]);
    expect(r.signer?.algorithm).toBe('PS256');
  });

  itWithTools('pdftotext finds the holder name, title and labels in Chinese', () => {
    for (const lic of demo.licenses) {
      const text = tool('pdftotext', ['-enc', 'UTF-8', '{}', '-'], pdfs.get(lic.sample)!);
      const holder = String(lic.form.license['certificateHolderName']);
      expect({ slug: lic.slug, found: text.includes(holder) }).toEqual({ slug: lic.slug, found: true });
      expect(text).toContain(lic.standard.pdfLayout.title.zh);
      expect(text).toContain(lic.standard.pdfLayout.title.en);
    }
  });

  itWithTools('pdftoppm renders a page that is not blank, in colour, with the QR readable by zbarimg', () => {
    const zbar = toolAvailable('zbarimg');
    for (const lic of demo.licenses) {
      const stem = join(workDir, `page-${lic.sample}`);
      tool('pdftoppm', ['-r', '150', '-singlefile', '{}', stem], pdfs.get(lic.sample)!);
      const page = readPpm(readFileSync(`${stem}.ppm`));
      const landscape = lic.standard.pdfLayout.orientation === 'landscape';
      expect(page.width > page.height).toBe(landscape);
      let dark = 0;
      let red = 0;
      for (let i = 0; i < page.rgb.length; i += 3) {
        const [r, g, b] = [page.rgb[i]!, page.rgb[i + 1]!, page.rgb[i + 2]!];
        if (r + g + b < 300) dark++;
        if (r > 150 && g < 110 && b < 110) red++;
      }
      const pixels = page.width * page.height;
      expect(dark / pixels).toBeGreaterThan(0.02); // text and QR
      expect(red / pixels).toBeGreaterThan(0.002); // title, frame and seal
      if (zbar) expect(tool('zbarimg', ['-q', '--raw', `${stem}.ppm`], new Uint8Array()).trim()).toBe(qrTextFor(lic));
    }
  });

  it('is reproducible apart from the signature: the same input gives the same unsigned bytes', async () => {
    const { renderLicensePdf } = await import('../../../src/forms/pdf/renderLicensePdf');
    const { fonts, sealPng } = await import('./pdfTestRegion');
    const lic = demo.licenses[0]!;
    const opts = { standard: lic.standard, qrText: 'LC1:X', sealPng, at: NOW, fonts };
    expect(Buffer.from(await renderLicensePdf(lic.form, opts)).equals(Buffer.from(await renderLicensePdf(lic.form, opts)))).toBe(true);
  });
});

/** Binary PPM (P6, maxval 255), what pdftoppm writes by default: no decoder needed. */
function readPpm(buf: Buffer): { width: number; height: number; rgb: Buffer } {
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(buf.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('not a binary PPM');
  return { width: Number(header[1]), height: Number(header[2]), rgb: buf.subarray(header[0].length) };
}
