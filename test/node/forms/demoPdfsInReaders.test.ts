/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
/**
 * Readers agree (issue 14, item 4; docs/adr/0004-pdf-form.md): every PDF a node of the demo region serves — one
 * licence of every sample, as a newcomer's first start makes them (demo seal, DEMO mark, real QR) — goes through
 * readers we did not write: poppler's `pdfsig` (NSS) must say "Signature is Valid.", and with the region root
 * trusted in an NSS database "Certificate is Trusted."; `pdftoppm -r 150` then `zbarimg` must read the printed QR
 * as exactly the licence's QR text. The PDFs and their 150 dpi renderings are kept under test-artifacts/pdf/node/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { repoPath } from '../../../src/repoPath';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

const SAMPLES = loadSampleLicenses();
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const haveTools = ['pdfsig', 'pdftoppm', 'zbarimg', 'certutil'].every(have);
if (!haveTools) console.warn('pdfsig/pdftoppm (poppler-utils), zbarimg (zbar-tools) or certutil (libnss3-tools) missing: the reader checks of the demo PDFs are skipped');
const describeWithTools = haveTools ? describe : describe.skip;

const artifacts = repoPath('test-artifacts', 'pdf', 'node');
const work = mkdtempSync(join(tmpdir(), 'elicense-readers-'));
const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
};
const line = (out: string, field: string) => out.split('\n').find((l) => l.trim().startsWith(`- ${field}:`))?.trim().slice(field.length + 3).trim();

describeWithTools('every demo PDF the node serves, in pdfsig and zbarimg at 150 dpi', () => {
  let node: TestNode;
  const nssdb = join(work, 'nssdb');
  const forms = new Map<string, { pdf: string; qrText: string; department: string }>();

  beforeAll(async () => {
    node = await startTestNode();
    mkdirSync(artifacts, { recursive: true });
    mkdirSync(nssdb);
    const region = await node.services.stores.region.get(node.services.db);
    writeFileSync(join(work, 'root.der'), region!.rootCertificate);
    for (const args of [['-N', '-d', `sql:${nssdb}`, '--empty-password'], ['-A', '-d', `sql:${nssdb}`, '-n', 'demo-root', '-t', 'C,C,C', '-i', join(work, 'root.der')]]) {
      const r = run('certutil', args);
      if (r.status !== 0) throw new Error(`certutil ${args.join(' ')}: ${r.out}`);
    }
    for (const s of SAMPLES) {
      const key = node.keys.issuerOf(s.slug);
      const issued = await http(node.url, 'POST', '/v1/licenses', { key, json: { type: s.slug, data: s.draft } });
      if (issued.status !== 201) throw new Error(`issue ${s.name}: ${issued.status} ${issued.text.slice(0, 300)}`);
      const path = `/v1/licenses/${encodeURIComponent(issued.body.license.certificateIdentifier)}`;
      const get = async (suffix: string) => {
        const res = await fetch(`${node.url}${path}${suffix}`, { headers: { authorization: `Bearer ${key}` } });
        if (res.status !== 200) throw new Error(`${suffix}: ${res.status}`);
        return Buffer.from(await res.arrayBuffer());
      };
      const pdf = join(artifacts, `${s.name}.pdf`);
      writeFileSync(pdf, await get('.pdf'));
      forms.set(s.name, { pdf, qrText: (await get('.qr.txt')).toString('utf8').trim(), department: issued.body.license.certificateIssuingAuthorityName });
    }
  }, 300_000);
  afterAll(() => node?.close(), 60_000);

  it('covers every sample licence of the demo region', () => {
    expect([...forms.keys()].sort()).toEqual(SAMPLES.map((s) => s.name).sort());
  });

  it.each(SAMPLES.map((s) => s.name))('%s: pdfsig says the signature is valid and, with the region root trusted, the certificate is trusted', (name) => {
    const f = forms.get(name)!;
    const plain = run('pdfsig', ['-nocert', f.pdf]);
    expect({ name, status: plain.status, validation: line(plain.out, 'Signature Validation'), signer: line(plain.out, 'Signer Certificate Common Name') }).toEqual({
      name,
      status: 0,
      validation: 'Signature is Valid.',
      signer: f.department,
    });
    expect(plain.out).toContain('- Total document signed');
    const rooted = run('pdfsig', ['-nssdir', `sql:${nssdb}`, f.pdf]);
    expect({ name, signature: line(rooted.out, 'Signature Validation'), certificate: line(rooted.out, 'Certificate Validation') }).toEqual({
      name,
      signature: 'Signature is Valid.',
      certificate: 'Certificate is Trusted.',
    });
  });

  it.each(SAMPLES.map((s) => s.name))('%s: pdftoppm -r 150 renders the page and zbarimg reads the QR as the licence\'s QR text', (name) => {
    const f = forms.get(name)!;
    const stem = join(artifacts, `${name}-150dpi`);
    expect(run('pdftoppm', ['-r', '150', '-singlefile', '-png', f.pdf, stem]).status).toBe(0);
    const read = run('zbarimg', ['-q', '--raw', `${stem}.png`]);
    // stdout only: zbarimg may complain on stderr about a missing D-Bus, which has nothing to do with the code.
    expect({ name, status: read.status, text: read.stdout.trim() }).toEqual({ name, status: 0, text: f.qrText });
    expect(readFileSync(`${stem}.png`).length).toBeGreaterThan(10_000);
  });
});
