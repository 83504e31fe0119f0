/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * The holder's side through a real node (issue 15, docs/adr/0012): DEMO sign-in, the wallet across
 * departments (a co-owned title shows for each holder), presentations (single use, expiry on the
 * injected clock), grants (exchange, wrong department, expired, revoked, redeemed twice, exhausted), the
 * usage log (each holder sees their uses, a department only its own), and bad input without a 500.
 */
import type { Clock } from '../../../src/clock';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { http, type HttpResult } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

let shiftMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + shiftMs) };
let node: TestNode;

const samples = loadSampleLicenses();
const sample = (slug: string) => samples.find((s) => s.slug === slug)!;
const TITLE = sample('real-estate-title');
const OWNER = TITLE.draft.holder.code;
const CO_OWNER = TITLE.draft.otherHolders![0]!.code;
const DRIVER = sample('driving-licence').draft.holder.code;
const COMPANY = sample('business-licence').draft.holder.code;

let issued = 0;
async function issue(slug: string): Promise<{ identifier: string; uscc: string }> {
  const s = sample(slug);
  const r = await http(node.url, 'POST', '/v1/licenses', {
    key: node.keys.issuerOf(slug),
    json: { type: slug, data: { ...JSON.parse(JSON.stringify(s.draft)), certificateNumber: `${s.draft.certificateNumber}-H${++issued}` } },
  });
  if (r.status !== 201) throw new Error(`issue ${slug}: ${r.status} ${r.text.slice(0, 300)}`);
  const license = (r.body as { license: { certificateIdentifier: string; certificateIssuingAuthorityCode: string } }).license;
  return { identifier: license.certificateIdentifier, uscc: license.certificateIssuingAuthorityCode };
}

async function signIn(holderCode: string): Promise<string> {
  const r = await http(node.url, 'POST', '/v1/holder/demo-sign-in', { json: { holderCode } });
  if (r.status !== 200) throw new Error(`sign-in ${holderCode}: ${r.status} ${r.text}`);
  return (r.body as { token: string }).token;
}

const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const code = (r: HttpResult) => (r.body as { code?: string }).code;

let title: { identifier: string; uscc: string };
let driving: { identifier: string; uscc: string };
let business: { identifier: string; uscc: string };
let otherDepartment: string;

beforeAll(async () => {
  node = await startTestNode({ clock });
  title = await issue('real-estate-title');
  driving = await issue('driving-licence');
  business = await issue('business-licence');
  otherDepartment = business.uscc === driving.uscc ? title.uscc : business.uscc;
}, 180_000);
afterAll(() => node?.close(), 60_000);

describe('DEMO identity and the wallet', () => {
  it('lists demo holders and signs one in; /v1/holder/me names the holder', async () => {
    const list = await http(node.url, 'GET', '/v1/holder/demo-holders');
    expect(list.status).toBe(200);
    expect(list.body.demo).toBe(true);
    expect((list.body.holders as Array<{ code: string }>).map((h) => h.code)).toEqual(expect.arrayContaining([OWNER, CO_OWNER, DRIVER, COMPANY]));
    const me = await http(node.url, 'GET', '/v1/holder/me', as(await signIn(DRIVER)));
    expect(me.status).toBe(200);
    expect(me.body.holder).toMatchObject({ holderCode: DRIVER, holderKind: 'person', providerId: 'demo', actingRole: 'self', demo: true });
  });

  it('a company is signed in through its legal representative: the holder is the company', async () => {
    const me = await http(node.url, 'GET', '/v1/holder/me', as(await signIn(COMPANY)));
    expect(me.body.holder).toMatchObject({ holderCode: COMPANY, holderKind: 'organisation', actingRole: 'legal_representative' });
    const wallet = await http(node.url, 'GET', '/v1/holder/licenses', as(await signIn(COMPANY)));
    expect((wallet.body.items as Array<{ identifier: string }>).map((i) => i.identifier)).toContain(business.identifier);
  });

  it('a licence with several holders shows in the wallet of each, with the role', async () => {
    for (const [holder, role] of [
      [OWNER, 'holder'],
      [CO_OWNER, 'co-holder'],
    ] as const) {
      const wallet = await http(node.url, 'GET', '/v1/holder/licenses', as(await signIn(holder)));
      expect(wallet.status).toBe(200);
      const item = (wallet.body.items as Array<{ identifier: string; holderRole: string; status: string; holderCount: number }>).find((i) => i.identifier === title.identifier);
      expect(item).toMatchObject({ holderRole: role, status: 'valid', holderCount: 2 });
    }
    const driver = await http(node.url, 'GET', '/v1/holder/licenses', as(await signIn(DRIVER)));
    expect((driver.body.items as Array<{ identifier: string }>).map((i) => i.identifier)).not.toContain(title.identifier);
  });

  it("one licence with its full form; someone else's is LICENSE_NOT_FOUND", async () => {
    const mine = await http(node.url, 'GET', `/v1/holder/licenses/${encodeURIComponent(driving.identifier)}`, as(await signIn(DRIVER)));
    expect(mine.status).toBe(200);
    expect(typeof mine.body.fullForm).toBe('string');
    const notMine = await http(node.url, 'GET', `/v1/holder/licenses/${encodeURIComponent(driving.identifier)}`, as(await signIn(OWNER)));
    expect([notMine.status, code(notMine)]).toEqual([404, 'LICENSE_NOT_FOUND']);
    const pdf = await fetch(`${node.url}/v1/holder/licenses/${encodeURIComponent(driving.identifier)}.pdf`, as(await signIn(DRIVER)));
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    const issuerCopy = await fetch(`${node.url}/v1/licenses/${encodeURIComponent(driving.identifier)}.pdf`, { headers: { authorization: `Bearer ${node.keys.issuerOf(driving.uscc)}` } });
    expect(Buffer.from(await pdf.arrayBuffer()).equals(Buffer.from(await issuerCopy.arrayBuffer()))).toBe(true);
    const pdfNotMine = await http(node.url, 'GET', `/v1/holder/licenses/${encodeURIComponent(driving.identifier)}.pdf`, as(await signIn(OWNER)));
    expect([pdfNotMine.status, code(pdfNotMine)]).toEqual([404, 'LICENSE_NOT_FOUND']);
  });

  it('holder routes: no credentials 401, an API key 403, a malformed token 401 HOLDER_TOKEN_INVALID', async () => {
    expect(code(await http(node.url, 'GET', '/v1/holder/licenses'))).toBe('UNAUTHENTICATED');
    const key = await http(node.url, 'GET', '/v1/holder/licenses', { key: node.keys.admin });
    expect([key.status, code(key)]).toEqual([403, 'FORBIDDEN']);
    const forged = await http(node.url, 'GET', '/v1/holder/licenses', as('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'));
    expect([forged.status, code(forged)]).toEqual([401, 'HOLDER_TOKEN_INVALID']);
    const unknown = await http(node.url, 'POST', '/v1/holder/demo-sign-in', { json: { holderCode: '110101199003077777' } });
    expect([unknown.status, code(unknown)]).toEqual([404, 'DEMO_HOLDER_UNKNOWN']);
  });
});

describe('presentations (亮证)', () => {
  it('create → redeem once (full form, logged) → second redeem PRESENTATION_USED', async () => {
    const token = await signIn(DRIVER);
    const made = await http(node.url, 'POST', `/v1/holder/licenses/${encodeURIComponent(driving.identifier)}/presentations`, as(token));
    expect(made.status).toBe(201);
    expect(made.body.presentation).toMatch(/^LP1:/);
    expect(made.body.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(Date.parse(made.body.expiresAt) - clock.now().getTime()).toBeGreaterThan(200_000);
    const redeemed = await http(node.url, 'POST', '/v1/presentations/redeem', { json: { presentation: made.body.presentation } });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body.identifier).toBe(driving.identifier);
    expect(redeemed.body.fullForm.license.certificateIdentifier).toBe(driving.identifier);
    const verified = await http(node.url, 'POST', '/v1/verifications', { json: redeemed.body.fullForm });
    expect(verified.status).toBe(200);
    const again = await http(node.url, 'POST', '/v1/presentations/redeem', { json: { presentation: made.body.presentation } });
    expect([again.status, code(again)]).toEqual([409, 'PRESENTATION_USED']);
  });

  it('expired on the clock: PRESENTATION_EXPIRED; a changed pointer: PRESENTATION_INVALID', async () => {
    const made = await http(node.url, 'POST', `/v1/holder/licenses/${encodeURIComponent(driving.identifier)}/presentations`, { ...as(await signIn(DRIVER)), json: { ttlSeconds: 60 } });
    expect(made.status).toBe(201);
    const text = made.body.presentation as string;
    const [h, p, s] = text.slice(4).split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const changed = `LP1:${h}.${Buffer.from(JSON.stringify({ ...payload, exp: (payload['exp'] as number) + 600 })).toString('base64url')}.${s}`;
    const forged = await http(node.url, 'POST', '/v1/presentations/redeem', { json: { presentation: changed } });
    expect([forged.status, code(forged)]).toEqual([422, 'PRESENTATION_INVALID']);
    for (const bad of ['hello', 'LP1:', 'LP1:a.b.c']) {
      const r = await http(node.url, 'POST', '/v1/presentations/redeem', { json: { presentation: bad } });
      expect([bad, r.status, code(r)]).toEqual([bad, 422, 'PRESENTATION_INVALID']);
    }
    shiftMs += 120_000;
    try {
      const late = await http(node.url, 'POST', '/v1/presentations/redeem', { json: { presentation: text } });
      expect([late.status, code(late)]).toEqual([410, 'PRESENTATION_EXPIRED']);
    } finally {
      shiftMs -= 120_000;
    }
  });

  it("someone else's licence cannot be presented", async () => {
    const r = await http(node.url, 'POST', `/v1/holder/licenses/${encodeURIComponent(title.identifier)}/presentations`, as(await signIn(DRIVER)));
    expect([r.status, code(r)]).toEqual([404, 'LICENSE_NOT_FOUND']);
  });
});

describe('grants (授权用证)', () => {
  async function grant(holder: string, body: Record<string, unknown>): Promise<{ code: string; grant: { grantId: string; expiresAt: string; maxUses: number } }> {
    const r = await http(node.url, 'POST', '/v1/holder/grants', { ...as(await signIn(holder)), json: body });
    if (r.status !== 201) throw new Error(`grant: ${r.status} ${r.text}`);
    return r.body as { code: string; grant: { grantId: string; expiresAt: string; maxUses: number } };
  }
  const terms = (department: string, extra: Record<string, unknown> = {}) => ({ department: { uscc: department }, serviceItem: { name: '不动产抵押登记' }, caseNumber: 'FZ-2026-0001', ...extra });

  it('create → the named department redeems (full form, reads left) → reads within the count → exhausted', async () => {
    const made = await grant(OWNER, terms(otherDepartment, { licenseIdentifier: title.identifier, maxUses: 2 }));
    expect(made.code).toMatch(/^\d{6}-[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect((made as unknown as { qrSvg: string }).qrSvg).toContain('<svg');
    expect(made).toMatchObject({ grantId: made.grant.grantId, expiresAt: made.grant.expiresAt, maxUses: 2 });
    const key = node.keys.issuerOf(otherDepartment);
    const redeemed = await http(node.url, 'POST', '/v1/grants/redeem', { key, json: { code: made.code.toLowerCase() } });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toMatchObject({ grantId: made.grant.grantId, readsLeft: 1, licenseIdentifiers: [title.identifier] });
    expect(redeemed.body.licenses[0].license.certificateIdentifier).toBe(title.identifier);
    const again = await http(node.url, 'POST', '/v1/grants/redeem', { key, json: { code: made.code } });
    expect([again.status, code(again)]).toEqual([409, 'GRANT_ALREADY_REDEEMED']);
    const path = `/v1/grants/${made.grant.grantId}/licenses/${encodeURIComponent(title.identifier)}`;
    const read = await http(node.url, 'GET', path, { key });
    expect(read.status).toBe(200);
    expect(read.headers.get('elicense-reads-left')).toBe('0');
    const exhausted = await http(node.url, 'GET', path, { key });
    expect([exhausted.status, code(exhausted)]).toEqual([409, 'GRANT_EXHAUSTED']);
    const list = await http(node.url, 'GET', '/v1/holder/grants', as(await signIn(OWNER)));
    expect((list.body.grants as Array<{ grantId: string; state: string; uses: number }>).find((g) => g.grantId === made.grant.grantId)).toMatchObject({ state: 'exhausted', uses: 2 });
  });

  it('another department presenting the code: GRANT_WRONG_DEPARTMENT, and the code still works for the named one', async () => {
    const made = await grant(DRIVER, terms(otherDepartment, { licenseIdentifier: driving.identifier }));
    const wrong = await http(node.url, 'POST', '/v1/grants/redeem', { key: node.keys.issuerOf(driving.uscc === otherDepartment ? title.uscc : driving.uscc), json: { code: made.code } });
    expect([wrong.status, code(wrong)]).toEqual([403, 'GRANT_WRONG_DEPARTMENT']);
    const right = await http(node.url, 'POST', '/v1/grants/redeem', { key: node.keys.issuerOf(otherDepartment), json: { code: made.code } });
    expect(right.status).toBe(200);
    const admin = await http(node.url, 'POST', '/v1/grants/redeem', { key: node.keys.admin, json: { code: made.code } });
    expect(admin.status).toBe(403);
  });

  it('revoked by the holder: GRANT_REVOKED for the exchange; revoking twice 410, someone else\'s 404', async () => {
    const made = await grant(DRIVER, terms(otherDepartment, { licenseIdentifier: driving.identifier }));
    const revoked = await http(node.url, 'DELETE', `/v1/holder/grants/${made.grant.grantId}`, as(await signIn(DRIVER)));
    expect(revoked.status).toBe(200);
    expect(revoked.body.grant.state).toBe('revoked');
    const r = await http(node.url, 'POST', '/v1/grants/redeem', { key: node.keys.issuerOf(otherDepartment), json: { code: made.code } });
    expect([r.status, code(r)]).toEqual([410, 'GRANT_REVOKED']);
    const twice = await http(node.url, 'DELETE', `/v1/holder/grants/${made.grant.grantId}`, as(await signIn(DRIVER)));
    expect([twice.status, code(twice)]).toEqual([410, 'GRANT_REVOKED']);
    const notMine = await http(node.url, 'DELETE', `/v1/holder/grants/${made.grant.grantId}`, as(await signIn(OWNER)));
    expect([notMine.status, code(notMine)]).toEqual([404, 'GRANT_UNKNOWN']);
  });

  it('a grant by type; expired on the clock: GRANT_EXPIRED; an unknown code: GRANT_UNKNOWN', async () => {
    const expiresAt = new Date(clock.now().getTime() + 120_000).toISOString();
    const made = await grant(DRIVER, terms(otherDepartment, { typeCode: sample('driving-licence') && (await typeOf(driving.identifier)), expiresAt }));
    shiftMs += 180_000;
    try {
      const late = await http(node.url, 'POST', '/v1/grants/redeem', { key: node.keys.issuerOf(otherDepartment), json: { code: made.code } });
      expect([late.status, code(late)]).toEqual([410, 'GRANT_EXPIRED']);
    } finally {
      shiftMs -= 180_000;
    }
    const unknown = await http(node.url, 'POST', '/v1/grants/redeem', { key: node.keys.issuerOf(otherDepartment), json: { code: '350000-0000-0000-0000-0000' } });
    expect([unknown.status, code(unknown)]).toEqual([404, 'GRANT_UNKNOWN']);
    const byType = await grant(DRIVER, terms(otherDepartment, { typeCode: await typeOf(driving.identifier) }));
    const redeemed = await http(node.url, 'POST', '/v1/grants/redeem', { key: node.keys.issuerOf(otherDepartment), json: { code: byType.code } });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body.licenseIdentifiers).toContain(driving.identifier);
  });

  it('grant terms refused: both or neither of licence and type, a bad USCC, an expiry too far, an unknown department', async () => {
    const token = await signIn(DRIVER);
    const post = (body: unknown) => http(node.url, 'POST', '/v1/holder/grants', { ...as(token), json: body });
    expect(code(await post(terms(otherDepartment)))).toBe('GRANT_TERMS_INVALID');
    expect(code(await post(terms(otherDepartment, { licenseIdentifier: driving.identifier, typeCode: 'x' })))).toBe('GRANT_TERMS_INVALID');
    expect(code(await post(terms('11350100DM00000134', { licenseIdentifier: driving.identifier })))).toBe('CODE_INVALID');
    expect(code(await post(terms(otherDepartment, { licenseIdentifier: driving.identifier, expiresAt: '2099-01-01T00:00:00Z' })))).toBe('GRANT_TERMS_INVALID');
    expect(code(await post(terms(otherDepartment, { licenseIdentifier: driving.identifier, expiresAt: '2026-02-31T00:00:00Z' })))).toBe('GRANT_TERMS_INVALID');
    expect(code(await post(terms('91350102EL0000017D', { licenseIdentifier: driving.identifier })))).toBe('DEPARTMENT_NOT_FOUND');
    expect(code(await post(terms(otherDepartment, { licenseIdentifier: title.identifier })))).toBe('LICENSE_NOT_FOUND');
  });
});

async function typeOf(identifier: string): Promise<string> {
  const r = await http(node.url, 'GET', `/v1/licenses/${encodeURIComponent(identifier)}`, { key: node.keys.admin });
  return (r.body as { license: { certificateTypeCode: string } }).license.certificateTypeCode;
}

describe('usage log', () => {
  it('each holder of a licence sees its uses; a department sees only its own; no holder codes in the department view', async () => {
    const owner = await http(node.url, 'GET', '/v1/holder/usage', as(await signIn(OWNER)));
    const coOwner = await http(node.url, 'GET', '/v1/holder/usage', as(await signIn(CO_OWNER)));
    const titleUses = (r: HttpResult) => (r.body.events as Array<{ licenseIdentifier: string; kind: string }>).filter((e) => e.licenseIdentifier === title.identifier);
    expect(titleUses(owner).map((e) => e.kind).sort()).toEqual(['exchange', 'read']);
    expect(titleUses(coOwner)).toEqual(titleUses(owner));
    expect(titleUses(owner)[0]).toMatchObject({ actor: { kind: 'department', uscc: otherDepartment }, serviceItem: { name: '不动产抵押登记' }, caseNumber: 'FZ-2026-0001' });
    const driver = await http(node.url, 'GET', '/v1/holder/usage', as(await signIn(DRIVER)));
    const kinds = (driver.body.events as Array<{ kind: string; licenseIdentifier: string }>).map((e) => e.kind);
    expect(kinds).toContain('presentation');
    expect(kinds).toContain('exchange');
    expect((driver.body.events as Array<{ licenseIdentifier: string }>).some((e) => e.licenseIdentifier === title.identifier)).toBe(false);

    const mine = await http(node.url, 'GET', '/v1/grants/usage', { key: node.keys.issuerOf(otherDepartment) });
    expect(mine.status).toBe(200);
    expect(mine.body.events.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(mine.body)).not.toContain(OWNER);
    const someoneElse = (await http(node.url, 'GET', '/v1/grants/usage', { key: node.keys.issuerOf(driving.uscc === otherDepartment ? title.uscc : driving.uscc) })).body.events as unknown[];
    expect(someoneElse).toEqual([]);
    const page = await http(node.url, 'GET', '/v1/holder/usage?limit=1', as(await signIn(DRIVER)));
    expect(page.body.events).toHaveLength(1);
    const next = await http(node.url, 'GET', `/v1/holder/usage?limit=1&before=${page.body.next}`, as(await signIn(DRIVER)));
    expect(next.body.events[0].eventId).toBeLessThan(page.body.events[0].eventId);
  });

  it('uses are in the audit chain without holder codes', async () => {
    const audit = await http(node.url, 'GET', '/v1/audit?limit=1000', { key: node.keys.auditor });
    const uses = (audit.body.entries as Array<{ action: string }>).filter((e) => e.action.startsWith('usage.'));
    expect(uses.map((e) => e.action)).toEqual(expect.arrayContaining(['usage.presentation', 'usage.exchange', 'usage.read']));
    const refused = (audit.body.entries as Array<{ action: string; details: { code: string } }>).find((e) => e.action === 'grant.refused');
    expect(refused?.details.code).toBe('GRANT_WRONG_DEPARTMENT');
    expect(JSON.stringify(uses)).not.toContain(DRIVER);
    expect((await http(node.url, 'GET', '/v1/audit/verify', { key: node.keys.auditor })).body.ok).toBe(true);
  });
});

describe('annotated copies (加注件)', () => {
  const terms = { purpose: '办理企业开户', userDepartment: { name: '福州市市场监督管理局', code: '11350100DM00000133' } };
  const path = () => `/v1/holder/licenses/${encodeURIComponent(business.identifier)}/annotated-copies`;

  it('made for a purpose and department, stored, logged, verified; expired on the clock (ANNOTATION_EXPIRED)', async () => {
    const made = await http(node.url, 'POST', path(), { ...as(await signIn(COMPANY)), json: terms });
    expect(made.status).toBe(201);
    const copy = made.body as { annotatedCopy: { copyId: string; purpose: string; notAfter: string; madeAt: string; original: { identifier: string } } };
    expect(copy.annotatedCopy).toMatchObject({ purpose: terms.purpose, userDepartment: terms.userDepartment, original: { identifier: business.identifier } });
    expect(Date.parse(copy.annotatedCopy.notAfter) - Date.parse(copy.annotatedCopy.madeAt)).toBe(90 * 86_400_000);
    expect(made.headers.get('location')).toBe(`/v1/holder/annotated-copies/${copy.annotatedCopy.copyId}`);
    const again = await http(node.url, 'GET', made.headers.get('location')!, as(await signIn(COMPANY)));
    expect(again.body).toEqual(made.body);
    const list = await http(node.url, 'GET', '/v1/holder/annotated-copies', as(await signIn(COMPANY)));
    expect(list.body.copies).toEqual([
      { copyId: copy.annotatedCopy.copyId, licenseIdentifier: business.identifier, purpose: terms.purpose, userDepartment: terms.userDepartment, madeAt: copy.annotatedCopy.madeAt, notAfter: copy.annotatedCopy.notAfter, state: 'active' },
    ]);
    expect((await http(node.url, 'GET', '/v1/holder/annotated-copies', as(await signIn(DRIVER)))).body.copies).toEqual([]);
    const notMine = await http(node.url, 'GET', made.headers.get('location')!, as(await signIn(DRIVER)));
    expect([notMine.status, code(notMine)]).toEqual([404, 'ANNOTATED_COPY_NOT_FOUND']);
    const pdf = await fetch(`${node.url}${made.headers.get('location')!}.pdf`, as(await signIn(COMPANY)));
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.includes(Buffer.from('annotated-copy.elac.json'))).toBe(true);
    const pdfNotMine = await http(node.url, 'GET', `${made.headers.get('location')!}.pdf`, as(await signIn(DRIVER)));
    expect([pdfNotMine.status, code(pdfNotMine)]).toEqual([404, 'ANNOTATED_COPY_NOT_FOUND']);
    const verified = await http(node.url, 'POST', '/v1/verifications', { json: made.body });
    expect(verified.status).toBe(200);
    expect(verified.body.result).toBe('accepted');
    expect(verified.body.annotatedCopy).toMatchObject({ purpose: terms.purpose, userDepartment: terms.userDepartment });
    const usage = await http(node.url, 'GET', '/v1/holder/usage', as(await signIn(COMPANY)));
    expect((usage.body.events as Array<{ kind: string; copyId: string; purpose: string }>).find((e) => e.kind === 'annotated_copy')).toMatchObject({ copyId: copy.annotatedCopy.copyId, purpose: terms.purpose });
    shiftMs += 91 * 86_400_000;
    try {
      const late = await http(node.url, 'POST', '/v1/verifications', { json: made.body });
      expect(late.body.result).toBe('rejected');
      expect(late.body.reasons).toContain('ANNOTATION_EXPIRED');
    } finally {
      shiftMs -= 91 * 86_400_000;
    }
  });

  it('an expiry beyond the type limit: ANNOTATION_TERMS_INVALID; the eleventh unexpired copy: ANNOTATION_LIMIT_REACHED', async () => {
    const token = await signIn(COMPANY);
    const far = await http(node.url, 'POST', path(), { ...as(token), json: { ...terms, expiresAt: new Date(clock.now().getTime() + 91 * 86_400_000).toISOString() } });
    expect([far.status, code(far)]).toEqual([422, 'ANNOTATION_TERMS_INVALID']);
    const badUscc = await http(node.url, 'POST', path(), { ...as(token), json: { ...terms, userDepartment: { name: 'x', code: '11350100DM00000134' } } });
    expect([badUscc.status, code(badUscc)]).toEqual([422, 'CODE_INVALID']);
    const short = { ...terms, expiresAt: new Date(clock.now().getTime() + 3_600_000).toISOString() };
    for (let i = 0; i < 9; i++) expect((await http(node.url, 'POST', path(), { ...as(token), json: short })).status).toBe(201);
    const full = await http(node.url, 'POST', path(), { ...as(token), json: short });
    expect([full.status, code(full)]).toEqual([409, 'ANNOTATION_LIMIT_REACHED']);
    const notMine = await http(node.url, 'POST', `/v1/holder/licenses/${encodeURIComponent(business.identifier)}/annotated-copies`, { ...as(await signIn(DRIVER)), json: terms });
    expect([notMine.status, code(notMine)]).toEqual([404, 'LICENSE_NOT_FOUND']);
  });
});

describe('a revoked original', () => {
  it('its copy verifies as revoked and gets no PDF; it can be neither presented nor granted; the wallet shows it revoked', async () => {
    const second = await issue('business-licence');
    const token = await signIn(COMPANY);
    const made = await http(node.url, 'POST', `/v1/holder/licenses/${encodeURIComponent(second.identifier)}/annotated-copies`, {
      ...as(token),
      json: { purpose: '办理企业开户', userDepartment: { name: '福州市市场监督管理局', code: '11350100DM00000133' } },
    });
    expect(made.status).toBe(201);
    const revoked = await http(node.url, 'POST', `/v1/licenses/${encodeURIComponent(second.identifier)}/revoke`, { key: node.keys.admin, json: { reason: '注销' } });
    expect(revoked.status).toBe(200);
    const verified = await http(node.url, 'POST', '/v1/verifications', { json: made.body });
    expect(verified.body.result).toBe('rejected');
    expect(JSON.stringify(verified.body.reasons)).toContain('REVOKED');
    const pdf = await http(node.url, 'GET', `${made.headers.get('location')!}.pdf`, as(token));
    expect([pdf.status, code(pdf)]).toEqual([410, 'LICENSE_REVOKED']);
    const licencePdf = await http(node.url, 'GET', `/v1/holder/licenses/${encodeURIComponent(second.identifier)}.pdf`, as(token));
    expect([licencePdf.status, code(licencePdf)]).toEqual([410, 'LICENSE_REVOKED']);
    const presented = await http(node.url, 'POST', `/v1/holder/licenses/${encodeURIComponent(second.identifier)}/presentations`, as(token));
    expect([presented.status, code(presented)]).toEqual([410, 'LICENSE_REVOKED']);
    const granted = await http(node.url, 'POST', '/v1/holder/grants', { ...as(token), json: { licenseIdentifier: second.identifier, department: { uscc: otherDepartment }, serviceItem: { name: 'x' }, caseNumber: '1' } });
    expect([granted.status, code(granted)]).toEqual([410, 'LICENSE_REVOKED']);
    const copyAgain = await http(node.url, 'POST', `/v1/holder/licenses/${encodeURIComponent(second.identifier)}/annotated-copies`, {
      ...as(token),
      json: { purpose: '办理企业开户', userDepartment: { name: '福州市市场监督管理局', code: '11350100DM00000133' } },
    });
    expect([copyAgain.status, code(copyAgain)]).toEqual([410, 'LICENSE_REVOKED']);
    const wallet = await http(node.url, 'GET', '/v1/holder/licenses', as(token));
    expect((wallet.body.items as Array<{ identifier: string; status: string }>).find((i) => i.identifier === second.identifier)?.status).toBe('revoked');
  });
});

describe('bad input: stable codes, never a 500', () => {
  it('malformed bodies and control characters', async () => {
    const token = await signIn(DRIVER);
    const cases: Array<[string, string, unknown, Record<string, string>]> = [
      ['POST', '/v1/holder/grants', { department: 'x' }, as(token).headers],
      ['POST', '/v1/holder/grants', { department: { uscc: otherDepartment }, serviceItem: { name: 'a\u0007b' }, caseNumber: '1', licenseIdentifier: driving.identifier }, as(token).headers],
      ['POST', '/v1/holder/grants', [], as(token).headers],
      ['POST', `/v1/holder/licenses/${encodeURIComponent(driving.identifier)}/presentations`, { ttlSeconds: 'soon' }, as(token).headers],
      ['POST', `/v1/holder/licenses/${encodeURIComponent(driving.identifier)}/presentations`, { ttlSeconds: 1 }, as(token).headers],
      ['POST', '/v1/presentations/redeem', { presentation: 'LP1:\u0000' }, {}],
      ['POST', '/v1/presentations/redeem', {}, {}],
      ['POST', '/v1/holder/demo-sign-in', { holderCode: 42 }, {}],
      ['POST', '/v1/grants/redeem', { code: '\u0001' }, { authorization: `Bearer ${node.keys.issuerOf(otherDepartment)}` }],
      ['POST', '/v1/grants/redeem', { code: 'x'.repeat(65) }, { authorization: `Bearer ${node.keys.issuerOf(otherDepartment)}` }],
      ['GET', '/v1/holder/usage?limit=0', undefined, as(token).headers],
      ['GET', '/v1/holder/usage?before=abc', undefined, as(token).headers],
      ['GET', `/v1/grants/${'%01'}/licenses/x`, undefined, { authorization: `Bearer ${node.keys.issuerOf(otherDepartment)}` }],
    ];
    for (const [method, path, json, headers] of cases) {
      const r = await http(node.url, method, path, { headers, ...(json === undefined ? {} : { json }) });
      expect({ path, status: r.status >= 400 && r.status < 500, code: typeof code(r) }).toEqual({ path, status: true, code: 'string' });
    }
    const raw = await http(node.url, 'POST', '/v1/holder/grants', { ...as(token), raw: '{"department":' });
    expect(raw.status).toBe(400);
    const control = await http(node.url, 'POST', '/v1/presentations/redeem', { json: { presentation: 'LP1:a\u0000' } });
    expect(code(control)).toBe('TEXT_CONTROL_CHARACTER');
  });
});
