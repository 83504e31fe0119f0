/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../src/clock';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { readQrFromImage } from '../../../src/forms/image/readQrFromImage';
import { renderQrSvg } from '../../../src/forms/image/renderQrImage';
import type { AuditEntry } from '../../../src/store/auditEntryHash';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

/** Issue 10 item 14, docs/adr/0004 "Serving": reading is not signing. */
const BUSINESS = SAMPLE('business-licence');
const SUFFIXES = ['.pdf', '.qr.png', '.qr.svg', '.qr.txt'] as const;
const TOOLS = ['pdfsig', 'pdftoppm', 'zbarimg'].every((cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (!TOOLS) console.warn('poppler-utils/zbar-tools not installed: the independent check of the stored PDF is skipped');

function SAMPLE(slug: string) {
  const s = loadSampleLicenses().find((x) => x.slug === slug);
  if (!s) throw new Error(`no sample ${slug}`);
  return s;
}

describe('reading is not signing: a licence form is signed once, recorded first, stored, and served byte-identical', () => {
  let node: TestNode;
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  let serial = 0;
  let issuer: string;

  beforeAll(async () => {
    node = await startTestNode({ clock });
    issuer = node.keys.issuerOf('business-licence');
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  /** A fresh licence: its own certificate number, so no two are the same licence. */
  async function issue(): Promise<string> {
    const draft = { ...BUSINESS.draft, certificateNumber: `350102000202403${String(700000 + ++serial)}` };
    const r = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: { type: BUSINESS.slug, data: draft } });
    if (r.status !== 201) throw new Error(`issue: ${r.status} ${r.text.slice(0, 300)}`);
    issuerUscc = r.body.license.certificateIssuingAuthorityCode as string;
    return r.body.license.certificateIdentifier as string;
  }
  /** The department of the licences issued here (its USCC). */
  let issuerUscc = '';
  const path = (id: string, suffix: string) => `/v1/licenses/${encodeURIComponent(id)}${suffix}`;
  const get = async (id: string, suffix: string, key: string, headers: Record<string, string> = {}) => {
    const res = await fetch(node.url + path(id, suffix), { headers: { authorization: `Bearer ${key}`, ...headers } });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes, problem: /problem\+json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(bytes.toString('utf8')) : undefined };
  };
  const signings = async (id: string): Promise<AuditEntry[]> =>
    (await node.services.stores.audit.read(node.services.db, 0, 100_000)).filter((e) => e.action === 'licence.form.sign' && e.subject === id);
  const storedRows = (id: string) =>
    node.services.db.query<{ form: string; key_id: string; sha256: string; created_at: Date }>('SELECT form, key_id, sha256, created_at FROM licence_forms WHERE identifier = $1 ORDER BY form', [id]);

  it('issuance stores no form: the first render waits for the first GET', async () => {
    const id = await issue();
    expect(await storedRows(id)).toEqual([]);
    expect(await signings(id)).toEqual([]);
  });

  it('two GETs of the PDF (issuer, then auditor) are byte-identical, with a strong ETag from the SHA-256 of the bytes', async () => {
    const id = await issue();
    const first = await get(id, '.pdf', issuer);
    const second = await get(id, '.pdf', node.keys.auditor);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(Buffer.compare(first.bytes, second.bytes)).toBe(0);
    const sha256 = createHash('sha256').update(first.bytes).digest('hex');
    expect(first.headers.get('etag')).toBe(`"${sha256}"`);
    expect(second.headers.get('etag')).toBe(`"${sha256}"`);
    const revalidated = await get(id, '.pdf', issuer, { 'if-none-match': `"${sha256}"` });
    expect(revalidated.status).toBe(304);
    for (const suffix of ['.qr.png', '.qr.svg', '.qr.txt']) {
      const [a, b] = [await get(id, suffix, issuer), await get(id, suffix, node.keys.admin)];
      expect({ suffix, same: Buffer.compare(a.bytes, b.bytes) === 0, etag: a.headers.get('etag') }).toEqual({ suffix, same: true, etag: `"${createHash('sha256').update(a.bytes).digest('hex')}"` });
    }
  });

  it('the audit log has exactly one licence.form.sign entry per signed form, recorded before the stored row', async () => {
    const id = await issue();
    for (let i = 0; i < 3; i++) await get(id, '.pdf', issuer);
    const entries = await signings(id);
    // The PDF carries the QR, so its first render signs the QR text (COSE) and then the PDF (PAdES): one entry each.
    expect(entries.map((e) => e.details['form']).sort()).toEqual(['pdf', 'qr.txt']);
    const rows = await storedRows(id);
    expect(rows.map((r) => r.form)).toEqual(['pdf', 'qr.txt']);
    for (const row of rows) {
      const entry = entries.find((e) => e.details['form'] === row.form)!;
      expect(entry.details).toMatchObject({ keyId: row.key_id, uscc: expect.any(String) });
      expect(entry.actor).not.toBe('system');
      expect(entry.at.getTime()).toBeLessThanOrEqual(new Date(row.created_at).getTime());
    }
    expect(entries.find((e) => e.details['form'] === 'qr.txt')!.seq).toBeLessThan(entries.find((e) => e.details['form'] === 'pdf')!.seq);
    const verified = await http(node.url, 'GET', '/v1/audit/verify', { key: node.keys.auditor });
    expect({ status: verified.status, ok: verified.body.ok }).toEqual({ status: 200, ok: true });
  });

  it("an auditor's GETs of every form cause at most one signing per form, and the PNG, SVG and PDF carry the stored QR", async () => {
    const id = await issue();
    const served = new Map<string, Buffer>();
    for (let round = 0; round < 3; round++) {
      for (const suffix of SUFFIXES) {
        const r = await get(id, suffix, node.keys.auditor);
        expect({ suffix, status: r.status }).toEqual({ suffix, status: 200 });
        if (served.has(suffix)) expect(Buffer.compare(served.get(suffix)!, r.bytes)).toBe(0);
        served.set(suffix, r.bytes);
      }
    }
    const entries = await signings(id);
    expect(entries.map((e) => e.details['form']).sort()).toEqual(['pdf', 'qr.txt']);
    expect(entries.every((e) => e.actor === entries[0]!.actor)).toBe(true);
    const qrText = served.get('.qr.txt')!.toString('utf8').trim();
    const png = await readQrFromImage(served.get('.qr.png')!);
    expect(png.ok && png.value).toBe(qrText);
    expect(served.get('.qr.svg')!.toString('utf8')).toBe(await renderQrSvg(qrText));
    const viaPdf = await http(node.url, 'POST', '/v1/verifications', { raw: served.get('.pdf')!, headers: { 'content-type': 'application/pdf' } });
    expect({ result: viaPdf.body.result, reasons: viaPdf.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
  });

  (TOOLS ? it : it.skip)('independent readers agree on the stored PDF: pdfsig finds one valid signature over the whole file, zbarimg reads the stored QR off the page', async () => {
    const id = await issue();
    const pdf = (await get(id, '.pdf', node.keys.auditor)).bytes;
    const qrText = (await get(id, '.qr.txt', issuer)).bytes.toString('utf8').trim();
    const dir = mkdtempSync(join(tmpdir(), 'elicense-stored-pdf-'));
    try {
      const file = join(dir, 'licence.pdf');
      writeFileSync(file, pdf);
      const sig = execFileSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
      expect(sig).toContain('Signature Validation: Signature is Valid.');
      expect(sig).toContain('Total document signed');
      execFileSync('pdftoppm', ['-r', '200', '-png', '-singlefile', file, join(dir, 'page')]);
      const read = execFileSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', join(dir, 'page.png')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      expect(read).toBe(qrText);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('concurrent first GETs of the PDF sign once, store one form, and every reader gets its bytes', async () => {
    const id = await issue();
    const keys = [issuer, node.keys.auditor, node.keys.admin, issuer, node.keys.auditor, node.keys.admin];
    const results = await Promise.all(keys.map((k) => get(id, '.pdf', k)));
    expect(results.map((r) => r.status)).toEqual(keys.map(() => 200));
    for (const r of results) expect(Buffer.compare(r.bytes, results[0]!.bytes)).toBe(0);
    expect((await storedRows(id)).map((r) => r.form)).toEqual(['pdf', 'qr.txt']);
    expect((await signings(id)).map((e) => e.details['form']).sort()).toEqual(['pdf', 'qr.txt']);
  });

  it('only a caller who may read the licence triggers the first render: no key 401, another department 403, nothing signed', async () => {
    const id = await issue();
    expect((await fetch(node.url + path(id, '.pdf'))).status).toBe(401);
    expect((await get(id, '.pdf', node.keys.issuerOf('marriage-certificate'))).status).toBe(403);
    expect(await storedRows(id)).toEqual([]);
    expect(await signings(id)).toEqual([]);
  });

  describe('a suspended or revoked licence: no clean form without its status', () => {
    it('the OpenAPI document names the refusals and the strong ETag of every form route', async () => {
      const doc = (await http(node.url, 'GET', '/openapi.json')).body;
      for (const suffix of SUFFIXES) {
        const responses = doc.paths[`/v1/licenses/{identifier}${suffix}`].get.responses;
        expect({ suffix, codes: Object.keys(responses) }).toEqual({ suffix, codes: expect.arrayContaining(['200', '304', '409', '410']) });
        expect(responses['200'].headers.ETag).toBeDefined();
      }
    });

    it('suspended: 409 LICENSE_SUSPENDED problem+json for every form, stored or not; reinstated: the stored bytes again', async () => {
      const id = await issue();
      const before = await get(id, '.pdf', issuer);
      expect((await http(node.url, 'POST', path(id, '/suspend'), { key: issuer, json: { reason: 'forms test' } })).status).toBe(200);
      for (const suffix of SUFFIXES) {
        const r = await get(id, suffix, node.keys.auditor, { 'if-none-match': before.headers.get('etag')! });
        expect({ suffix, status: r.status, code: r.problem?.code, header: r.headers.get('elicense-licence-status') }).toEqual({ suffix, status: 409, code: 'LICENSE_SUSPENDED', header: 'suspended' });
        expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      expect((await http(node.url, 'POST', path(id, '/reinstate'), { key: issuer, json: { reason: 'forms test' } })).status).toBe(200);
      const after = await get(id, '.pdf', issuer);
      expect(after.status).toBe(200);
      expect(Buffer.compare(after.bytes, before.bytes)).toBe(0);
      expect((await signings(id)).map((e) => e.details['form']).sort()).toEqual(['pdf', 'qr.txt']);
    });

    it('revoked: 410 LICENSE_REVOKED problem+json for every form, also on If-None-Match; the JSON full form still answers, with its status', async () => {
      const id = await issue();
      const before = await get(id, '.qr.png', issuer);
      expect((await http(node.url, 'POST', path(id, '/revoke'), { key: issuer, json: { reason: 'forms test' } })).status).toBe(200);
      for (const suffix of SUFFIXES) {
        const r = await get(id, suffix, issuer, { 'if-none-match': before.headers.get('etag')! });
        expect({ suffix, status: r.status, code: r.problem?.code, header: r.headers.get('elicense-licence-status') }).toEqual({ suffix, status: 410, code: 'LICENSE_REVOKED', header: 'revoked' });
      }
      const json = await http(node.url, 'GET', path(id, ''), { key: issuer });
      expect({ status: json.status, header: json.headers.get('elicense-licence-status') }).toEqual({ status: 200, header: 'revoked' });
      // Nothing was signed for the refused downloads.
      expect((await signings(id)).map((e) => e.details['form'])).toEqual(['qr.txt']);
    });
  });

  it('a suspended department signs no new form (409 DEPARTMENT_NOT_ACTIVE, nothing recorded); a form stored before the suspension is still served', async () => {
    const stored = await issue();
    const unstored = await issue();
    const pdf = await get(stored, '.pdf', issuer);
    const setDepartment = async (action: 'suspend' | 'reinstate') =>
      expect((await http(node.url, 'POST', `/v1/departments/${issuerUscc}/${action}`, { key: node.keys.admin, json: { reason: 'forms test' } })).status).toBe(200);
    await setDepartment('suspend');
    try {
      const again = await get(stored, '.pdf', node.keys.auditor);
      expect(again.status).toBe(200);
      expect(Buffer.compare(again.bytes, pdf.bytes)).toBe(0);
      for (const suffix of SUFFIXES) {
        const r = await get(unstored, suffix, node.keys.auditor);
        expect({ suffix, status: r.status, code: r.problem?.code }).toEqual({ suffix, status: 409, code: 'DEPARTMENT_NOT_ACTIVE' });
      }
      expect(await storedRows(unstored)).toEqual([]);
      expect(await signings(unstored)).toEqual([]);
    } finally {
      await setDepartment('reinstate');
    }
    expect((await get(unstored, '.pdf', issuer)).status).toBe(200);
  });

  it("once the key's certificate has expired, a stored form is still served and an unstored one is 409 LICENSE_SIGNER_UNAVAILABLE", async () => {
    const stored = await issue();
    const unstored = await issue();
    const pdf = await get(stored, '.pdf', issuer);
    const keyId = (await storedRows(stored))[0]!.key_id;
    const key = await node.services.stores.signingKeys.get(node.services.db, keyId);
    offsetMs = key!.notAfter.getTime() - Date.now() + 86_400_000;
    try {
      const again = await get(stored, '.pdf', issuer);
      expect(again.status).toBe(200);
      expect(Buffer.compare(again.bytes, pdf.bytes)).toBe(0);
      // The PNG is drawn from the stored QR text: no signature needed.
      expect((await get(stored, '.qr.png', issuer)).status).toBe(200);
      for (const suffix of SUFFIXES) {
        const r = await get(unstored, suffix, issuer);
        expect({ suffix, status: r.status, code: r.problem?.code }).toEqual({ suffix, status: 409, code: 'LICENSE_SIGNER_UNAVAILABLE' });
      }
      expect(await storedRows(unstored)).toEqual([]);
    } finally {
      offsetMs = 0;
    }
  });
});
