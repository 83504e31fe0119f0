/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Consuming departments of this region (用证部门, issue 16, docs/adr/0012 "Consumer departments") through a
 * real node: the region admin grants a department a type; its consumer key queries (identifier, holder code,
 * QR), verifies and downloads (always an annotated copy) with a stated cause and service item; the holder
 * sees every use; the holder's consent where the type needs it; statistics; and every bad input with its code.
 */
import type { Clock } from '../../../src/clock';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { http, type HttpResult } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { currentTypeCode } from '../../typeCodes';

let shiftMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + shiftMs) };
let node: TestNode;

const REGION = '350000';
const A = '11350100DM00000133'; // issues business licences
const B = '11350100DM0000021X'; // issues marriage certificates; here the consuming department
const BUSINESS = currentTypeCode('business-licence');
const DRIVING = currentTypeCode('driving-licence');
const samples = loadSampleLicenses();
const sample = (slug: string) => samples.find((s) => s.slug === slug)!;
const COMPANY = sample('business-licence').draft.holder.code;
const DRIVER = sample('driving-licence').draft.holder.code;

const CAUSE = '办理企业开户，核验营业执照';
const ITEM = { name: '企业开户', code: 'QY-001' };
const terms = { cause: CAUSE, serviceItem: ITEM };

let consumer: string;
let business: string;
let driving: string;

let issued = 0;
async function issue(slug: string): Promise<string> {
  const s = sample(slug);
  const r = await http(node.url, 'POST', '/v1/licenses', {
    key: node.keys.issuerOf(slug),
    json: { type: slug, data: { ...JSON.parse(JSON.stringify(s.draft)), certificateNumber: `${s.draft.certificateNumber}-C${++issued}` } },
  });
  if (r.status !== 201) throw new Error(`issue ${slug}: ${r.status} ${r.text.slice(0, 300)}`);
  return (r.body as { license: { certificateIdentifier: string } }).license.certificateIdentifier;
}

async function signIn(holderCode: string): Promise<string> {
  const r = await http(node.url, 'POST', '/v1/holder/demo-sign-in', { json: { holderCode } });
  if (r.status !== 200) throw new Error(`sign-in ${holderCode}: ${r.status} ${r.text}`);
  return (r.body as { token: string }).token;
}

const code = (r: HttpResult) => (r.body as { code?: string }).code;
const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const query = (body: unknown, key = consumer) => http(node.url, 'POST', '/v1/consumer/licenses/query', { key, json: body });
const grantType = (typeCode: string, uscc = B, region = REGION) => http(node.url, 'PUT', `/v1/consumers/${region}/${uscc}/types/${typeCode}`, { key: node.keys.admin });

beforeAll(async () => {
  node = await startTestNode({ clock });
  business = await issue('business-licence');
  driving = await issue('driving-licence');
  const created = await http(node.url, 'POST', '/v1/api-keys', { key: node.keys.admin, json: { role: 'consumer', uscc: B, label: '民政局用证窗口' } });
  expect(created.status).toBe(201);
  expect(created.body.apiKey).toMatchObject({ role: 'consumer', uscc: B });
  consumer = created.body.secret;
}, 180_000);
afterAll(() => node?.close(), 60_000);

describe('the region admin grants a consuming department a type', () => {
  it('without the permission a query is 403 CONSUMER_TYPE_NOT_GRANTED; granted, GET /v1/consumers lists it (admin and auditor)', async () => {
    const before = await query({ ...terms, identifier: business });
    expect([before.status, code(before)]).toEqual([403, 'CONSUMER_TYPE_NOT_GRANTED']);
    const granted = await grantType(BUSINESS);
    expect(granted.status).toBe(200);
    expect(granted.body.grant).toMatchObject({ region: REGION, uscc: B, typeCode: BUSINESS, state: 'granted', revokedAt: null });
    for (const key of [node.keys.admin, node.keys.auditor]) {
      const list = await http(node.url, 'GET', '/v1/consumers', { key });
      expect(list.status).toBe(200);
      expect(list.body.grants).toEqual(expect.arrayContaining([expect.objectContaining({ region: REGION, uscc: B, typeCode: BUSINESS, state: 'granted' })]));
    }
    // An issuer's key is no consumer key, nor does a consumer key reach the issuers' or admins' routes.
    expect((await http(node.url, 'POST', '/v1/consumer/licenses/query', { key: node.keys.issuerOf(A), json: { ...terms, identifier: business } })).status).toBe(403);
    expect(code(await http(node.url, 'GET', `/v1/licenses/${encodeURIComponent(business)}`, { key: consumer }))).toBe('FORBIDDEN');
    expect(code(await http(node.url, 'GET', '/v1/consumers', { key: consumer }))).toBe('FORBIDDEN');
  });

  it('refuses: a USCC whose check character does not hold, a region that is no peer, an unknown type, an unknown department; a consumer key without a department', async () => {
    const badCheck = await grantType(BUSINESS, '11350100DM00000134');
    expect([badCheck.status, code(badCheck)]).toEqual([422, 'CODE_INVALID']);
    const notPeer = await grantType(BUSINESS, B, '440000');
    expect([notPeer.status, code(notPeer)]).toEqual([403, 'PEER_NOT_RECOGNISED']);
    const unknownType = await grantType('11100000PH00000199999');
    expect([unknownType.status, code(unknownType)]).toEqual([422, 'TYPE_UNKNOWN']);
    const unknownDepartment = await grantType(BUSINESS, '91350100M000100Y43');
    expect([unknownDepartment.status, code(unknownDepartment)]).toEqual([404, 'DEPARTMENT_NOT_FOUND']);
    const keyWithout = await http(node.url, 'POST', '/v1/api-keys', { key: node.keys.admin, json: { role: 'consumer', label: 'no department' } });
    expect(keyWithout.status).toBe(422);
  });
});

describe('query, verify, download with a cause: the holder sees every use', () => {
  it('query by identifier: the record and status, not the signed original', async () => {
    const r = await query({ ...terms, identifier: business });
    expect(r.status).toBe(200);
    expect(r.body.withheld).toBe(0);
    expect(r.body.licenses).toHaveLength(1);
    const l = r.body.licenses[0];
    expect(l).toMatchObject({ identifier: business, typeCode: BUSINESS, status: 'valid', department: { uscc: A }, grantId: null });
    expect(l.license.certificateIdentifier).toBe(business);
    expect(r.text).not.toContain('"signature"');
  });

  it('query by holder code answers the granted types only; by QR text the licence the QR names', async () => {
    const byHolder = await query({ ...terms, holder: { code: COMPANY } });
    expect(byHolder.status).toBe(200);
    const identifiers = (byHolder.body.licenses as Array<{ identifier: string; typeCode: string }>).map((l) => l.identifier);
    expect(identifiers).toContain(business);
    for (const l of byHolder.body.licenses as Array<{ typeCode: string }>) expect(l.typeCode).toBe(BUSINESS);
    const withType = await query({ ...terms, holder: { code: COMPANY, codeType: '001' }, typeCode: BUSINESS });
    expect(withType.body.licenses.map((l: { identifier: string }) => l.identifier)).toContain(business);
    const notGranted = await query({ ...terms, holder: { code: DRIVER }, typeCode: DRIVING });
    expect([notGranted.status, code(notGranted)]).toEqual([403, 'CONSUMER_TYPE_NOT_GRANTED']);

    const qr = await http(node.url, 'GET', `/v1/licenses/${encodeURIComponent(business)}.qr.txt`, { key: node.keys.admin });
    expect(qr.status).toBe(200);
    const byQr = await query({ ...terms, qr: qr.text.trim() });
    expect(byQr.status).toBe(200);
    expect(byQr.body.licenses[0].identifier).toBe(business);
  });

  it('verify: the answer of POST /v1/verifications, the use logged', async () => {
    const full = await http(node.url, 'GET', `/v1/licenses/${encodeURIComponent(business)}`, { key: node.keys.admin });
    const r = await http(node.url, 'POST', '/v1/consumer/verifications', { key: consumer, json: { ...terms, license: full.body } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ result: 'accepted', reasons: [] });
    const plain = await http(node.url, 'POST', '/v1/verifications', { json: full.body });
    expect(Object.keys(r.body).sort()).toEqual(Object.keys(plain.body).sort());
    // {"fullForm": …} works as at the public route.
    const wrapped = await http(node.url, 'POST', '/v1/consumer/verifications', { key: consumer, json: { ...terms, license: { fullForm: full.body } } });
    expect(wrapped.body.result).toBe('accepted');
  });

  it('download: always an annotated copy for the cause and this department (JSON, then PDF); the copy verifies with them', async () => {
    const r = await http(node.url, 'POST', `/v1/consumer/licenses/${encodeURIComponent(business)}/copies`, { key: consumer, json: { cause: '办理企业开户', serviceItem: ITEM } });
    expect(r.status).toBe(201);
    expect(r.headers.get('elicense-copy-id')).toBe(r.body.annotatedCopy.copyId);
    expect(r.body.annotatedCopy).toMatchObject({ purpose: '办理企业开户', userDepartment: { code: B }, original: { identifier: business } });
    const verified = await http(node.url, 'POST', '/v1/verifications', { json: r.body });
    expect(verified.body.result).toBe('accepted');
    expect(verified.body.annotatedCopy).toMatchObject({ purpose: '办理企业开户', userDepartment: { code: B } });

    const pdf = await http(node.url, 'POST', `/v1/consumer/licenses/${encodeURIComponent(business)}/copies?format=pdf`, { key: consumer, json: { cause: '办理企业开户', serviceItem: ITEM } });
    expect(pdf.status).toBe(201);
    expect(pdf.headers.get('content-type')).toMatch(/application\/pdf/);
    expect(pdf.text.startsWith('%PDF-')).toBe(true);
    const accept = await http(node.url, 'POST', `/v1/consumer/licenses/${encodeURIComponent(business)}/copies`, {
      key: consumer,
      json: { cause: '办理企业开户', serviceItem: ITEM },
      headers: { accept: 'application/pdf' },
    });
    expect(accept.headers.get('content-type')).toMatch(/application\/pdf/);
  });

  it('the holder sees the uses (kind, department, cause, service item); the consumer sees only its own', async () => {
    const usage = await http(node.url, 'GET', '/v1/holder/usage', as(await signIn(COMPANY)));
    expect(usage.status).toBe(200);
    const events = usage.body.events as Array<{ kind: string; licenseIdentifier: string; actor: { region: string; uscc: string; kind: string }; purpose: string; serviceItem: unknown }>;
    for (const kind of ['consumer_query', 'consumer_verification', 'consumer_copy']) {
      expect(events).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind, licenseIdentifier: business, actor: expect.objectContaining({ kind: 'department', region: REGION, uscc: B }), serviceItem: ITEM })]),
      );
    }
    expect(events.find((e) => e.kind === 'consumer_query')!.purpose).toBe(CAUSE);
    const own = await http(node.url, 'GET', '/v1/consumer/usage', { key: consumer });
    expect(own.status).toBe(200);
    expect(own.body.events.length).toBeGreaterThanOrEqual(5);
    expect(own.text).not.toContain(COMPANY);
    // Another consuming department sees none of B's uses.
    const other = await http(node.url, 'POST', '/v1/api-keys', { key: node.keys.admin, json: { role: 'consumer', uscc: A, label: 'another consumer' } });
    const theirs = await http(node.url, 'GET', '/v1/consumer/usage', { key: other.body.secret });
    expect(theirs.body.events).toEqual([]);
    // The audit chain has the uses, without holder codes.
    const audit = await node.services.db.query<{ action: string; details: unknown }>("SELECT action, details FROM audit_log WHERE action LIKE 'usage.consumer_%'");
    expect(new Set(audit.map((a) => a.action))).toEqual(new Set(['usage.consumer_query', 'usage.consumer_verification', 'usage.consumer_copy']));
    expect(JSON.stringify(audit)).not.toContain(COMPANY);
  });

  it('statistics of uses per type, department and day (admin and auditor; not the consumer)', async () => {
    const r = await http(node.url, 'GET', '/v1/statistics/uses', { key: node.keys.auditor });
    expect(r.status).toBe(200);
    expect(r.body.byType).toEqual(expect.arrayContaining([expect.objectContaining({ typeCode: BUSINESS })]));
    expect(r.body.byType.find((t: { typeCode: string }) => t.typeCode === BUSINESS).count).toBeGreaterThanOrEqual(6);
    expect(r.body.byConsumer).toEqual(expect.arrayContaining([expect.objectContaining({ region: REGION, uscc: B })]));
    expect(r.body.byDay).toHaveLength(1);
    const empty = await http(node.url, 'GET', '/v1/statistics/uses?from=2000-01-01&to=2000-01-02', { key: node.keys.admin });
    expect(empty.body).toEqual({ byType: [], byConsumer: [], byDay: [] });
    expect((await http(node.url, 'GET', '/v1/statistics/uses', { key: consumer })).status).toBe(403);
  });

  it('the face-field dictionary of a type: labels, types, which fields the QR carries', async () => {
    const r = await http(node.url, 'GET', `/v1/consumer/types/${BUSINESS}/fields`, { key: consumer });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ typeCode: BUSINESS, consentRequired: false });
    expect(r.body.fields.length).toBeGreaterThan(3);
    expect(r.body.fields.some((f: { inQr: boolean }) => f.inQr)).toBe(true);
    for (const f of r.body.fields as Array<{ label: { zh: string } }>) expect(typeof f.label.zh).toBe('string');
    const unknown = await http(node.url, 'GET', '/v1/consumer/types/11100000PH00000199999/fields', { key: consumer });
    expect([unknown.status, code(unknown)]).toEqual([422, 'TYPE_UNKNOWN']);
  });
});

describe("the holder's consent, where the type needs it (driving licence: use.holderConsentRequired)", () => {
  it('without an open grant 403 HOLDER_CONSENT_REQUIRED; with the holder\'s grant to this department the use counts against it', async () => {
    expect((await grantType(DRIVING)).status).toBe(200);
    const refused = await query({ ...terms, identifier: driving });
    expect([refused.status, code(refused)]).toEqual([403, 'HOLDER_CONSENT_REQUIRED']);
    const copyRefused = await http(node.url, 'POST', `/v1/consumer/licenses/${encodeURIComponent(driving)}/copies`, { key: consumer, json: terms });
    expect(code(copyRefused)).toBe('HOLDER_CONSENT_REQUIRED');
    const byHolder = await query({ ...terms, holder: { code: DRIVER }, typeCode: DRIVING });
    expect(code(byHolder)).toBe('HOLDER_CONSENT_REQUIRED');

    const token = await signIn(DRIVER);
    const g = await http(node.url, 'POST', '/v1/holder/grants', {
      ...as(token),
      json: { licenseIdentifier: driving, department: { uscc: B }, serviceItem: { name: '驾驶证核验' }, caseNumber: 'FZ-2026-0042', maxUses: 2 },
    });
    expect(g.status).toBe(201);
    const ok = await query({ ...terms, identifier: driving });
    expect(ok.status).toBe(200);
    expect(ok.body.licenses[0].grantId).toBe(g.body.grant.grantId);
    const copy = await http(node.url, 'POST', `/v1/consumer/licenses/${encodeURIComponent(driving)}/copies`, { key: consumer, json: { cause: '驾驶证核验', serviceItem: ITEM } });
    expect(copy.status).toBe(201);
    // Two uses: the grant is exhausted.
    const third = await query({ ...terms, identifier: driving });
    expect(code(third)).toBe('HOLDER_CONSENT_REQUIRED');
    const grants = await http(node.url, 'GET', '/v1/holder/grants', as(token));
    expect(grants.body.grants.find((x: { grantId: string }) => x.grantId === g.body.grant.grantId)).toMatchObject({ uses: 2 });
    const usage = await http(node.url, 'GET', '/v1/holder/usage', as(token));
    expect(usage.body.events).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'consumer_query', licenseIdentifier: driving, grantId: g.body.grant.grantId, caseNumber: 'FZ-2026-0042' })]));
  });
});

describe('bad input, each with its stable code', () => {
  const long = '事'.repeat(201);
  it.each([
    ['no cause', { serviceItem: ITEM }, 'CAUSE_REQUIRED'],
    ['a null cause', { cause: null, serviceItem: ITEM }, 'CAUSE_REQUIRED'],
    ['a cause over 200 characters', { cause: long, serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['a control character', { cause: '开户\u0007', serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['a line break', { cause: '开户\n核验', serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['a blank cause', { cause: '   ', serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['a cause that is no string', { cause: 42, serviceItem: ITEM }, 'CAUSE_INVALID'],
    ['no service item', { cause: CAUSE }, 'SERVICE_ITEM_REQUIRED'],
    ['a service item without a name', { cause: CAUSE, serviceItem: { code: 'X' } }, 'SERVICE_ITEM_REQUIRED'],
  ])('%s → 422 on query, verify and download, nothing logged', async (_what, body, expected) => {
    const before = await node.services.db.query<{ n: unknown }>('SELECT count(*) AS n FROM usage_events');
    const q = await query({ ...body, identifier: business });
    const v = await http(node.url, 'POST', '/v1/consumer/verifications', { key: consumer, json: { ...body, license: {} } });
    const d = await http(node.url, 'POST', `/v1/consumer/licenses/${encodeURIComponent(business)}/copies`, { key: consumer, json: body });
    for (const r of [q, v, d]) expect([r.status, code(r)]).toEqual([422, expected]);
    const after = await node.services.db.query<{ n: unknown }>('SELECT count(*) AS n FROM usage_events');
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
  });

  it('exactly 200 characters is a cause; a copy\'s purpose is at most 64 (CAUSE_INVALID)', async () => {
    expect((await query({ cause: '事'.repeat(200), serviceItem: ITEM, identifier: business })).status).toBe(200);
    const copy = await http(node.url, 'POST', `/v1/consumer/licenses/${encodeURIComponent(business)}/copies`, { key: consumer, json: { cause: '事'.repeat(65), serviceItem: ITEM } });
    expect([copy.status, code(copy)]).toEqual([422, 'CAUSE_INVALID']);
  });

  it('a holder code with a bad check character → 422 CODE_INVALID (citizen ID and USCC)', async () => {
    const badId = DRIVER.slice(0, 17) + (DRIVER[17] === '1' ? '2' : '1');
    const r1 = await query({ ...terms, holder: { code: badId } });
    expect([r1.status, code(r1)]).toEqual([422, 'CODE_INVALID']);
    const badUscc = COMPANY.slice(0, 17) + (COMPANY[17] === '1' ? '2' : '1');
    const r2 = await query({ ...terms, holder: { code: badUscc }, typeCode: BUSINESS });
    expect([r2.status, code(r2)]).toEqual([422, 'CODE_INVALID']);
  });

  it('an unknown identifier → 404 LICENSE_NOT_FOUND; none or two of identifier/holder/qr → 422 CONSUMER_QUERY_INVALID; a bad QR → its QR code', async () => {
    const unknown = business.replace(/\.(\d{3})\.([0-9A-Z])$/, '.999.$2');
    const r = await query({ ...terms, identifier: unknown });
    expect([r.status, code(r)]).toEqual([404, 'LICENSE_NOT_FOUND']);
    const copy = await http(node.url, 'POST', `/v1/consumer/licenses/${encodeURIComponent(unknown)}/copies`, { key: consumer, json: terms });
    expect(copy.status).toBe(404);
    expect(code(await query({ ...terms }))).toBe('CONSUMER_QUERY_INVALID');
    expect(code(await query({ ...terms, identifier: business, holder: { code: COMPANY } }))).toBe('CONSUMER_QUERY_INVALID');
    const badQr = await query({ ...terms, qr: 'LC1:NOT-A-QR' });
    expect(badQr.status).toBe(422);
  });

  it('a revoked permission: the next call is 403 CONSUMER_TYPE_NOT_GRANTED; revoking again is 404 CONSUMER_GRANT_NOT_FOUND', async () => {
    const revoked = await http(node.url, 'DELETE', `/v1/consumers/${REGION}/${B}/types/${BUSINESS}`, { key: node.keys.admin });
    expect(revoked.status).toBe(200);
    expect(revoked.body.grant).toMatchObject({ state: 'revoked' });
    for (const r of [
      await query({ ...terms, identifier: business }),
      await http(node.url, 'POST', `/v1/consumer/licenses/${encodeURIComponent(business)}/copies`, { key: consumer, json: terms }),
    ]) {
      expect([r.status, code(r)]).toEqual([403, 'CONSUMER_TYPE_NOT_GRANTED']);
    }
    const again = await http(node.url, 'DELETE', `/v1/consumers/${REGION}/${B}/types/${BUSINESS}`, { key: node.keys.admin });
    expect([again.status, code(again)]).toEqual([404, 'CONSUMER_GRANT_NOT_FOUND']);
    const audit = await node.services.db.query<{ action: string }>("SELECT action FROM audit_log WHERE action IN ('consumer.grant', 'consumer.revoke')");
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['consumer.grant', 'consumer.revoke']));
    // Granted again, it works again.
    expect((await grantType(BUSINESS)).status).toBe(200);
    expect((await query({ ...terms, identifier: business })).status).toBe(200);
  });

  it('a verification of something that is no licence form: the verification route\'s own refusal (400 INPUT_UNREADABLE), nothing logged', async () => {
    const before = await node.services.db.query<{ n: unknown }>('SELECT count(*) AS n FROM usage_events');
    const r = await http(node.url, 'POST', '/v1/consumer/verifications', { key: consumer, json: { ...terms, license: { hello: 'world' } } });
    expect([r.status, code(r)]).toEqual([400, 'INPUT_UNREADABLE']);
    const after = await node.services.db.query<{ n: unknown }>('SELECT count(*) AS n FROM usage_events');
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
  });

  it('the verification of a licence of a type not granted → 403 CONSUMER_TYPE_NOT_GRANTED', async () => {
    const marriage = await issue('marriage-certificate');
    const full = await http(node.url, 'GET', `/v1/licenses/${encodeURIComponent(marriage)}`, { key: node.keys.admin });
    const r = await http(node.url, 'POST', '/v1/consumer/verifications', { key: consumer, json: { ...terms, license: full.body } });
    expect([r.status, code(r)]).toEqual([403, 'CONSUMER_TYPE_NOT_GRANTED']);
  });
});

describe('the region-wide usage log (GET /v1/usage)', () => {
  it('the region admin and the auditor see every use, narrowed by department, kind or licence, without holder codes; a department key and a consumer key are refused', async () => {
    for (const key of [node.keys.admin, node.keys.auditor]) {
      const all = await http(node.url, 'GET', '/v1/usage?limit=500', { key });
      expect(all.status).toBe(200);
      expect(all.body.events.length).toBeGreaterThan(0);
      expect(all.body.events.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['consumer_query']));
      expect(JSON.stringify(all.body)).not.toMatch(/holderCodes|certificateHolderCode/);
    }
    const ofB = await http(node.url, 'GET', `/v1/usage?region=${REGION}&uscc=${B}&kind=consumer_query`, { key: node.keys.admin });
    expect(ofB.status).toBe(200);
    expect(ofB.body.events.length).toBeGreaterThan(0);
    for (const e of ofB.body.events) expect(e).toMatchObject({ kind: 'consumer_query', actor: { region: REGION, uscc: B } });
    const ofLicence = await http(node.url, 'GET', `/v1/usage?licenseIdentifier=${encodeURIComponent(business)}`, { key: node.keys.auditor });
    for (const e of ofLicence.body.events) expect(e.licenseIdentifier).toBe(business);
    expect((await http(node.url, 'GET', '/v1/usage', { key: node.keys.issuerOf(A) })).status).toBe(403);
    expect((await http(node.url, 'GET', '/v1/usage', { key: consumer })).status).toBe(403);
    expect((await http(node.url, 'GET', '/v1/usage?kind=nonsense', { key: node.keys.admin })).status).toBe(400);
  });
});

describe('a consuming department that is not active', () => {
  it('suspended, its consumer key uses nothing (409 DEPARTMENT_NOT_ACTIVE); reinstated, it does again', async () => {
    expect((await http(node.url, 'POST', `/v1/departments/${B}/suspend`, { key: node.keys.admin, json: { reason: 'consumer test' } })).status).toBe(200);
    const r = await query({ ...terms, identifier: business });
    expect([r.status, code(r)]).toEqual([409, 'DEPARTMENT_NOT_ACTIVE']);
    expect((await http(node.url, 'POST', `/v1/departments/${B}/reinstate`, { key: node.keys.admin, json: { reason: 'consumer test' } })).status).toBe(200);
    expect((await query({ ...terms, identifier: business })).status).toBe(200);
  });
});
