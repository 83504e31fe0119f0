/**
 * The annotated copy's PDF in independent readers: poppler's pdfsig (the PAdES signature by the region's
 * trust-list key), pdftoppm at 150 dpi + zbarimg (the copy's own QR, EAC1:, which then verifies), pdftotext
 * (the mark 仅供…使用，他用无效 in the text layer) and pdfdetach (the signed copy attached). The page and its
 * 150 dpi rendering are kept under test-artifacts/pdf/annotation/ to look at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAnnotatedCopyPdf } from '../../src/annotation/renderAnnotatedCopyPdf';
import { encodeAnnotatedCopyQr } from '../../src/annotation/annotatedCopyQr';
import type { AnnotatedCopy } from '../../src/annotation/AnnotatedCopy';
import { LicenseFonts } from '../../src/forms/pdf/LicenseFonts';
import { encodeCompactLicense } from '../../src/forms/qr/compactLicense';
import { repoPath } from '../../src/repoPath';
import { verifyAnyForm } from '../../src/verify/forms/verifyAnyForm';
import { annotationRegion, catalog, NOW, type AnnotationRegion } from './annotationRegion';

const tools = ['pdfsig', 'pdftoppm', 'zbarimg', 'pdftotext', 'pdfdetach'].every((cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (!tools) console.warn('poppler-utils / zbar-tools are not installed: the reader checks of the annotated copy PDF are skipped');
const withTools = tools ? it : it.skip;

const dir = repoPath('test-artifacts', 'pdf', 'annotation');
const fonts = LicenseFonts.load();
let region: AnnotationRegion;
let copy: AnnotatedCopy;
let qrText: string;
const pdfs = new Map<string, string>();

const run = (cmd: string, args: string[]): string => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
};

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  region = await annotationRegion();
  copy = await region.copyOf();
  qrText = await encodeAnnotatedCopyQr(copy, region.signer);
  // A portrait 1.0.0-style face and a landscape one (the business licence), each with the licence's own QR on its face.
  for (const slug of ['business-licence', 'driving-licence']) {
    const lic = region.demo.licenses.find((l) => l.slug === slug)!;
    const c = slug === 'business-licence' ? copy : await region.copyOf({ original: lic.form });
    const faceQrText = await encodeCompactLicense(lic.form, lic.standard, region.demo.signerOf(lic.department), NOW);
    const pdf = await renderAnnotatedCopyPdf(c, { standard: lic.standard, signer: region.signer, faceQrText, ...(slug === 'business-licence' ? { qrText } : {}), at: NOW, fonts, demo: true });
    const file = join(dir, `${slug}.annotated-copy.pdf`);
    writeFileSync(file, pdf);
    pdfs.set(slug, file);
  }
}, 60_000);

describe("the annotated copy's PDF", () => {
  withTools('pdfsig finds one valid signature over the whole file', () => {
    for (const file of pdfs.values()) {
      const out = run('pdfsig', ['-nocert', file]);
      expect(out).toMatch(/Signature Validation: Signature is Valid\./);
      expect(out).toMatch(/Signed Ranges: .*\[0 - \d+\], \[\d+ - \d+\]/);
      expect(out).toMatch(/Total document signed/);
    }
  });

  withTools("zbarimg reads the copy's QR off a 150 dpi rendering, and the text read verifies as the copy", async () => {
    const file = pdfs.get('business-licence')!;
    const prefix = join(dir, 'business-licence.annotated-copy.150dpi');
    execFileSync('pdftoppm', ['-r', '150', '-png', '-singlefile', file, prefix]);
    const read = run('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', `${prefix}.png`]).split('\n').map((l) => l.trim()).filter(Boolean);
    // Exactly one code: the licence face's own QR is covered on a copy (scanned off it, it would verify the licence without the copy's terms).
    expect(read).toEqual([qrText]);
    const r = await verifyAnyForm(Buffer.from(qrText), { trust: region.demo.trust, catalog, at: NOW });
    expect([r.result, r.annotatedCopy?.purpose]).toEqual(['accepted', '办理住房公积金提取']);
    // the landscape face's copy too
    const other = join(dir, 'driving-licence.annotated-copy.150dpi');
    execFileSync('pdftoppm', ['-r', '150', '-png', '-singlefile', pdfs.get('driving-licence')!, other]);
    const otherRead = run('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', `${other}.png`]).split('\n').filter((l) => l.trim());
    expect(otherRead.map((l) => l.slice(0, 5))).toEqual(['EAC1:']);
  });

  withTools('pdftotext finds the mark, the annotation fields and the licence face', () => {
    const text = run('pdftotext', ['-layout', pdfs.get('business-licence')!, '-']).replace(/[ \t]+/g, '');
    expect(text).toContain('仅供福州市住房公积金中心办理住房公积金提取使用，他用无效');
    for (const label of ['制作事由', '用证部门', '制作方', '制作时间', '有效期至', '2027年02月24日16:00']) expect(text).toContain(label);
    expect(text).toContain('营业执照');
  });

  it("verifies as a PDF: the copy it carries with its original, and the PDF signature by the copy's signer", async () => {
    const pdf = readFileSync(pdfs.get('business-licence')!);
    const r = await verifyAnyForm(pdf, { trust: region.demo.trust, catalog, at: NOW });
    expect([r.result, r.form, r.reasons, r.annotatedCopy?.form, r.annotatedCopy?.purpose, r.pdf?.signed]).toEqual(['accepted', 'pdf', [], 'document', '办理住房公积金提取', true]);
    const late = await verifyAnyForm(pdf, { trust: region.demo.trust, catalog, at: new Date('2027-03-01T00:00:00Z') });
    expect(late.reasons).toEqual(['ANNOTATION_EXPIRED']);
    // the same page signed by the licence's department instead of the region platform: not the copy's signer
    const lic = region.licence;
    const bySomeoneElse = await renderAnnotatedCopyPdf(copy, { standard: lic.standard, signer: region.demo.signerOf(lic.department), faceQrText: 'LC1:TEST', qrText, at: NOW, fonts });
    expect((await verifyAnyForm(bySomeoneElse, { trust: region.demo.trust, catalog, at: NOW })).reasons).toEqual(['PDF_SIGNER_MISMATCH']);
  });

  withTools('the signed copy is attached and verifies as it is', async () => {
    const file = pdfs.get('business-licence')!;
    expect(run('pdfdetach', ['-list', file])).toMatch(/annotated-copy\.elac\.json/);
    const out = join(dir, 'attached.elac.json');
    run('pdfdetach', ['-save', '1', '-o', out, file]);
    const attached = readFileSync(out);
    expect(JSON.parse(attached.toString('utf8'))).toEqual(JSON.parse(JSON.stringify(copy)));
    const r = await verifyAnyForm(attached, { trust: region.demo.trust, catalog, at: NOW });
    expect([r.result, r.annotatedCopy?.form]).toEqual(['accepted', 'document']);
  });
});
