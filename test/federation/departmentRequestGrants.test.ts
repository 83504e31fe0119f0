/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Issue 15, item 5, with two real nodes, each the other's peer: a holder of region A (Fujian, 350000) grants
 * a department of region B (Guangdong, 440000) the use of a licence; B's node exchanges the code at A's node
 * as that department (a request signed with the department's licence-signing key, docs/adr/0006) and
 * verifies what comes back itself; the holder's consent travels, A's log shows the peer department's use.
 * A presentation QR of A scanned at a window of B: B checks the pointer under A's pinned root, resolves it
 * once at A's node and verifies the full form itself.
 */
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { signPresentationPointer, type PresentationPointer } from '../../src/holder/presentationPointer';
import { forwardGrantIfForeign, forwardPresentationIfForeign, grantCodeRegion, presentationRegion, redeemGrantAtPeer, redeemPresentationAtPeer } from '../../src/http/routes/federation/peerHolderForwarding';
import { REQUEST_SIGNATURE_HEADER, signDepartmentRequest } from '../../src/trust/peer/departmentRequest';
import { http } from '../node/helpers/http';
import type { TestNode } from '../node/helpers/startTestNode';
import { A_REGION, B_REGION, startMutualRegions, type MutualRegions } from './mutualRegions';
import { currentTypeCode } from '../typeCodes';

const B_MARKET = '11440100DM0440019H';
const B_CIVIL = '11440100DM0440027C';
const DRIVING = currentTypeCode('driving-licence');
const sample = loadSampleLicenses().find((s) => s.slug === 'driving-licence')!;
const DRIVER = sample.draft.holder.code;

let regions: MutualRegions;
let a: TestNode;
let b: TestNode;
let identifier: string;
let token: string;

const as = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });

const sync = (node: TestNode) => regions.sync(node);

async function grant(department: { uscc: string; region?: string }, extra: Record<string, unknown> = {}): Promise<{ code: string; grantId: string }> {
  const r = await http(a.url, 'POST', '/v1/holder/grants', {
    ...as(token),
    json: { licenseIdentifier: identifier, department, serviceItem: { name: '机动车驾驶证业务' }, caseNumber: 'GD-2026-0001', ...extra },
  });
  expect(r.status).toBe(201);
  return { code: r.body.code, grantId: r.body.grant.grantId };
}

beforeAll(async () => {
  regions = await startMutualRegions({ recognition: [{ peerTypeCode: DRIVING, localTypeCode: DRIVING }] });
  ({ a, b } = regions);

  const issued = await http(a.url, 'POST', '/v1/licenses', {
    key: a.keys.issuerOf('driving-licence'),
    json: { type: 'driving-licence', data: { ...JSON.parse(JSON.stringify(sample.draft)), certificateNumber: `${sample.draft.certificateNumber}-X1` } },
  });
  expect(issued.status).toBe(201);
  identifier = issued.body.license.certificateIdentifier;
  // B holds A's trust list and the status list of the licence: B verifies offline.
  await sync(b);
  const signIn = await http(a.url, 'POST', '/v1/holder/demo-sign-in', { json: { holderCode: DRIVER } });
  expect(signIn.status).toBe(200);
  token = signIn.body.token;
}, 300_000);

afterAll(() => regions?.close(), 60_000);

describe("a holder of region A grants a department of region B; B's node exchanges the code at A's node", () => {
  it('B gets the licence and verifies it itself (accepted, A’s licence recognised by B’s agreement); A logs the peer department’s exchange', async () => {
    const { code, grantId } = await grant({ uscc: B_MARKET, region: B_REGION }, { maxUses: 3 });
    expect(grantCodeRegion(code)).toBe(A_REGION);
    const used = await redeemGrantAtPeer(b.services, { code, uscc: B_MARKET, actor: 'ak_test' });
    expect(used).toMatchObject({ region: A_REGION, grantId, licenseIdentifiers: [identifier], readsLeft: 2, caseNumber: 'GD-2026-0001' });
    expect(used.verifications).toHaveLength(1);
    expect(used.verifications[0]).toMatchObject({ result: 'accepted', reasons: [] });
    expect(used.verifications[0]!.license?.['certificateIdentifier']).toBe(identifier);
    // The holder sees who used it: a department of region B, its name from B's trust list.
    const usage = await http(a.url, 'GET', '/v1/holder/usage', as(token));
    expect(usage.body.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'exchange', grantId, licenseIdentifier: identifier, caseNumber: 'GD-2026-0001', actor: { kind: 'peer_department', region: B_REGION, uscc: B_MARKET, name: '广州市市场监督管理局' } }),
      ]),
    );
    // B's audit names the exchange.
    const audit = await b.services.db.query<{ action: string }>("SELECT action FROM audit_log WHERE action = 'grant.redeem.peer'");
    expect(audit.length).toBe(1);
    // A later read, through the same mechanism.
    const read = await b.services.peerClient.send({ uscc: B_MARKET, peerRegion: A_REGION, method: 'GET', path: `/v1/federation/grants/${grantId}/licenses/${encodeURIComponent(identifier)}` });
    expect(read.status).toBe(200);
    expect((read.body as { license: { certificateIdentifier: string } }).license.certificateIdentifier).toBe(identifier);
  });

  it("refusals of the grant come back with A's codes: redeemed twice, another department of B, a department of A", async () => {
    const { code } = await grant({ uscc: B_MARKET, region: B_REGION });
    await expect(redeemGrantAtPeer(b.services, { code, uscc: B_CIVIL, actor: 'ak_test' })).rejects.toMatchObject({ code: 'GRANT_WRONG_DEPARTMENT' });
    // A's own department with its API key: the grant names a department of B.
    const local = await http(a.url, 'POST', '/v1/grants/redeem', { key: a.keys.issuerOf('driving-licence'), json: { code } });
    expect([local.status, local.body.code]).toEqual([403, 'GRANT_WRONG_DEPARTMENT']);
    await redeemGrantAtPeer(b.services, { code, uscc: B_MARKET, actor: 'ak_test' });
    await expect(redeemGrantAtPeer(b.services, { code, uscc: B_MARKET, actor: 'ak_test' })).rejects.toMatchObject({ code: 'GRANT_ALREADY_REDEEMED' });
    await expect(redeemGrantAtPeer(b.services, { code: `${A_REGION}-0000-0000-0000-0000`, uscc: B_MARKET, actor: 'ak_test' })).rejects.toMatchObject({ code: 'GRANT_UNKNOWN' });
    // What B's POST /v1/grants/redeem calls: its own region's codes (and non-codes) stay local.
    await expect(forwardGrantIfForeign(b.services, `${B_REGION}-0000-0000-0000-0000`, { uscc: B_MARKET, keyId: 'ak_test' })).resolves.toBeNull();
    await expect(forwardGrantIfForeign(b.services, 'not a code', { uscc: B_MARKET, keyId: 'ak_test' })).resolves.toBeNull();
    const fresh = await grant({ uscc: B_MARKET, region: B_REGION });
    await expect(forwardGrantIfForeign(b.services, fresh.code, { uscc: B_MARKET, keyId: 'ak_test' })).resolves.toMatchObject({ region: A_REGION, grantId: fresh.grantId });
  });

  it('a code whose signed body was swapped on the way → REQUEST_SIGNATURE_INVALID, and the grant stays unredeemed', async () => {
    const { code, grantId } = await grant({ uscc: B_MARKET, region: B_REGION });
    const s = b.services;
    const signer = await s.signers.departmentSigner(s.db, B_MARKET, s.clock.now(), (await s.trust.current()).version);
    const signature = await signDepartmentRequest(signer, {
      method: 'POST',
      path: '/v1/federation/grants/redeem',
      body: { code: `${A_REGION}-1111-1111-1111-1111` },
      region: B_REGION,
      uscc: B_MARKET,
      audience: A_REGION,
      at: new Date(),
      nonce: s.random(16),
    });
    const r = await http(a.url, 'POST', '/v1/federation/grants/redeem', { headers: { [REQUEST_SIGNATURE_HEADER]: signature }, json: { code } });
    expect([r.status, r.body.code, r.body.detail]).toEqual([401, 'REQUEST_SIGNATURE_INVALID', 'the request body is not the one signed']);
    const grants = await http(a.url, 'GET', '/v1/holder/grants', as(token));
    expect((grants.body.grants as Array<{ grantId: string; state: string }>).find((g) => g.grantId === grantId)?.state).toBe('open');
  });
});

describe("a presentation QR of region A at a window of region B", () => {
  async function present(): Promise<string> {
    const r = await http(a.url, 'POST', `/v1/holder/licenses/${encodeURIComponent(identifier)}/presentations`, { ...as(token), json: {} });
    expect(r.status).toBe(201);
    return r.body.presentation as string;
  }

  it('B checks the pointer under A’s pinned root, resolves it once at A and verifies the licence itself', async () => {
    const presentation = await present();
    expect(presentationRegion(presentation)).toBe(A_REGION);
    const shown = await redeemPresentationAtPeer(b.services, presentation);
    expect(shown).toMatchObject({ region: A_REGION, identifier, status: 'valid' });
    expect(shown.verification).toMatchObject({ result: 'accepted', reasons: [] });
    await expect(redeemPresentationAtPeer(b.services, presentation)).rejects.toMatchObject({ code: 'PRESENTATION_USED' });
    // What B's POST /v1/presentations/redeem calls: a QR of A goes to A, one of B stays local.
    await expect(forwardPresentationIfForeign(b.services, await present())).resolves.toMatchObject({ region: A_REGION, identifier });
    await expect(forwardPresentationIfForeign(b.services, 'LC1:not-a-presentation')).resolves.toBeNull();
  });

  it('a pointer not signed under A’s root (signed by B’s region) → PRESENTATION_INVALID before anything is sent; a region B does not know → PEER_NOT_RECOGNISED', async () => {
    const presentation = await present();
    const [, payload] = presentation.slice(4).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as PresentationPointer;
    // B's own trust-list signer makes a pointer claiming region A.
    const s = b.services;
    const forged = await signPresentationPointer(await s.signers.trustListSigner(s.db, s.clock.now(), (await s.trust.current()).version), claims);
    await expect(redeemPresentationAtPeer(b.services, forged)).rejects.toMatchObject({ code: 'PRESENTATION_INVALID' });
    const unknown = await signPresentationPointer(await s.signers.trustListSigner(s.db, s.clock.now(), (await s.trust.current()).version), { ...(claims), region: '310000' });
    await expect(redeemPresentationAtPeer(b.services, unknown)).rejects.toMatchObject({ code: 'PEER_NOT_RECOGNISED' });
    // The genuine pointer is still unused at A.
    await expect(redeemPresentationAtPeer(b.services, presentation)).resolves.toMatchObject({ identifier });
  });
});

describe("the same, over B's own routes (the department's API key at its own node; a window of B)", () => {
  it("B's department exchanges A's code at POST /v1/grants/redeem of B's node: A's licence comes back with B's own verification", async () => {
    const { code, grantId } = await grant({ uscc: B_MARKET, region: B_REGION });
    const r = await http(b.url, 'POST', '/v1/grants/redeem', { key: b.keys.issuerOf(B_MARKET), json: { code } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ region: A_REGION, grantId, licenseIdentifiers: [identifier] });
    expect(r.body.verifications[0]).toMatchObject({ result: 'accepted' });
    // Another department of B with the same code: A refuses, B passes the refusal on (502 PEER_REFUSED carrying A's code, or A's code itself).
    const again = await http(b.url, 'POST', '/v1/grants/redeem', { key: b.keys.issuerOf(B_CIVIL), json: { code } });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(again.body)).toMatch(/GRANT_(WRONG_DEPARTMENT|ALREADY_REDEEMED)/);
  });

  it("a window of B resolves A's presentation QR at POST /v1/presentations/redeem of B's node, once", async () => {
    const p = await http(a.url, 'POST', `/v1/holder/licenses/${encodeURIComponent(identifier)}/presentations`, { ...as(token), json: {} });
    expect(p.status).toBe(201);
    const r = await http(b.url, 'POST', '/v1/presentations/redeem', { json: { presentation: p.body.presentation } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ region: A_REGION, identifier, verification: { result: 'accepted' } });
    const again = await http(b.url, 'POST', '/v1/presentations/redeem', { json: { presentation: p.body.presentation } });
    expect(JSON.stringify(again.body)).toContain('PRESENTATION_USED');
  });
});
