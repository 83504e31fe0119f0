/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { repoPath } from '../../../src/repoPath';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

/**
 * A node whose region runs entirely on SM2 with SM3 (the Shanghai demo ceremony, issue 12): issued through
 * HTTP, every form verifies through POST /v1/verifications, and a department key rotated with
 * `algorithm: "SM2"` signs licences that verify too.
 */
const SAMPLE = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;

describe('a node on the national algorithms (SM2 demo region)', () => {
  let node: TestNode;
  let issuer: string;
  let identifier: string;
  let uscc: string;
  beforeAll(async () => {
    node = await startTestNode({ env: { ELICENSE_DEMO_CEREMONY: repoPath('fixtures', 'ceremony', 'demo-region-shanghai.json') } });
    issuer = node.keys.issuerOf('business-licence');
    const r = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: { type: 'business-licence', data: { ...SAMPLE.draft, certificateNumber: `SM2-${process.pid}` } } });
    if (r.status !== 201) throw new Error(`issue: ${r.status} ${r.text.slice(0, 300)}`);
    identifier = r.body.license.certificateIdentifier;
    uscc = r.body.license.certificateIssuingAuthorityCode;
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  const get = async (suffix: string) => {
    const res = await fetch(`${node.url}/v1/licenses/${encodeURIComponent(identifier)}${suffix}`, { headers: { authorization: `Bearer ${issuer}` } });
    expect(res.status).toBe(200);
    return new Uint8Array(await res.arrayBuffer());
  };

  it('the full form is signed and time-stamped with SM2 and verifies', async () => {
    const full = JSON.parse(Buffer.from(await get('')).toString('utf8'));
    const header = JSON.parse(Buffer.from(String(full.signature).split('.')[0]!, 'base64url').toString('utf8'));
    expect(header.alg).toBe('SM2');
    const stampHeader = JSON.parse(Buffer.from(String(full.timestamp).split('.')[0]!, 'base64url').toString('utf8'));
    expect(stampHeader.alg).toBe('SM2');
    const v = await http(node.url, 'POST', '/v1/verifications', { json: full });
    expect({ result: v.body.result, reasons: v.body.reasons, alg: v.body.signer?.algorithm }).toEqual({ result: 'accepted', reasons: [], alg: 'SM2' });
  });

  it('the QR text and the PDF verify', async () => {
    const qr = Buffer.from(await get('.qr.txt')).toString('utf8').trim();
    const byQr = await http(node.url, 'POST', '/v1/verifications', { json: { qr } });
    expect({ result: byQr.body.result, reasons: byQr.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
    const pdf = await get('.pdf');
    const byPdf = await http(node.url, 'POST', '/v1/verifications', { raw: pdf, headers: { 'content-type': 'application/pdf' } });
    expect({ result: byPdf.body.result, reasons: byPdf.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
  });

  it('a department key rotated with algorithm SM2 under the SM2 region CA signs licences that verify', async () => {
    const rotated = await http(node.url, 'POST', `/v1/departments/${uscc}/keys`, { key: node.keys.admin, json: { algorithm: 'SM2', validityDays: 365 } });
    expect({ status: rotated.status, alg: rotated.body.key?.algorithm }).toEqual({ status: 201, alg: 'SM2' });
    const r = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: { type: 'business-licence', data: { ...SAMPLE.draft, certificateNumber: `SM2-R-${process.pid}` } } });
    expect(r.status).toBe(201);
    const full = JSON.parse(Buffer.from(await (await fetch(`${node.url}/v1/licenses/${encodeURIComponent(r.body.license.certificateIdentifier)}`, { headers: { authorization: `Bearer ${issuer}` } })).arrayBuffer()).toString('utf8'));
    const v = await http(node.url, 'POST', '/v1/verifications', { json: full });
    expect({ result: v.body.result, reasons: v.body.reasons }).toEqual({ result: 'accepted', reasons: [] });
  });
});
