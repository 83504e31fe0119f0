/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Issue 16 with two real nodes, each the other's peer: a consuming department of region B (Guangdong, 440000)
 * uses licences of region A (Fujian, 350000) through A's /v1/federation/consumer/… routes, authenticated by the
 * request B's node signs for it (docs/adr/0006, "Departments of peer regions"; no secret set by hand): query,
 * verify and download (an annotated copy) with a cause, under the permission A's admin granted that department
 * of that region; A's holder sees the uses by the peer department. A department of B without a cause, without
 * the type's permission, of a region A does not know, or with replayed or expired credentials is refused with
 * its code. The same walk by a consuming department of A (its consumer key) is in test/node/consumer.
 */
import { readFileSync } from 'node:fs';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { runCeremony } from '../../src/pki/ca/ceremony';
import { repoPath } from '../../src/repoPath';
import { REQUEST_SIGNATURE_HEADER, signDepartmentRequest, type DepartmentRequestToSign } from '../../src/trust/peer/departmentRequest';
import { http } from '../node/helpers/http';
import type { TestNode } from '../node/helpers/startTestNode';
import { A_REGION, B_REGION, startMutualRegions, type MutualRegions } from './mutualRegions';
import { currentTypeCode } from '../typeCodes';

const B_MARKET = '11440100DM0440019H';
const B_CIVIL = '11440100DM0440027C';
const A_CONSUMER = '11350100DM0000021X';
const BUSINESS = currentTypeCode('business-licence');
const DRIVING = currentTypeCode('driving-licence');
const samples = loadSampleLicenses();
const sample = (slug: string) => samples.find((s) => s.slug === slug)!;
const COMPANY = sample('business-licence').draft.holder.code;
const DRIVER = sample('driving-licence').draft.holder.code;
const CAUSE = '跨省办理企业变更登记';
const ITEM = { name: '企业变更登记', code: 'GD-QY-02' };
const terms = { cause: CAUSE, serviceItem: ITEM };

let regions: MutualRegions;
let a: TestNode;
let b: TestNode;
let business: string;
let driving: string;

const sync = (node: TestNode) => regions.sync(node);

let issued = 0;
async function issue(slug: string): Promise<string> {
  const s = sample(slug);
  const r = await http(a.url, 'POST', '/v1/licenses', {
    key: a.keys.issuerOf(slug),
    json: { type: slug, data: { ...JSON.parse(JSON.stringify(s.draft)), certificateNumber: `${s.draft.certificateNumber}-P${++issued}` } },
  });
  if (r.status !== 201) throw new Error(`issue ${slug}: ${r.status} ${r.text.slice(0, 300)}`);
  return (r.body as { license: { certificateIdentifier: string } }).license.certificateIdentifier;
}

/** B's node calls A as one of B's departments (PeerDepartmentClient: signed with the department's key). */
const asB = (method: 'GET' | 'POST', path: string, body?: unknown, uscc = B_MARKET) => b.services.peerClient.send({ uscc, peerRegion: A_REGION, method, path, ...(body !== undefined ? { body } : {}) });
const code = (r: { body: unknown }) => (r.body as { code?: string }).code;

async function signIn(holderCode: string): Promise<string> {
  const r = await http(a.url, 'POST', '/v1/holder/demo-sign-in', { json: { holderCode } });
  expect(r.status).toBe(200);
  return r.body.token as string;
}

beforeAll(async () => {
  regions = await startMutualRegions({ recognition: [{ peerTypeCode: BUSINESS, localTypeCode: BUSINESS }] });
  ({ a, b } = regions);
  business = await issue('business-licence');
  driving = await issue('driving-licence');
  await sync(b);
  // A's admin: B's market regulator may use business and driving licences; a department of A, business licences.
  for (const [region, uscc, type] of [
    [B_REGION, B_MARKET, BUSINESS],
    [B_REGION, B_MARKET, DRIVING],
    [A_REGION, A_CONSUMER, BUSINESS],
  ] as const) {
    const r = await http(a.url, 'PUT', `/v1/consumers/${region}/${uscc}/types/${type}`, { key: a.keys.admin });
    expect(r.status).toBe(200);
  }
}, 300_000);

afterAll(() => regions?.close(), 60_000);

describe('a consuming department of this region and one of a peer region: query, verify, download with a cause; the holder sees both', () => {
  it('walks both through the three operations, and the holder sees the uses of each', async () => {
    // This region's consuming department, by its consumer key.
    const key = await http(a.url, 'POST', '/v1/api-keys', { key: a.keys.admin, json: { role: 'consumer', uscc: A_CONSUMER, label: '本省用证部门' } });
    expect(key.status).toBe(201);
    const local = key.body.secret as string;
    const full = await http(a.url, 'GET', `/v1/licenses/${encodeURIComponent(business)}`, { key: a.keys.admin });
    const localQuery = await http(a.url, 'POST', '/v1/consumer/licenses/query', { key: local, json: { ...terms, identifier: business } });
    expect(localQuery.status).toBe(200);
    const localVerify = await http(a.url, 'POST', '/v1/consumer/verifications', { key: local, json: { ...terms, license: full.body } });
    expect(localVerify.body.result).toBe('accepted');
    const localCopy = await http(a.url, 'POST', `/v1/consumer/licenses/${encodeURIComponent(business)}/copies`, { key: local, json: terms });
    expect(localCopy.status).toBe(201);

    // The peer region's department, by the request its node signs.
    const q = await asB('POST', '/v1/federation/consumer/licenses/query', { ...terms, holder: { code: COMPANY }, typeCode: BUSINESS });
    expect(q.status).toBe(200);
    expect((q.body as { licenses: Array<{ identifier: string }> }).licenses.map((l) => l.identifier)).toContain(business);
    const v = await asB('POST', '/v1/federation/consumer/verifications', { ...terms, license: full.body });
    expect([v.status, (v.body as { result: string }).result]).toEqual([200, 'accepted']);
    const c = await asB('POST', `/v1/federation/consumer/licenses/${encodeURIComponent(business)}/copies`, terms);
    expect(c.status).toBe(201);
    const copy = c.body as { annotatedCopy: { purpose: string; userDepartment: { code: string; name: string } } };
    expect(copy.annotatedCopy).toMatchObject({ purpose: CAUSE, userDepartment: { code: B_MARKET, name: '广州市市场监督管理局' } });
    // The copy verifies at A as any copy does, with its purpose and user department.
    const checked = await http(a.url, 'POST', '/v1/verifications', { json: c.body });
    expect(checked.body).toMatchObject({ result: 'accepted', annotatedCopy: { purpose: CAUSE, userDepartment: { code: B_MARKET } } });

    // The holder sees both departments' uses, each with its region.
    const usage = await http(a.url, 'GET', '/v1/holder/usage', { headers: { authorization: `Bearer ${await signIn(COMPANY)}` } });
    expect(usage.status).toBe(200);
    for (const [kind, region, uscc] of [
      ['consumer_query', A_REGION, A_CONSUMER],
      ['consumer_verification', A_REGION, A_CONSUMER],
      ['consumer_copy', A_REGION, A_CONSUMER],
      ['consumer_query', B_REGION, B_MARKET],
      ['consumer_verification', B_REGION, B_MARKET],
      ['consumer_copy', B_REGION, B_MARKET],
    ] as const) {
      expect(usage.body.events).toEqual(expect.arrayContaining([expect.objectContaining({ kind, licenseIdentifier: business, purpose: CAUSE, actor: expect.objectContaining({ region, uscc }) })]));
    }
    expect(usage.body.events.find((e: { actor: { uscc: string } }) => e.actor.uscc === B_MARKET).actor).toEqual({ kind: 'peer_department', region: B_REGION, uscc: B_MARKET, name: '广州市市场监督管理局' });

    // Each sees only its own uses.
    const peerOwn = await asB('GET', '/v1/federation/consumer/usage');
    expect(peerOwn.status).toBe(200);
    expect((peerOwn.body as { events: unknown[] }).events).toHaveLength(3);
    const localOwn = await http(a.url, 'GET', '/v1/consumer/usage', { key: local });
    expect(localOwn.body.events).toHaveLength(3);
    // The dashboard's statistics count both.
    const stats = await http(a.url, 'GET', '/v1/statistics/uses', { key: a.keys.admin });
    expect(stats.body.byConsumer).toEqual(
      expect.arrayContaining([expect.objectContaining({ region: B_REGION, uscc: B_MARKET, count: 3 }), expect.objectContaining({ region: A_REGION, uscc: A_CONSUMER, count: 3 })]),
    );
    // The face-field dictionary, for the peer too.
    const fields = await asB('GET', `/v1/federation/consumer/types/${BUSINESS}/fields`);
    expect(fields.status).toBe(200);
  });
});

describe("the peer region's department through its own node: its consumer key at B, B signs for it and verifies what comes back", () => {
  let keyB: string;
  beforeAll(async () => {
    const r = await http(b.url, 'POST', '/v1/api-keys', { key: b.keys.admin, json: { role: 'consumer', uscc: B_MARKET, label: '广州市场监管用证' } });
    expect(r.status).toBe(201);
    keyB = r.body.secret;
  });

  it('query, verify and download at B reach A as the department; B verifies the licence and the copy itself; A logs the uses', async () => {
    const before = await a.services.db.query<{ n: unknown }>("SELECT count(*) AS n FROM usage_events WHERE actor_uscc = $1 AND actor_region = $2", [B_MARKET, B_REGION]);
    const q = await http(b.url, 'POST', `/v1/consumer/peers/${A_REGION}/licenses/query`, { key: keyB, json: { ...terms, identifier: business } });
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ region: A_REGION, withheld: 0 });
    expect(q.body.licenses[0].identifier).toBe(business);
    const full = await http(a.url, 'GET', `/v1/licenses/${encodeURIComponent(business)}`, { key: a.keys.admin });
    const v = await http(b.url, 'POST', `/v1/consumer/peers/${A_REGION}/verifications`, { key: keyB, json: { ...terms, license: full.body } });
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ region: A_REGION, verification: { result: 'accepted' }, peerVerification: { result: 'accepted', reasons: [] } });
    const c = await http(b.url, 'POST', `/v1/consumer/peers/${A_REGION}/licenses/${encodeURIComponent(business)}/copies`, { key: keyB, json: terms });
    expect(c.status).toBe(201);
    expect(c.body.copy.annotatedCopy).toMatchObject({ purpose: CAUSE, userDepartment: { code: B_MARKET } });
    expect(c.body.verification).toMatchObject({ result: 'accepted', annotatedCopy: { purpose: CAUSE } });
    const after = await a.services.db.query<{ n: unknown }>("SELECT count(*) AS n FROM usage_events WHERE actor_uscc = $1 AND actor_region = $2", [B_MARKET, B_REGION]);
    expect(Number(after[0]!.n) - Number(before[0]!.n)).toBe(3);
    const audit = await b.services.db.query<{ n: unknown }>("SELECT count(*) AS n FROM audit_log WHERE action = 'consumer.peer'");
    expect(Number(audit[0]!.n)).toBe(3);
  });

  it("B refuses a call without a cause before sending anything; a region that is no peer is PEER_NOT_RECOGNISED; A's refusals come back with A's codes", async () => {
    const none = await http(b.url, 'POST', `/v1/consumer/peers/${A_REGION}/licenses/query`, { key: keyB, json: { serviceItem: ITEM, identifier: business } });
    expect([none.status, none.body.code]).toEqual([422, 'CAUSE_REQUIRED']);
    const unknownRegion = await http(b.url, 'POST', '/v1/consumer/peers/310000/licenses/query', { key: keyB, json: { ...terms, identifier: business } });
    expect([unknownRegion.status, unknownRegion.body.code]).toEqual([403, 'PEER_NOT_RECOGNISED']);
    const civil = await http(b.url, 'POST', '/v1/api-keys', { key: b.keys.admin, json: { role: 'consumer', uscc: B_CIVIL, label: '广州民政用证' } });
    const notGranted = await http(b.url, 'POST', `/v1/consumer/peers/${A_REGION}/licenses/query`, { key: civil.body.secret, json: { ...terms, identifier: business } });
    expect([notGranted.status, notGranted.body.code]).toEqual([403, 'CONSUMER_TYPE_NOT_GRANTED']);
  });
});

describe("a peer region's consuming department: bad input and bad credentials, each with its code", () => {
  it('without a cause → 422 CAUSE_REQUIRED; a cause over 200 characters → CAUSE_INVALID; nothing logged', async () => {
    const before = await a.services.db.query<{ n: unknown }>('SELECT count(*) AS n FROM usage_events');
    const none = await asB('POST', '/v1/federation/consumer/licenses/query', { serviceItem: ITEM, identifier: business });
    expect([none.status, code(none)]).toEqual([422, 'CAUSE_REQUIRED']);
    const long = await asB('POST', `/v1/federation/consumer/licenses/${encodeURIComponent(business)}/copies`, { cause: '因'.repeat(201), serviceItem: ITEM });
    expect([long.status, code(long)]).toEqual([422, 'CAUSE_INVALID']);
    const after = await a.services.db.query<{ n: unknown }>('SELECT count(*) AS n FROM usage_events');
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
  });

  it("another department of B has no permission: 403 CONSUMER_TYPE_NOT_GRANTED; the permission names the department's region, not only its USCC", async () => {
    const other = await asB('POST', '/v1/federation/consumer/licenses/query', { ...terms, identifier: business }, B_CIVIL);
    expect([other.status, code(other)]).toEqual([403, 'CONSUMER_TYPE_NOT_GRANTED']);
  });

  it("a type that needs the holder's consent: 403 HOLDER_CONSENT_REQUIRED, then allowed by the holder's grant to that department of that region", async () => {
    const refused = await asB('POST', '/v1/federation/consumer/licenses/query', { ...terms, identifier: driving });
    expect([refused.status, code(refused)]).toEqual([403, 'HOLDER_CONSENT_REQUIRED']);
    const g = await http(a.url, 'POST', '/v1/holder/grants', {
      headers: { authorization: `Bearer ${await signIn(DRIVER)}` },
      json: { licenseIdentifier: driving, department: { uscc: B_MARKET, region: B_REGION }, serviceItem: { name: '驾驶证核验' }, caseNumber: 'GD-2026-0099' },
    });
    expect(g.status).toBe(201);
    const ok = await asB('POST', '/v1/federation/consumer/licenses/query', { ...terms, identifier: driving });
    expect(ok.status).toBe(200);
    expect((ok.body as { licenses: Array<{ grantId: string }> }).licenses[0]!.grantId).toBe(g.body.grant.grantId);
  });

  it('an unknown identifier → 404 LICENSE_NOT_FOUND; a holder code with a bad check character → 422 CODE_INVALID', async () => {
    const unknown = business.replace(/\.(\d{3})\.([0-9A-Z])$/, '.998.$2');
    const r = await asB('POST', '/v1/federation/consumer/licenses/query', { ...terms, identifier: unknown });
    expect([r.status, code(r)]).toEqual([404, 'LICENSE_NOT_FOUND']);
    const bad = await asB('POST', '/v1/federation/consumer/licenses/query', { ...terms, holder: { code: COMPANY.slice(0, 17) + (COMPANY[17] === '1' ? '2' : '1') } });
    expect([bad.status, code(bad)]).toEqual([422, 'CODE_INVALID']);
  });

  /** A request signed for B's market regulator by hand, to send it twice or with an old time. */
  async function signedByB(overrides: Partial<DepartmentRequestToSign> = {}, body: unknown = { ...terms, identifier: business }) {
    const s = b.services;
    const signer = await s.signers.departmentSigner(s.db, B_MARKET, s.clock.now(), (await s.trust.current()).version);
    const path = '/v1/federation/consumer/licenses/query';
    const signature = await signDepartmentRequest(signer, { method: 'POST', path, body, region: B_REGION, uscc: B_MARKET, audience: A_REGION, at: new Date(), nonce: s.random(16), ...overrides });
    return () => http(a.url, 'POST', path, { headers: { [REQUEST_SIGNATURE_HEADER]: signature }, json: body });
  }

  it('the same signed request twice → 401 REQUEST_REPLAYED (the second use is not logged)', async () => {
    const send = await signedByB();
    expect((await send()).status).toBe(200);
    const before = await a.services.db.query<{ n: unknown }>('SELECT count(*) AS n FROM usage_events');
    const again = await send();
    expect([again.status, code(again)]).toEqual([401, 'REQUEST_REPLAYED']);
    const after = await a.services.db.query<{ n: unknown }>('SELECT count(*) AS n FROM usage_events');
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
  });

  it('an expired signed request → 401 REQUEST_EXPIRED; no signature → 401 REQUEST_SIGNATURE_MISSING; a consumer key of A at the peer route → 403', async () => {
    const old = await (await signedByB({ at: new Date(Date.now() - 400_000) }))();
    expect([old.status, code(old)]).toEqual([401, 'REQUEST_EXPIRED']);
    const unsigned = await http(a.url, 'POST', '/v1/federation/consumer/licenses/query', { json: { ...terms, identifier: business } });
    expect([unsigned.status, code(unsigned)]).toEqual([401, 'REQUEST_SIGNATURE_MISSING']);
    const key = await http(a.url, 'POST', '/v1/api-keys', { key: a.keys.admin, json: { role: 'consumer', uscc: A_CONSUMER, label: 'wrong door' } });
    const withKey = await http(a.url, 'POST', '/v1/federation/consumer/licenses/query', { key: key.body.secret, json: { ...terms, identifier: business } });
    expect([withKey.status, code(withKey)]).toEqual([403, 'FORBIDDEN']);
  });

  it('a department of a region A does not federate with → 403 PEER_NOT_RECOGNISED; A\'s admin cannot grant such a region either', async () => {
    const shanghai = await runCeremony(JSON.parse(readFileSync(repoPath('fixtures', 'ceremony', 'demo-region-shanghai.json'), 'utf8')), { now: new Date(Date.now() - 86_400_000) });
    const d = shanghai.departments[0]!;
    const body = { ...terms, identifier: business };
    const path = '/v1/federation/consumer/licenses/query';
    const signature = await signDepartmentRequest(new SoftwareSigner(d.privateKey, d.chain), { method: 'POST', path, body, region: '310000', uscc: d.uscc, audience: A_REGION, at: new Date(), nonce: b.services.random(16) });
    const r = await http(a.url, 'POST', path, { headers: { [REQUEST_SIGNATURE_HEADER]: signature }, json: body });
    expect([r.status, code(r)]).toEqual([403, 'PEER_NOT_RECOGNISED']);
    const grant = await http(a.url, 'PUT', `/v1/consumers/310000/${d.uscc}/types/${BUSINESS}`, { key: a.keys.admin });
    expect([grant.status, code(grant)]).toEqual([403, 'PEER_NOT_RECOGNISED']);
  });

  it('A revokes the peer department’s permission: its next call is 403 CONSUMER_TYPE_NOT_GRANTED', async () => {
    expect((await http(a.url, 'DELETE', `/v1/consumers/${B_REGION}/${B_MARKET}/types/${BUSINESS}`, { key: a.keys.admin })).status).toBe(200);
    const r = await asB('POST', `/v1/federation/consumer/licenses/${encodeURIComponent(business)}/copies`, terms);
    expect([r.status, code(r)]).toEqual([403, 'CONSUMER_TYPE_NOT_GRANTED']);
  });
});
