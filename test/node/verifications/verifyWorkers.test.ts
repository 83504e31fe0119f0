/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { presentedJsonBody } from '../../../src/http/routes/verifications/readVerificationRequest';
import { PresentedVerifier } from '../../../src/http/routes/verifications/verifyPresented';
import { loadNodeConfig } from '../../../src/region/NodeConfig';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { businessLicenseRequest, issueBusinessLicenceWithQr } from '../licenses/licenseRequests';

/**
 * A node with verifier threads (ELICENSE_VERIFY_WORKERS, issue 17 item 3): POST /v1/verifications and its batch
 * answer exactly as verification in the request's thread does with the same trust data and status — a change
 * of trust data (a department suspended) and of a licence's status (revoked) included.
 */
describe('ELICENSE_VERIFY_WORKERS: verification on verifier threads', () => {
  let node: TestNode;
  let license: Record<string, any>;
  let qrText: string;
  let inThread: PresentedVerifier;

  beforeAll(async () => {
    node = await startTestNode({ env: { ELICENSE_VERIFY_WORKERS: '2' } });
    expect(node.services.verifyPool?.size).toBe(2);
    ({ license, qrText } = await issueBusinessLicenceWithQr(node));
    // The same node's data and status, verified in this thread (no pool).
    inThread = new PresentedVerifier({ ...node.services, verifyPool: null });
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  /** What may differ between two verifications of the same document a moment apart. */
  const timeless = (result: unknown) => JSON.parse(JSON.stringify(result).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>'));
  const local = async (body: unknown) => timeless(await inThread.verify(presentedJsonBody(body), await inThread.moment()));
  const pooled = async (body: unknown) => {
    const r = await http(node.url, 'POST', '/v1/verifications', { json: body });
    expect(r.status).toBe(200);
    return timeless(r.body);
  };

  const bodies = () => {
    const tampered = JSON.parse(JSON.stringify(license));
    tampered.license.certificateHolderName = '张三';
    const moved = JSON.parse(JSON.stringify(license));
    moved.license.statusEntry.index += 1;
    const golden = JSON.parse(readFileSync(join(__dirname, '../../golden/licences/business-licence.elic.json'), 'utf8'));
    return { license, tampered, moved, golden, wrapped: { fullForm: license }, qr: { qr: qrText }, qrBound: { qr: qrText, fullForm: license }, qrBad: { qr: 'LC1:NOTAQR' } };
  };

  it('the same answers as the request thread: good, tampered, another slot, another region, wrapped, QR, QR bound to its full form, bad QR', async () => {
    for (const [name, body] of Object.entries(bodies())) {
      const [a, b] = [await pooled(body), await local(body)];
      expect({ name, answer: a }).toEqual({ name, answer: b });
    }
    expect((await pooled(license)).result).toBe('accepted');
    expect((await pooled({ qr: qrText })).result).toBe('accepted');
    expect((await pooled(bodies().tampered)).reasons).toContain('SIGNATURE_INVALID');
  });

  it('QR text sent as text/plain is verified on the threads too', async () => {
    const r = await http(node.url, 'POST', '/v1/verifications', { raw: qrText, headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(200);
    expect(r.body.result).toBe('accepted');
    expect(r.body.form).toBe('qr-text');
  });

  it('a batch: each item as the single route answers it', async () => {
    const b = bodies();
    const items = [b.license, b.tampered, b.qr, 42, b.golden, b.wrapped];
    const r = await http(node.url, 'POST', '/v1/verifications/batch', { json: { items } });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: any) => x.status)).toEqual(['accepted', 'rejected', 'accepted', 'failed', 'rejected', 'accepted']);
    for (const [i, item] of items.entries()) {
      if (i === 3) continue;
      expect(timeless(r.body.results[i].verification)).toEqual(await pooled(item));
    }
  });

  it('a revoked licence: rejected on the threads with the status looked up for it', async () => {
    const key = node.keys.issuerOf('business-licence');
    const issued = await http(node.url, 'POST', '/v1/licenses', { key, json: businessLicenseRequest() });
    const id = issued.body.license.certificateIdentifier as string;
    expect((await http(node.url, 'POST', `/v1/licenses/${id}/revoke`, { key, json: { reason: 'issued in error' } })).status).toBe(200);
    const answer = await pooled(issued.body);
    expect(answer.result).toBe('rejected');
    expect(answer.reasons).toContain('LICENSE_REVOKED');
    expect(answer).toEqual(await local(issued.body));
  });

  it('a signing key withdrawn: the threads verify with the new trust version once the node re-reads it, as the request thread does', async () => {
    const before = await pooled(license);
    expect(before.result).toBe('accepted');
    const uscc = license['license'].certificateIssuingAuthorityCode as string;
    const keys = await http(node.url, 'GET', `/v1/departments/${uscc}/keys`, { key: node.keys.admin });
    const signing = keys.body.keys.find((k: any) => k.keyId === before.signer.keyId);
    expect(signing).toBeDefined();
    const w = await http(node.url, 'POST', `/v1/departments/${uscc}/keys/${signing.keyId}/withdraw`, { key: node.keys.admin, json: { reason: 'key compromise' } });
    expect(w.status).toBe(200);
    // Verification re-reads the trust version at most once a second (NodeTrust's maxAgeMs).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await pooled(license);
    expect(after).toEqual(await local(license));
    expect(after.result).toBe('rejected');
    expect(await pooled({ qr: qrText })).toEqual(await local({ qr: qrText }));
  });

  it('ELICENSE_VERIFY_WORKERS: off by default, auto, a count; a bad value is refused at start-up', () => {
    expect(loadNodeConfig({}).verifyWorkers).toBe(0);
    expect(loadNodeConfig({ ELICENSE_VERIFY_WORKERS: 'off' }).verifyWorkers).toBe(0);
    expect(loadNodeConfig({ ELICENSE_VERIFY_WORKERS: 'auto' }).verifyWorkers).toBeGreaterThanOrEqual(1);
    expect(loadNodeConfig({ ELICENSE_VERIFY_WORKERS: '3' }).verifyWorkers).toBe(3);
    for (const bad of ['-1', 'many', '1.5', '65']) expect(() => loadNodeConfig({ ELICENSE_VERIFY_WORKERS: bad })).toThrow(/ELICENSE_VERIFY_WORKERS/);
  });
});
