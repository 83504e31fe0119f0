/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { createHash } from 'node:crypto';
import { organizationCodeCheckCharacter, usccCheckCharacter } from '../../../src/codes/uscc';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { makePng, ringSeal } from '../../region/sealPngs';

const MARKET = '11350100DM00000133'; // demo: 福州市市场监督管理局
const CIVIL = '11350100DM0000021X'; // demo: 福州市民政局

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
}, 180_000);
afterAll(() => node?.close(), 60_000);

const put = (uscc: string, body: Uint8Array | string, key = node.keys.admin, type = 'image/png') => http(node.url, 'PUT', `/v1/departments/${uscc}/seal`, { key, raw: body, headers: { 'content-type': type } });
const getSeal = async (uscc: string, key = node.keys.admin) => {
  const res = await fetch(`${node.url}/v1/departments/${uscc}/seal`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, type: res.headers.get('content-type'), etag: res.headers.get('etag'), source: res.headers.get('elicense-seal-source'), bytes: Buffer.from(await res.arrayBuffer()) };
};
const del = (uscc: string, key = node.keys.admin) => http(node.url, 'DELETE', `/v1/departments/${uscc}/seal`, { key });
async function findSigning(identifier: string) {
  const head = await node.services.stores.audit.head(node.services.db);
  const entries = await node.services.stores.audit.read(node.services.db, Math.max(0, head.seq - 10), 10);
  return entries.reverse().find((e) => e.action === 'licence.form.sign' && e.subject === identifier && e.details['form'] === 'pdf');
}
async function lastAudit() {
  const head = await node.services.stores.audit.head(node.services.db);
  return (await node.services.stores.audit.read(node.services.db, head.seq - 1, 1))[0]!;
}

describe('department seals over HTTP', () => {
  it('register → read back → replace → remove, each audited; PDFs use the registered seal', async () => {
    // A department of the demo region has the demo seal until one is registered.
    const before = await getSeal(CIVIL);
    expect(before).toMatchObject({ status: 200, type: 'image/png', source: 'demo' });
    const seal = ringSeal(300);
    const r = await put(CIVIL, seal);
    expect(r.status).toBe(200);
    const sha256 = createHash('sha256').update(seal).digest('hex');
    expect(r.body).toMatchObject({ seal: { uscc: CIVIL, sha256, width: 300, height: 300, bytes: seal.length }, replaced: false });
    expect(await lastAudit()).toMatchObject({ action: 'department.seal.register', subject: CIVIL, details: { sha256, width: 300, height: 300, replaces: null } });
    const back = await getSeal(CIVIL);
    expect(back).toMatchObject({ status: 200, type: 'image/png', etag: `"${sha256}"`, source: 'registered' });
    expect(back.bytes.equals(seal)).toBe(true);
    // The department's issuer reads its own seal; the auditor too.
    expect((await getSeal(CIVIL, node.keys.issuerOf(CIVIL))).status).toBe(200);
    expect((await getSeal(CIVIL, node.keys.auditor)).status).toBe(200);

    const replacement = ringSeal(400);
    const again = await put(CIVIL, replacement);
    expect(again.body.replaced).toBe(true);
    expect((await lastAudit()).details).toMatchObject({ replaces: sha256 });

    // A licence's PDF made now prints the registered seal: its signing entry names the seal's hash.
    const issuer = node.keys.issuerOf(CIVIL);
    const sample = loadSampleLicenses().find((s) => s.name === 'marriage-certificate')!;
    const issued = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: { type: sample.slug, data: sample.draft } });
    expect(issued.status).toBe(201);
    const id = encodeURIComponent(issued.body.license.certificateIdentifier);
    const pdf = await fetch(`${node.url}/v1/licenses/${id}.pdf`, { headers: { authorization: `Bearer ${issuer}` } });
    expect(pdf.status).toBe(200);
    const pdfBytes = Buffer.from(await pdf.arrayBuffer());
    expect(pdfBytes.subarray(0, 5).toString()).toBe('%PDF-');
    const signing = (await lastAudit().then(async (e) => (e.action === 'licence.form.sign' && e.details['form'] === 'pdf' ? e : findSigning(issued.body.license.certificateIdentifier))))!;
    expect(signing.details).toMatchObject({ form: 'pdf', seal: createHash('sha256').update(replacement).digest('hex'), demo: true });

    expect((await del(CIVIL)).status).toBe(204);
    expect(await lastAudit()).toMatchObject({ action: 'department.seal.remove', subject: CIVIL });
    const after = await getSeal(CIVIL);
    expect(after).toMatchObject({ status: 200, source: 'demo' });
    expect(after.bytes.equals(before.bytes)).toBe(true);
    const gone = await del(CIVIL);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('SEAL_NOT_FOUND');
  });

  it('refuses bad images with 422 SEAL_INVALID and the problem named', async () => {
    const cases: Array<[string, Uint8Array | string, string]> = [
      ['not a PNG', Buffer.from('this is text, not an image at all, just words'), 'not-png'],
      ['malformed', ringSeal(300).subarray(0, 200), 'malformed'],
      ['too small', ringSeal(120), 'pixel-size'],
      ['not square', makePng(500, 250, () => [0, 0, 0, 0]), 'not-square'],
      ['no alpha', ringSeal(300, 2, [255, 255, 255, 255]), 'no-alpha'],
      ['opaque background', ringSeal(300, 6, [255, 255, 255, 255]), 'background-not-transparent'],
    ];
    for (const [what, body, problem] of cases) {
      const r = await put(MARKET, body);
      expect({ what, status: r.status, code: r.body.code }).toEqual({ what, status: 422, code: 'SEAL_INVALID' });
      expect(r.body.details?.problem ?? r.body.problem).toBe(problem);
    }
    expect((await getSeal(MARKET)).source).toBe('demo'); // nothing was registered
  });

  it('a demo department without a registered seal: its PDF gets the demo seal drawn from its name, and the DEMO mark', async () => {
    const issuer = node.keys.issuerOf(MARKET);
    const sample = loadSampleLicenses().find((s) => s.name === 'business-licence')!;
    const issued = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: { type: sample.slug, data: sample.draft } });
    expect(issued.status).toBe(201);
    const identifier = issued.body.license.certificateIdentifier;
    const pdf = await fetch(`${node.url}/v1/licenses/${encodeURIComponent(identifier)}.pdf`, { headers: { authorization: `Bearer ${issuer}` } });
    expect(pdf.status).toBe(200);
    expect((await findSigning(identifier))?.details).toMatchObject({ form: 'pdf', seal: 'demo-seal', demo: true });
  });

  it('oversized: 413 INPUT_TOO_LARGE; another media type: 415', async () => {
    const big = Buffer.concat([ringSeal(300), Buffer.alloc(300 * 1024)]);
    const r = await put(MARKET, big);
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('INPUT_TOO_LARGE');
    const json = await put(MARKET, JSON.stringify({ png: 'x' }), node.keys.admin, 'application/json');
    expect(json.status).toBe(415);
    expect(json.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('only the region administrator registers or removes: issuer and auditor get 403; unknown department 404', async () => {
    const seal = ringSeal(300);
    for (const key of [node.keys.issuerOf(MARKET), node.keys.auditor]) {
      const r = await put(MARKET, seal, key);
      expect(r.status).toBe(403);
      expect((await del(MARKET, key)).status).toBe(403);
    }
    // Another department's issuer may not even read it.
    expect((await getSeal(MARKET, node.keys.issuerOf(CIVIL))).status).toBe(403);
    const org = 'DM999991';
    const first17 = `11350100${org}${organizationCodeCheckCharacter(org)}`;
    const unknown = first17 + usccCheckCharacter(first17);
    const r = await put(unknown, seal);
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('DEPARTMENT_NOT_FOUND');
    expect((await getSeal(unknown)).status).toBe(404);
  });
});
