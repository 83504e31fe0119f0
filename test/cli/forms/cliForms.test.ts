import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { ceremonyDepartments, cli, cliJson, removeDir, sampleData, SLUGS, tempDir, sampleSlug } from '../cliHarness';

let dir: string;
let demo: string;
let demoRun: { code: number; out: string; err: string };
let trust: string;
let env: NodeJS.ProcessEnv;
const typeCodeOf = new Map<string, string>();
const departments = ceremonyDepartments();
const keyOf = (id: string) => join(demo, 'pki', 'departments', id, 'key.p12');

beforeAll(async () => {
  dir = tempDir('cli-forms');
  demo = join(dir, 'demo');
  demoRun = await cli(['demo', '--out', demo]);
  if (demoRun.code !== 0) throw new Error(`demo failed (exit ${demoRun.code}): ${demoRun.out}\n${demoRun.err}`);
  trust = join(demo, 'trust');
  env = { ELICENSE_PASSPHRASE: readFileSync(join(demo, 'pki', 'DEMO-PASSPHRASE.txt'), 'utf8').trim() };
  for (const slug of SLUGS) {
    const form = JSON.parse(readFileSync(join(demo, 'licences', `${slug}.elic.json`), 'utf8')) as { license: Record<string, string> };
    typeCodeOf.set(slug, form.license['certificateTypeCode']!);
  }
}, 120_000);
afterAll(() => removeDir(dir));

type Verified = { result: string; reasons: string[]; form: string; license: Record<string, unknown> | null };
const verify = (file: string) => cliJson<Verified>(['verify', file, '--trust', trust, '--json']);

/** Debian's tools, when installed (.ci/run installs them): tests using them say so and skip otherwise. */
const hasTool = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const tools = hasTool('pdftoppm') && hasTool('zbarimg');
const withTools = tools ? it : it.skip;
if (!tools) console.warn('pdftoppm/zbarimg not installed (apt-get install poppler-utils zbar-tools): the independent QR read-back is skipped');

describe('demo: every licence in every form', () => {
  it('writes the PDF and the QR (PNG, SVG, text) of each type and reports its QR version', async () => {
    expect(readdirSync(join(demo, 'forms')).sort()).toEqual(SLUGS.flatMap((s) => [`${s}.pdf`, `${s}.qr.png`, `${s}.qr.svg`, `${s}.qr.txt`]).sort());
    const r = demoRun;
    for (const slug of SLUGS) expect(r.out).toMatch(new RegExp(`${slug}\\s+QR version\\s+\\d+ \\(level Q, alphanumeric`));
    const forms = r.out.slice(r.out.indexOf('Forms'), r.out.indexOf('Tampered'));
    expect(forms).not.toMatch(/rejected/);
    expect(forms.match(/qr-text accepted · qr-png accepted/g)).toHaveLength(SLUGS.length);
  });
});

describe('elicense issue → every form → elicense verify', () => {
  it.each(SLUGS)('%s: issue --out writes the full form, PDF and QR; each verifies, and names its form', async (slug) => {
    const department = departments.find((d) => d.licenseTypes.includes(typeCodeOf.get(slug)!))!;
    const data = join(dir, 'data', `${slug}.json`);
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(data, JSON.stringify(sampleData(slug)));
    const out = join(dir, 'issued', `${slug}.elic.json`);
    const r = await cli(['issue', '--type', sampleSlug(slug), '--data', data, '--key', keyOf(department.id), '--tsa-key', join(demo, 'pki', 'timestamp-authority', 'key.p12'), '--trust', trust, '--out', out], env);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: expect.stringMatching(/^issued 1\.2\.156.*QR version \d+/) });
    const base = join(dir, 'issued', slug);
    const identifier = (JSON.parse(readFileSync(out, 'utf8')) as { license: { certificateIdentifier: string } }).license.certificateIdentifier;
    for (const [file, form] of [[out, 'full-form'], [`${base}.qr.txt`, 'qr-text'], [`${base}.qr.png`, 'png'], [`${base}.pdf`, 'pdf']] as const) {
      const v = await verify(file);
      expect(v.json.form).toBe(form);
      expect({ form, code: v.code, result: v.json.result, reasons: v.json.reasons }).toEqual({ form, code: 0, result: 'accepted', reasons: [] });
      expect(v.json.license?.['certificateIdentifier']).toBe(identifier);
    }
    expect(readFileSync(`${base}.qr.svg`, 'utf8')).toMatch(/^<svg /);
  });

  it('--out-dir writes every form named after the identifier', async () => {
    const d = departments.find((x) => x.licenseTypes.includes(typeCodeOf.get('business-licence')!))!;
    const data = join(dir, 'data', 'business-licence.json');
    const outDir = join(dir, 'by-id');
    const r = await cli(['issue', '--type', 'business-licence', '--data', data, '--key', keyOf(d.id), '--tsa-key', join(demo, 'pki', 'timestamp-authority', 'key.p12'), '--trust', trust, '--out-dir', outDir], env);
    expect(r.code).toBe(0);
    const id = (JSON.parse(r.out) as { license: { certificateIdentifier: string } }).license.certificateIdentifier;
    expect(readdirSync(outDir).sort()).toEqual([`${id}.elic.json`, `${id}.pdf`, `${id}.qr.png`, `${id}.qr.svg`, `${id}.qr.txt`]);
  });
});

describe('an independent reader: zbarimg scans the QR off the rendered PDF page', () => {
  withTools.each(SLUGS)('%s: pdftoppm -r 200 → zbarimg → the text read verifies', async (slug) => {
    const pdf = join(demo, 'forms', `${slug}.pdf`);
    const prefix = join(dir, 'pages', slug);
    mkdirSync(join(dir, 'pages'), { recursive: true });
    execFileSync('pdftoppm', ['-r', '200', '-png', '-singlefile', pdf, prefix]);
    const read = execFileSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', `${prefix}.png`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    expect(read).toBe(readFileSync(join(demo, 'forms', `${slug}.qr.txt`), 'utf8').trim());
    const scanned = join(dir, 'pages', `${slug}.scanned.txt`);
    writeFileSync(scanned, read);
    const v = await verify(scanned);
    expect({ code: v.code, result: v.json.result, form: v.json.form }).toEqual({ code: 0, result: 'accepted', form: 'qr-text' });
    if (slug === 'business-licence') {
      // Our own reader agrees on the whole rendered page (a 4-megapixel image: once is enough).
      const page = await verify(`${prefix}.png`);
      expect({ result: page.json.result, form: page.json.form }).toEqual({ result: 'accepted', form: 'png' });
    }
  });
});

describe('bad input to elicense verify', () => {
  it('no licence form at all: exit 2, FORMAT_UNSUPPORTED', async () => {
    const f = join(dir, 'random.bin');
    writeFileSync(f, Buffer.from([0, 1, 2, 3, 4]));
    const v = await verify(f);
    expect({ code: v.code, reasons: v.json.reasons, form: v.json.form }).toEqual({ code: 2, reasons: ['FORMAT_UNSUPPORTED'], form: 'unknown' });
  });

  it('an image without a QR: exit 2, QR_NOT_FOUND', async () => {
    const png = new PNG({ width: 120, height: 120 });
    png.data.fill(255);
    const f = join(dir, 'blank.png');
    writeFileSync(f, PNG.sync.write(png));
    const v = await verify(f);
    expect({ code: v.code, reasons: v.json.reasons }).toEqual({ code: 2, reasons: ['QR_NOT_FOUND'] });
  });

  it('a QR text with one character changed: rejected (exit 1 or 2), never accepted', async () => {
    const text = readFileSync(join(demo, 'forms', 'business-licence.qr.txt'), 'utf8').trim();
    const i = text.length - 20;
    const f = join(dir, 'tampered.qr.txt');
    writeFileSync(f, text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1));
    const v = await verify(f);
    expect(v.json.result).toBe('rejected');
    expect([1, 2]).toContain(v.code);
  });

  it('a PDF that is not a PDF (no %PDF- header): exit 2', async () => {
    const f = join(dir, 'fake.pdf');
    writeFileSync(f, 'Just some text pretending to be a PDF');
    expect((await verify(f)).code).toBe(2);
  });
});
