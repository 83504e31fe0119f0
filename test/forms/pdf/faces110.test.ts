/**
 * PDF faces of the 1.1.0 standards (issue 13): only what the record has (no rows of another kind of
 * entity), holders, ranges printed as one value, Chinese dates where the layout says, notPrinted fields
 * left off, the photo drawn — and every page still signed and verifiable. 1.0.0 layouts print as before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { encodeCompactLicense } from '../../../src/forms/qr/compactLicense';
import { EMPTY_VALUE, licenseFace, type FaceField, type LicenseFace } from '../../../src/forms/pdf/licenseFace';
import { LicenseFonts } from '../../../src/forms/pdf/LicenseFonts';
import { renderLicensePdf } from '../../../src/forms/pdf/renderLicensePdf';
import { repoPath } from '../../../src/repoPath';
import { StandardsCatalog } from '../../../src/standards/StandardsCatalog';
import { verifyLicensePdf } from '../../../src/verify/forms/verifyLicensePdf';
import { NOW, region110, sampleDraft, type IssuedLicense, type Region110 } from './faces110Region';
import { tool, toolAvailable, workDir } from './pdfTestRegion';

const catalog = StandardsCatalog.load();
const fonts = LicenseFonts.load();
const sealPng = new Uint8Array(readFileSync(repoPath('fixtures', 'seals', 'demo-seal.png')));

const haveTools = ['pdftotext', 'pdftoppm', 'pdfimages'].every(toolAvailable);
const itWithTools = haveTools ? it : it.skip;
if (!haveTools) console.warn('poppler-utils (pdftotext, pdftoppm, pdfimages) not installed: the rendered-page checks are skipped');

let region: Region110;
const licences = new Map<string, IssuedLicense>();
const pdfs = new Map<string, Uint8Array>();
const qrTexts = new Map<string, string>();

const SAMPLES: [name: string, slug: string, matches?: (face: Record<string, unknown>) => boolean][] = [
  ['individual', 'business-licence', (f) => f['entityKind'] === 'individual'],
  ['company', 'business-licence', (f) => f['entityKind'] === 'company'],
  ['title', 'real-estate-title'],
  ['driving', 'driving-licence'],
  ['card', 'social-security-card'],
];

const fieldsOf = (face: LicenseFace): FaceField[] => face.sections.flatMap((s) => s.fields);
const valueAt = (face: LicenseFace, path: string) => fieldsOf(face).find((f) => f.path === path)?.value;
const faceOf = (name: string) => licenseFace(licences.get(name)!.form.license, licences.get(name)!.standard);

beforeAll(async () => {
  region = await region110(catalog);
  for (const [name, slug, matches] of SAMPLES) {
    const lic = await region.issue(slug, sampleDraft(slug, matches));
    licences.set(name, lic);
    const signer = region.signerOf(lic.department);
    const qrText = await encodeCompactLicense(lic.form, lic.standard, signer, NOW);
    qrTexts.set(name, qrText);
    pdfs.set(name, await renderLicensePdf(lic.form, { standard: lic.standard, qrText, sealPng, signer, at: NOW, fonts }));
  }
});

describe('licenseFace of 1.1.0 layouts', () => {
  it('an 个体工商户 prints its own rows only: 经营者, 组成形式, 经营场所 and Chinese dates, no 法定代表人, 住所 or empty rows', () => {
    const face = faceOf('individual');
    const paths = fieldsOf(face).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['extendInfo.operator', 'extendInfo.organisationForm', 'extendInfo.businessPlace', 'extendInfo.registrationDate']));
    for (const other of ['extendInfo.legalRepresentative', 'extendInfo.domicile', 'extendInfo.registeredCapital', 'range.businessTerm', 'range.partnershipTerm', 'extendInfo.personInCharge']) {
      expect(paths).not.toContain(other);
    }
    expect(paths).not.toContain('extendInfo.entityKind'); // notPrinted
    expect(fieldsOf(face).map((f) => f.value)).not.toContain(EMPTY_VALUE);
    expect(valueAt(face, 'extendInfo.registrationDate')).toBe('2024年04月02日');
    expect(valueAt(face, 'certificateIssuedDate')).toMatch(/^\d{4}年\d{2}月\d{2}日$/);
    expect(valueAt(face, 'extendInfo.operator')).toBe('郑秀英');
  });

  it('a company prints its business term as one value with the open end (自…至长期)', () => {
    const face = faceOf('company');
    expect(valueAt(face, 'range.businessTerm')).toBe('自2024年03月15日至长期');
    expect(fieldsOf(face).find((f) => f.path === 'range.businessTerm')?.label.zh).toBe('营业期限');
    expect(fieldsOf(face).map((f) => f.path)).not.toContain('extendInfo.operator');
  });

  it('a real-estate title with two co-owners prints both, in order, under 权利人, in a ruled table; its structured areas and term dates are not printed', () => {
    const face = faceOf('title');
    const holders = fieldsOf(face).find((f) => f.path === 'holders')!;
    expect(holders.label).toEqual({ zh: '权利人', en: 'Right holder' });
    expect(holders.value).toBe('王丽娟、李俊峰');
    expect(face.sections.find((s) => s.fields.includes(holders))?.style).toBe('table');
    const paths = fieldsOf(face).map((f) => f.path);
    for (const f of ['landArea', 'buildingArea', 'landUseTermFrom', 'landUseTermTo', 'notes', 'shares']) expect(paths).not.toContain(`extendInfo.${f}`);
    expect(valueAt(face, 'extendInfo.areaText')).toBe('共有宗地面积38562.4㎡/房屋建筑面积89.57㎡');
  });

  it('a driving licence prints its validity as one range (ISO dates, as its layout says), vehicle classes with their dates, and no photo reference as text', () => {
    const face = faceOf('driving');
    expect(valueAt(face, 'range.validity')).toBe('自2024-05-10至2034-05-10');
    expect(valueAt(face, 'extendInfo.vehicleClasses')).toBe('C1（1998-07-18起）、B2（2006-03-20起）');
    expect(fieldsOf(face).some((f) => f.value.includes('sha256'))).toBe(false);
    expect(face.arrangement?.photo).toBe('top-right');
  });

  it('a 1.0.0 layout is untouched: every field printed, "—" for those the record leaves out, no arrangement', () => {
    const form = JSON.parse(readFileSync(repoPath('test', 'golden', 'licences', 'business-licence.elic.json'), 'utf8')) as { license: Record<string, unknown> };
    const standard = catalog.getType(String(form.license['certificateTypeCode']), String(form.license['standardVersion']))!;
    expect(standard.version).toBe('1.0.0');
    const face = licenseFace(form.license, standard);
    expect(fieldsOf(face).map((f) => f.path)).toEqual(standard.pdfLayout.sections.flatMap((s) => s.fields));
    expect(face.arrangement).toBeUndefined();
    expect(face.sections.every((s) => s.style === undefined)).toBe(true);
  });
});

describe('renderLicensePdf of 1.1.0 licences', () => {
  it('renders each signed, under 200 KB, and verifyLicensePdf accepts it (photos checked in the embedded full form)', async () => {
    for (const [name] of SAMPLES) {
      const pdf = pdfs.get(name)!;
      expect(pdf.length).toBeLessThan(200 * 1024);
      const r = await verifyLicensePdf(pdf, { trust: region.trust, catalog, at: NOW });
      expect({ name, reasons: r.reasons }).toEqual({ name, reasons: [] });
      expect(r.result).toBe('accepted');
      expect(r.pdf).toMatchObject({ signed: true, signatureValid: true, coversWholeFile: true, appendedBytes: 0 });
      expect(r.checks.find((c) => c.check === 'attachments')?.status).toBe('passed');
    }
  });

  itWithTools('pdftotext finds the individual business\'s own labels and none of a company\'s', () => {
    const text = tool('pdftotext', ['-enc', 'UTF-8', '{}', '-'], pdfs.get('individual')!);
    for (const s of ['营业执照', '福州市鼓楼区榕香阁小吃店', '经营者', '郑秀英', '组成形式', '个人经营', '经营场所', '2024年04月02日']) expect({ s, found: text.includes(s) }).toEqual({ s, found: true });
    for (const s of ['法定代表人', '住所', '注册资本', '营业期限', '—']) expect({ s, found: text.includes(s) }).toEqual({ s, found: false });
  });

  itWithTools('pdftotext finds both co-owners of the title under 权利人, and the company\'s term 自…至长期', () => {
    const title = tool('pdftotext', ['-enc', 'UTF-8', '{}', '-'], pdfs.get('title')!);
    expect(title).toContain('权利人');
    expect(title).toContain('王丽娟、李俊峰');
    const company = tool('pdftotext', ['-enc', 'UTF-8', '{}', '-'], pdfs.get('company')!);
    expect(company).toContain('自2024年03月15日至长期');
  });

  itWithTools('the driving licence and the social security card carry their photo as an image of the photo\'s own size', () => {
    const sizes = (name: string) => tool('pdfimages', ['-list', '{}'], pdfs.get(name)!).split('\n').slice(2).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/).slice(3, 5).join('x'));
    expect(sizes('driving')).toContain('360x480');
    const card = PNG.sync.read(readFileSync(repoPath('fixtures', 'photos', 'cardholder.png')));
    expect(sizes('card')).toContain(`${card.width}x${card.height}`);
    // No photo on a licence whose type has none.
    expect(sizes('title')).not.toContain('360x480');
  });

  itWithTools('renders to PNG pages (in the temp folder; look at them) with the QR still readable', () => {
    const zbar = toolAvailable('zbarimg');
    for (const [name] of SAMPLES) {
      const stem = join(workDir, `faces110-${name}`);
      tool('pdftoppm', ['-r', '80', '-png', '-singlefile', '{}', stem], pdfs.get(name)!);
      const page = PNG.sync.read(readFileSync(`${stem}.png`));
      expect(page.width).toBeGreaterThan(400);
      if (zbar) {
        const hi = join(workDir, `faces110-${name}-150`);
        tool('pdftoppm', ['-r', '150', '-png', '-singlefile', '{}', hi], pdfs.get(name)!);
        expect(tool('zbarimg', ['-q', '--raw', `${hi}.png`], new Uint8Array()).trim()).toBe(qrTexts.get(name));
      }
    }
  });
});
