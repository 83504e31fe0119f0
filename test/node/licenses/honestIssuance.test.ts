/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { buildLicenseIdentifier, parseLicenseIdentifier } from '../../../src/codes/licenseIdentifier';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { businessLicenseRequest } from './licenseRequests';

/**
 * Honest issuance (issue 10, items 12 and 13): one valid licence per
 * certificate number of a type and issuer, unless the request names the
 * licence it replaces (换发/补发); and nothing is signed that verification
 * would flag, unless the request acknowledges the warning.
 */
let node: TestNode;
let issuer: string;
let marriageIssuer: string;
beforeAll(async () => {
  node = await startTestNode();
  issuer = node.keys.issuerOf('business-licence');
  marriageIssuer = node.keys.issuerOf('marriage-certificate');
}, 180_000);
afterAll(() => node?.close(), 60_000);

const issue = (json: unknown, key = issuer) => http(node.url, 'POST', '/v1/licenses', { key, json });
const read = (id: string) => http(node.url, 'GET', `/v1/licenses/${encodeURIComponent(id)}`, { key: node.keys.auditor });
const idOf = (r: { body: any }): string => r.body.license.certificateIdentifier;
const statusOf = async (id: string) => (await read(id)).headers.get('elicense-licence-status');

describe('one valid licence per certificate number (item 12)', () => {
  it('a second licence with the same number → 409 LICENSE_NUMBER_IN_USE naming the existing one; nothing is issued', async () => {
    const first = await issue(businessLicenseRequest({ certificateNumber: 'DUP-1' }));
    expect(first.status).toBe(201);
    const again = await issue(businessLicenseRequest({ certificateNumber: 'DUP-1' }));
    expect({ status: again.status, code: again.body.code }).toEqual({ status: 409, code: 'LICENSE_NUMBER_IN_USE' });
    expect(again.body.errors).toEqual([expect.objectContaining({ path: '/data/certificateNumber', identifier: idOf(first) })]);
    expect(again.body.detail).toContain(idOf(first));
    const rows = await node.services.db.query<{ n: unknown }>("SELECT count(*) AS n FROM licences WHERE certificate_number = 'DUP-1'");
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('a suspended licence still holds its number; a revoked one frees it', async () => {
    const first = await issue(businessLicenseRequest({ certificateNumber: 'DUP-2' }));
    await http(node.url, 'POST', `/v1/licenses/${idOf(first)}/suspend`, { key: issuer, json: { reason: '核查' } });
    expect((await issue(businessLicenseRequest({ certificateNumber: 'DUP-2' }))).body.code).toBe('LICENSE_NUMBER_IN_USE');
    await http(node.url, 'POST', `/v1/licenses/${idOf(first)}/revoke`, { key: issuer, json: { reason: '注销' } });
    expect((await issue(businessLicenseRequest({ certificateNumber: 'DUP-2' }))).status).toBe(201);
  });

  it('换发: naming the replaced licence issues the successor and revokes the predecessor with that reason, both linked', async () => {
    const old = await issue(businessLicenseRequest({ certificateNumber: 'RE-1' }));
    const next = await issue({ ...businessLicenseRequest({ certificateNumber: 'RE-1' }), replaces: { identifier: idOf(old), reason: '换发' } });
    expect(next.status).toBe(201);
    expect(await statusOf(idOf(old))).toBe('revoked');
    expect(await statusOf(idOf(next))).toBe('valid');
    const events = await http(node.url, 'GET', `/v1/licenses/${idOf(old)}/events`, { key: issuer });
    expect(events.body.events[events.body.events.length - 1]).toMatchObject({ from: 'valid', to: 'revoked', reason: '换发' });
    // The links: headers on the full form's GET (its body is the signed form), fields in the search results.
    expect((await read(idOf(old))).headers.get('elicense-replaced-by')).toBe(idOf(next));
    expect((await read(idOf(next))).headers.get('elicense-replaces')).toBe(idOf(old));
    const listed = await http(node.url, 'GET', '/v1/licenses?limit=500', { key: issuer });
    const byId = new Map(listed.body.items.map((i: any) => [i.identifier, i]));
    expect(byId.get(idOf(old))).toMatchObject({ replacedBy: idOf(next), replaces: null });
    expect(byId.get(idOf(next))).toMatchObject({ replaces: idOf(old), replacedBy: null });
    const audit = await node.services.stores.audit.read(node.services.db, 0, 100_000);
    expect(audit.find((e) => e.action === 'licence.revoke' && e.subject === idOf(old))).toMatchObject({ details: { reason: '换发', replacedBy: idOf(next) } });
    expect(audit.find((e) => e.action === 'licence.issue' && e.subject === idOf(next))).toMatchObject({ details: { replaces: idOf(old) } });
    // The predecessor, now revoked and replaced, cannot be replaced again.
    const twice = await issue({ ...businessLicenseRequest({ certificateNumber: 'RE-1b' }), replaces: { identifier: idOf(old), reason: '补发' } });
    expect({ status: twice.status, code: twice.body.code }).toEqual({ status: 409, code: 'LICENSE_STATE_CONFLICT' });
  });

  it('补发 with a new number, of a suspended licence, is allowed', async () => {
    const old = await issue(businessLicenseRequest({ certificateNumber: 'RE-2' }));
    await http(node.url, 'POST', `/v1/licenses/${idOf(old)}/suspend`, { key: issuer, json: { reason: '遗失' } });
    const next = await issue({ ...businessLicenseRequest({ certificateNumber: 'RE-2-B' }), replaces: { identifier: idOf(old), reason: '补发' } });
    expect(next.status).toBe(201);
    expect(await statusOf(idOf(old))).toBe('revoked');
  });

  it('replaces names an unknown licence (404), another department’s (403), another type (422), or is malformed (422)', async () => {
    const own = await issue(businessLicenseRequest({ certificateNumber: 'RE-3' }));
    const parts = parseLicenseIdentifier(idOf(own));
    if (!parts.ok) throw new Error('identifier');
    const unknown = buildLicenseIdentifier({ typeCode: parts.value.typeCode, issuerCode: parts.value.issuerCode, serial: '0000000000000001', version: '001' });
    expect((await issue({ ...businessLicenseRequest({ certificateNumber: 'RE-3' }), replaces: { identifier: unknown, reason: '换发' } })).body.code).toBe('LICENSE_NOT_FOUND');
    const marriage = loadSampleLicenses().find((s) => s.slug === 'marriage-certificate')!;
    const theirs = await issue({ type: 'marriage-certificate', data: { ...marriage.draft, certificateNumber: 'M-RE-3' } }, marriageIssuer);
    expect(theirs.status).toBe(201);
    const other = await issue({ ...businessLicenseRequest({ certificateNumber: 'RE-3' }), replaces: { identifier: idOf(theirs), reason: '换发' } });
    expect(other.body.code).toBe('FORBIDDEN');
    expect(await statusOf(idOf(theirs))).toBe('valid');
    const food = loadSampleLicenses().find((s) => s.slug === 'food-business-permit')!;
    const permit = await issue({ type: 'food-business-permit', data: { ...food.draft, certificateNumber: 'F-RE-3' } });
    expect(permit.status).toBe(201);
    const otherType = await issue({ ...businessLicenseRequest({ certificateNumber: 'RE-3-B' }), replaces: { identifier: idOf(permit), reason: '换发' } });
    expect({ status: otherType.status, code: otherType.body.code }).toEqual({ status: 422, code: 'LICENSE_REPLACEMENT_INVALID' });
    expect(await statusOf(idOf(permit))).toBe('valid');
    const malformed = await issue({ ...businessLicenseRequest({ certificateNumber: 'RE-3' }), replaces: { identifier: idOf(own) } });
    expect({ status: malformed.status, code: malformed.body.code }).toEqual({ status: 422, code: 'SCHEMA_INVALID' });
    expect(await statusOf(idOf(own))).toBe('valid');
  });

  it('concurrent duplicates: exactly one succeeds', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => issue(businessLicenseRequest({ certificateNumber: 'RACE-1' }))));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
  });

  it('concurrent replacements of one licence: exactly one succeeds', async () => {
    const old = await issue(businessLicenseRequest({ certificateNumber: 'RACE-2' }));
    const results = await Promise.all(
      Array.from({ length: 4 }, () => issue({ ...businessLicenseRequest({ certificateNumber: 'RACE-2' }), replaces: { identifier: idOf(old), reason: '换发' } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
  });

  it('batch: a duplicate inside the batch and one against the store fail alone; a replacement in a batch works', async () => {
    const stored = await issue(businessLicenseRequest({ certificateNumber: 'B-DUP-0' }));
    const toReplace = await issue(businessLicenseRequest({ certificateNumber: 'B-RE-0' }));
    const records = [
      businessLicenseRequest({ certificateNumber: 'B-DUP-1' }),
      businessLicenseRequest({ certificateNumber: 'B-DUP-1' }),
      businessLicenseRequest({ certificateNumber: 'B-DUP-0' }),
      { ...businessLicenseRequest({ certificateNumber: 'B-RE-0' }), replaces: { identifier: idOf(toReplace), reason: '换发' } },
      businessLicenseRequest({ certificateNumber: 'B-DUP-2' }),
    ];
    const r = await http(node.url, 'POST', '/v1/licenses/batch?return=minimal', { key: issuer, json: { records } });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: any) => x.status)).toEqual(['created', 'failed', 'failed', 'created', 'created']);
    expect(r.body.results[1].error).toMatchObject({ code: 'LICENSE_NUMBER_IN_USE', errors: [expect.objectContaining({ path: '/data/certificateNumber', index: 0 })] });
    expect(r.body.results[2].error).toMatchObject({ code: 'LICENSE_NUMBER_IN_USE', errors: [expect.objectContaining({ identifier: idOf(stored) })] });
    expect(await statusOf(idOf(toReplace))).toBe('revoked');
    expect((await read(r.body.results[3].identifier)).headers.get('elicense-replaces')).toBe(idOf(toReplace));
  });
});

describe('issuance refuses what verification would flag (item 13)', () => {
  const BAD_USCC = '91350102EL0000017E'; // the sample's USCC with a wrong check character (D is right)
  const withHolderUscc = (certificateNumber: string) => {
    const req = businessLicenseRequest({ certificateNumber });
    const data = req.data as any;
    return { ...req, data: { ...data, holder: { ...data.holder, code: BAD_USCC }, extendInfo: { ...data.extendInfo, unifiedSocialCreditCode: BAD_USCC } } };
  };

  it('a holder USCC with a wrong check character → 422 RECORD_WARNING_UNACKNOWLEDGED with the fields and the code', async () => {
    const r = await issue(withHolderUscc('W-1'));
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 422, code: 'RECORD_WARNING_UNACKNOWLEDGED' });
    expect(r.body.errors).toEqual([
      expect.objectContaining({ path: '/data/holder/code', code: 'USCC_CHECK_CHARACTER_MISMATCH' }),
      expect.objectContaining({ path: '/data/extendInfo/unifiedSocialCreditCode', code: 'USCC_CHECK_CHARACTER_MISMATCH' }),
    ]);
  });

  it('acknowledged: issued, the warning in the answer (header) and in the audit entry; verification shows the same warning', async () => {
    const r = await issue({ ...withHolderUscc('W-2'), acknowledgeWarnings: ['USCC_CHECK_CHARACTER_MISMATCH'] });
    expect(r.status).toBe(201);
    expect(r.headers.get('elicense-warnings')).toBe('USCC_CHECK_CHARACTER_MISMATCH');
    const audit = await node.services.stores.audit.read(node.services.db, 0, 100_000);
    expect(audit.find((e) => e.action === 'licence.issue' && e.subject === idOf(r))).toMatchObject({
      details: { warnings: [{ path: '/data/holder/code', code: 'USCC_CHECK_CHARACTER_MISMATCH' }, { path: '/data/extendInfo/unifiedSocialCreditCode', code: 'USCC_CHECK_CHARACTER_MISMATCH' }] },
    });
    const v = await http(node.url, 'POST', '/v1/verifications', { json: r.body });
    expect(v.body.warnings).toContain('USCC_CHECK_CHARACTER_MISMATCH');
  });

  it('acknowledging another code does not cover this one; an unknown acknowledgement is a schema error', async () => {
    const other = await issue({ ...withHolderUscc('W-3'), acknowledgeWarnings: ['CITIZEN_ID_DIVISION_UNLISTED'] });
    expect(other.body.code).toBe('RECORD_WARNING_UNACKNOWLEDGED');
    const bad = await issue({ ...withHolderUscc('W-3'), acknowledgeWarnings: ['not a code'] });
    expect({ status: bad.status, code: bad.body.code }).toEqual({ status: 422, code: 'SCHEMA_INVALID' });
  });

  it("a spouse's birth date contradicting the ID number: verification flags it, issuance refuses it unless acknowledged", async () => {
    const marriage = loadSampleLicenses().find((s) => s.slug === 'marriage-certificate')!;
    const data = { ...marriage.draft, certificateNumber: 'M-W-1', extendInfo: { ...marriage.draft.extendInfo, spouse2BirthDate: '1990-07-23' } };
    const r = await issue({ type: 'marriage-certificate', data }, marriageIssuer);
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 422, code: 'RECORD_WARNING_UNACKNOWLEDGED' });
    expect(r.body.errors).toEqual([expect.objectContaining({ path: '/data/extendInfo/spouse2BirthDate', code: 'CITIZEN_ID_BIRTH_DATE_MISMATCH' })]);
    const ok = await issue({ type: 'marriage-certificate', data, acknowledgeWarnings: ['CITIZEN_ID_BIRTH_DATE_MISMATCH'] }, marriageIssuer);
    expect(ok.status).toBe(201);
    const v = await http(node.url, 'POST', '/v1/verifications', { json: ok.body });
    expect(v.body.warnings).toContain('CITIZEN_ID_BIRTH_DATE_MISMATCH');
  });

  it('batch: an unacknowledged warning fails its record alone; an acknowledged one is created with its warnings', async () => {
    const records = [withHolderUscc('W-B-1'), { ...withHolderUscc('W-B-2'), acknowledgeWarnings: ['USCC_CHECK_CHARACTER_MISMATCH'] }, businessLicenseRequest({ certificateNumber: 'W-B-3' })];
    const r = await http(node.url, 'POST', '/v1/licenses/batch?return=minimal', { key: issuer, json: { records } });
    expect(r.body.results.map((x: any) => x.status)).toEqual(['failed', 'created', 'created']);
    expect(r.body.results[0].error.code).toBe('RECORD_WARNING_UNACKNOWLEDGED');
    expect(r.body.results[1].warnings).toEqual([expect.objectContaining({ code: 'USCC_CHECK_CHARACTER_MISMATCH' }), expect.objectContaining({ code: 'USCC_CHECK_CHARACTER_MISMATCH' })]);
    expect(r.body.results[2].warnings).toBeUndefined();
  });
});
