/**
 * Issue 14, the licence page per type (1.1.0 layouts): every demo licence rendered the way the node does
 * (issueAllForms: the real compact QR, signed), then read back with poppler and zbar: labels once, the
 * identifier once, Chinese dates where the layout says, closed lists by name, the QR readable from a
 * 150 dpi rendering, the DEMO mark in the text layer only when asked for. Each page is also written to
 * test-artifacts/pdf/ as PNG to look at.
 */
import { PNG } from 'pngjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoLicense, DemoRegion } from '../../../src/demo/buildDemoRegion';
import { DEMO_MARK } from '../../../src/forms/pdf/drawDemoMark';
import { QR_MODULE_POINTS } from '../../../src/forms/pdf/drawLicenseFace110';
import { PAGE_TEXTS } from '../../../src/forms/pdf/pageStyle';
import { licenseFace } from '../../../src/forms/pdf/licenseFace';
import { renderLicensePdf } from '../../../src/forms/pdf/renderLicensePdf';
import { issueAllForms } from '../../../src/issue/issueAllForms';
import { repoPath } from '../../../src/repoPath';
import { verifyLicensePdf } from '../../../src/verify/forms/verifyLicensePdf';
import { NOW, catalog, contextOf, demoRegion, fonts, sealPng, tool, toolAvailable } from './pdfTestRegion';

const haveTools = ['pdftotext', 'pdftoppm', 'zbarimg'].every(toolAvailable);
const itWithTools = haveTools ? it : it.skip;
if (!haveTools) console.warn('poppler-utils or zbar-tools not installed: the rendered-page checks are skipped');

const ARTIFACTS = repoPath('test-artifacts', 'pdf');

let demo: DemoRegion;
const rendered = new Map<string, { lic: DemoLicense; qrText: string; qrVersion: number; pdf: Uint8Array; demoPdf: Uint8Array }>();
const pageText = new Map<string, string>();

const rawText = (pdf: Uint8Array) => tool('pdftotext', ['-enc', 'UTF-8', '-raw', '{}', '-'], pdf);
const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

beforeAll(async () => {
  demo = await demoRegion();
  for (const lic of demo.licenses) {
    const signer = demo.signerOf(lic.department);
    // The QR text and version as the node makes them; the pages rendered here with demo set and not set.
    const forms = await issueAllForms(lic.form, { standard: lic.standard, signer, at: NOW, fonts, sealPng, demo: false });
    const pdf = await renderLicensePdf(lic.form, { standard: lic.standard, qrText: forms.qrText, sealPng, signer, at: NOW, fonts });
    const demoPdf = await renderLicensePdf(lic.form, { standard: lic.standard, qrText: forms.qrText, sealPng, signer, at: NOW, fonts, demo: true });
    rendered.set(lic.sample, { lic, qrText: forms.qrText, qrVersion: forms.qrSymbol.version, pdf, demoPdf });
    if (haveTools) pageText.set(lic.sample, rawText(pdf));
  }
  mkdirSync(ARTIFACTS, { recursive: true });
});

describe('1.1.0 pages of every demo licence', () => {
  it('every demo licence is a 1.1.0 licence, and its signed PDF verifies, with and without the DEMO mark, under 60 KB plus twice its photo', async () => {
    expect(rendered.size).toBe(10);
    for (const { lic, pdf, demoPdf } of rendered.values()) {
      expect(lic.standard.version).toBe('1.1.0');
      const photoBytes = Object.values(lic.form.attachments ?? {}).reduce((n, a) => n + Buffer.from(a.data, 'base64').length, 0);
      for (const p of [pdf, demoPdf]) {
        expect({ sample: lic.sample, small: p.length < 60 * 1024 + 2 * photoBytes }).toEqual({ sample: lic.sample, small: true });
        const r = await verifyLicensePdf(p, contextOf(demo));
        expect({ sample: lic.sample, reasons: r.reasons }).toEqual({ sample: lic.sample, reasons: [] });
      }
    }
  });

  itWithTools('prints the title as one word, each label at most once, and the identifier exactly once', () => {
    for (const [sample, { lic }] of rendered) {
      const page = pageText.get(sample)!;
      const face = licenseFace(lic.form.license, lic.standard);
      const identifier = String(lic.form.license['certificateIdentifier']);
      expect(page).toContain(face.title.zh);
      expect({ sample, identifier: count(page.replace(/\s/g, ''), identifier) }).toEqual({ sample, identifier: 1 });
      // Every heading and label once; one that is part of another printed text (住所 in 经营场所, 母亲 in 母亲姓名) is counted there too.
      const labels = face.sections.flatMap((s) => [...(s.heading ? [s.heading.zh] : []), ...s.fields.map((f) => f.label.zh)]);
      const values = face.sections.flatMap((s) => s.fields.map((f) => f.value));
      for (const label of new Set(labels)) {
        const within = labels.filter((l) => l !== label && l.includes(label)).reduce((n, l) => n + count(l, label), 0);
        const expected = 1 + within + values.reduce((n, v) => n + count(v, label), 0) + count(face.title.zh, label) + [PAGE_TEXTS.footer, PAGE_TEXTS.scan].reduce((n, t) => n + count(t, label), 0);
        expect({ sample, label, n: count(page, label) }).toEqual({ sample, label, n: expected });
      }
    }
  });

  itWithTools('prints dates in Chinese where the layout says zh, ISO where it says iso', () => {
    for (const [sample, { lic }] of rendered) {
      const page = pageText.get(sample)!;
      const issued = String(lic.form.license['certificateIssuedDate']);
      const face = licenseFace(lic.form.license, lic.standard);
      const printsIssued = face.sections.some((s) => s.fields.some((f) => f.path === 'certificateIssuedDate'));
      if (lic.standard.pdfLayout.arrangement?.dates === 'zh') {
        expect({ sample, iso: /\b\d{4}-\d{2}-\d{2}\b/.test(page.replace(/licence\.elic\.json/g, '')) }).toEqual({ sample, iso: false });
        if (printsIssued) expect(page).toContain(issued.replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$1年$2月$3日'));
      } else if (printsIssued) {
        expect(page).toContain(issued);
      }
    }
  });

  itWithTools('the business licence prints its term as one value and the driving licence its state and classes by name', () => {
    const company = pageText.get('business-licence')!;
    expect(company).toMatch(/营业期限[\s\S]*自\d{4}年\d{2}月\d{2}日至(长期|\d{4}年\d{2}月\d{2}日)/);
    expect(company).not.toContain('businessTerm');
    const driving = pageText.get('driving-licence')!.replace(/\n/g, '');
    expect(driving).toContain('正常');
    expect(driving).toMatch(/C1（\d{4}-\d{2}-\d{2}起）/);
  });

  itWithTools('the QR printed on every demo PDF reads with zbarimg from a 150 dpi rendering (pdftoppm -r 150)', () => {
    for (const [sample, { qrText, pdf, demoPdf }] of rendered) {
      for (const [kind, p] of [['plain', pdf], ['demo', demoPdf]] as const) {
        const stem = join(ARTIFACTS, `${sample}${kind === 'demo' ? '-demo' : ''}-150`);
        tool('pdftoppm', ['-r', '150', '-png', '-singlefile', '{}', stem], p);
        const read = tool('zbarimg', ['-q', '--raw', `${stem}.png`], new Uint8Array()).trim();
        expect({ sample, kind, read: read === qrText }).toEqual({ sample, kind, read: true });
      }
    }
  });

  itWithTools('the DEMO mark is in the text layer when demo is set, and absent otherwise', () => {
    for (const [sample, { pdf, demoPdf }] of rendered) {
      const plain = rawText(pdf).replace(/\s/g, '');
      const marked = rawText(demoPdf).replace(/\s/g, '');
      expect({ sample, zh: marked.includes(DEMO_MARK.zh.replace(/\s/g, '')), en: marked.includes(DEMO_MARK.en.replace(/\s/g, '')) }).toEqual({ sample, zh: true, en: true });
      expect({ sample, zh: plain.includes('演示样本'), en: plain.includes('NOLEGALEFFECT') }).toEqual({ sample, zh: false, en: false });
      // As one line, spaces kept, where a reader's search looks (the rotated glyphs extract one per line).
      const lines = rawText(demoPdf).split('\n');
      expect({ sample, line: lines.some((l) => l.includes(DEMO_MARK.zh) && l.includes(DEMO_MARK.en)) }).toEqual({ sample, line: true });
    }
  });

  itWithTools('renders each page to PNG in test-artifacts/pdf (80 dpi, plain and with the DEMO mark) to look at, with the sizes measured', () => {
    const sizes: Record<string, unknown> = {};
    for (const [sample, { lic, qrVersion, pdf, demoPdf }] of rendered) {
      const modules = 17 + 4 * qrVersion + 8;
      sizes[sample] = { pdfBytes: pdf.length, demoPdfBytes: demoPdf.length, photoBytes: Object.values(lic.form.attachments ?? {}).reduce((n, a) => n + Buffer.from(a.data, 'base64').length, 0), qrVersion, qrPoints: Math.round(Math.min(190, Math.max(110, modules * QR_MODULE_POINTS))) };
    }
    writeFileSync(join(ARTIFACTS, 'sizes.json'), JSON.stringify(sizes, null, 2));
    for (const [sample, { pdf, demoPdf }] of rendered) {
      for (const [suffix, p] of [['', pdf], ['-demo', demoPdf]] as const) {
        const stem = join(ARTIFACTS, `${sample}${suffix}`);
        tool('pdftoppm', ['-r', '80', '-png', '-singlefile', '{}', stem], p);
        expect(readFileSync(`${stem}.png`).length).toBeGreaterThan(10_000);
      }
      // The mark is pale and under the face: the demo page prints the same dark ink (text, rules, QR) as the plain one.
      const dark = (file: string) => {
        const png = PNG.sync.read(readFileSync(file));
        let n = 0;
        for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 90 && png.data[i + 1]! < 90 && png.data[i + 2]! < 90) n++;
        return n;
      };
      const plainInk = dark(join(ARTIFACTS, `${sample}.png`));
      const demoInk = dark(join(ARTIFACTS, `${sample}-demo.png`));
      expect({ sample, inkKept: demoInk / plainInk > 0.9 }).toEqual({ sample, inkKept: true });
    }
  });
});
