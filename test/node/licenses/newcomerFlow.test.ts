/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { businessLicenseRequest } from './licenseRequests';

/** The newcomer's path from the "done when": issue, fetch, verify, revoke, verify again. */
describe('newcomer flow over HTTP', () => {
  let node: TestNode;
  let issuer: string;
  beforeAll(async () => {
    node = await startTestNode();
    issuer = node.keys.issuerOf('business-licence');
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  let identifier: string;
  let fullForm: Record<string, any>;

  it('issues a licence with the demo issuer key: 201, Location, the signed full form with its status entry', async () => {
    const r = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: businessLicenseRequest() });
    expect(r.status).toBe(201);
    fullForm = r.body;
    identifier = fullForm['license'].certificateIdentifier;
    expect(r.headers.get('location')).toBe(`/v1/licenses/${identifier}`);
    expect(fullForm['format']).toBe('elicense/full@1');
    expect(fullForm['timestamp']).toEqual(expect.any(String));
    expect(fullForm['license'].statusEntry).toEqual({ listId: expect.any(String), index: expect.any(Number) });
    expect(fullForm['license'].certificateIssuingAuthorityCode).toBe('11350100DM00000133');
  });

  it('GET returns the same signed full form, with its status', async () => {
    const r = await http(node.url, 'GET', `/v1/licenses/${identifier}`, { key: issuer });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(fullForm);
    expect(r.headers.get('elicense-licence-status')).toBe('valid');
  });

  it('verifies it publicly: accepted, status passed', async () => {
    const r = await http(node.url, 'POST', '/v1/verifications', { json: fullForm });
    expect(r.status).toBe(200);
    expect(r.body.result).toBe('accepted');
    expect(r.body.checks.find((c: any) => c.check === 'status').status).toBe('passed');
    expect(r.body.status.value).toBe('valid');
    // The wrapped form is accepted too.
    const wrapped = await http(node.url, 'POST', '/v1/verifications', { json: { fullForm } });
    expect(wrapped.body.result).toBe('accepted');
  });

  it('revokes it with a reason; verification then says LICENSE_REVOKED', async () => {
    const r = await http(node.url, 'POST', `/v1/licenses/${identifier}/revoke`, { key: node.keys.admin, json: { reason: 'obtained by fraud' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ identifier, status: 'revoked', previousStatus: 'valid', reason: 'obtained by fraud' });
    const v = await http(node.url, 'POST', '/v1/verifications', { json: fullForm });
    expect(v.status).toBe(200);
    expect(v.body.result).toBe('rejected');
    expect(v.body.reasons).toContain('LICENSE_REVOKED');
    expect(v.body.checks.find((c: any) => c.check === 'status').detail).toContain('obtained by fraud');
  });

  it('revoking twice is a 409 LICENSE_STATE_CONFLICT', async () => {
    const r = await http(node.url, 'POST', `/v1/licenses/${identifier}/revoke`, { key: issuer, json: { reason: 'again' } });
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('LICENSE_STATE_CONFLICT');
  });

  it('suspend and reinstate a second licence: verification follows the status', async () => {
    const issued = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: businessLicenseRequest({ certificateNumber: '350102000202403150018' }) });
    const id = issued.body.license.certificateIdentifier;
    const s = await http(node.url, 'POST', `/v1/licenses/${id}/suspend`, { key: issuer, json: { reason: 'under investigation' } });
    expect(s.body.status).toBe('suspended');
    const v1 = await http(node.url, 'POST', '/v1/verifications', { json: issued.body });
    expect(v1.body.reasons).toContain('LICENSE_SUSPENDED');
    const back = await http(node.url, 'POST', `/v1/licenses/${id}/reinstate`, { key: issuer, json: { reason: 'cleared' } });
    expect(back.body).toMatchObject({ status: 'valid', previousStatus: 'suspended' });
    const v2 = await http(node.url, 'POST', '/v1/verifications', { json: issued.body });
    expect(v2.body.result).toBe('accepted');
    const events = await http(node.url, 'GET', `/v1/licenses/${id}/events`, { key: node.keys.auditor });
    expect(events.body.events.map((e: any) => e.to)).toEqual(['valid', 'suspended', 'valid']);
  });

  it('lists the department\'s licences, newest first, with filters', async () => {
    const all = await http(node.url, 'GET', '/v1/licenses', { key: issuer });
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(2);
    const revoked = await http(node.url, 'GET', '/v1/licenses?status=revoked', { key: issuer });
    expect(revoked.body.items.map((i: any) => i.identifier)).toEqual([identifier]);
    const byHolder = await http(node.url, 'GET', `/v1/licenses?holderCode=91350102EL0000017D&limit=1`, { key: issuer });
    expect(byHolder.body.items).toHaveLength(1);
    expect(byHolder.body.next).toEqual(expect.any(String));
    const admin = await http(node.url, 'GET', '/v1/licenses', { key: node.keys.admin });
    expect(admin.status).toBe(400);
    const adminDept = await http(node.url, 'GET', '/v1/licenses?department=11350100DM00000133', { key: node.keys.admin });
    expect(adminDept.body.items).toHaveLength(2);
  });

  it('audits issuance, reads and lifecycle changes', async () => {
    const entries = await node.services.stores.audit.read(node.services.db, 0, 10_000);
    const actions = entries.filter((e) => e.subject === identifier).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['licence.issue', 'licence.read', 'licence.revoke']));
  });
});
