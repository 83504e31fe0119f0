/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { ElicenseError } from '../../../src/errors';
import type { Database } from '../../../src/store/Database';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { businessLicenseRequest } from '../licenses/licenseRequests';

describe('verification while the database is unavailable', () => {
  let node: TestNode;
  let license: Record<string, any>;
  beforeAll(async () => {
    node = await startTestNode();
    const r = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('business-licence'), json: businessLicenseRequest() });
    license = r.body;
    expect((await http(node.url, 'POST', '/v1/verifications', { json: license })).body.result).toBe('accepted');
    // The database goes away under the running node: every call fails as the Database layer reports an outage.
    const db = node.services.db as { -readonly [K in keyof Database]: Database[K] };
    const down = (): never => {
      throw new ElicenseError('STORE_UNAVAILABLE', `the ${db.kind} database is unavailable`);
    };
    restore = { query: db.query, transaction: db.transaction };
    db.query = async () => down();
    db.transaction = async () => down();
  }, 180_000);
  let restore: Pick<Database, 'query' | 'transaction'>;
  afterAll(async () => {
    if (restore) Object.assign(node.services.db, restore);
    await node?.close();
  }, 60_000);

  it('a valid licence is still answered from the in-memory states when this process is the only writer (embedded); with other writers (PostgreSQL) its status is not vouched for', async () => {
    const r = await http(node.url, 'POST', '/v1/verifications', { json: license });
    expect(r.body.result).toBe('accepted');
    // Embedded: every change goes through this process, so none can have happened unseen.
    // PostgreSQL: another node process may have revoked it while this one cannot read the database.
    expect(r.body.checks.find((c: any) => c.check === 'status').status).toBe(node.kind === 'embedded' ? 'passed' : 'not_checked');
  });

  it('once a change made here is not yet confirmed, the status is reported as not checked, with the reason; trust is the last good copy', async () => {
    node.services.ownStatus.invalidate(); // what a status change through this process does
    await new Promise((r) => setTimeout(r, 1100)); // past the trust re-check interval
    const r = await http(node.url, 'POST', '/v1/verifications', { json: license });
    expect(r.status).toBe(200);
    expect(r.body.result).toBe('accepted');
    const status = r.body.checks.find((c: any) => c.check === 'status');
    expect(status.status).toBe('not_checked');
    expect(status.detail).toMatch(/unavailable/);
    expect(r.body.warnings).toContain('STATUS_NOT_CHECKED');
    expect(r.body.trust.source).toMatch(/last good copy/);
  });

  it('routes that need the database answer 503 STORE_UNAVAILABLE', async () => {
    const r = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('business-licence'), json: businessLicenseRequest() });
    expect(r.status).toBe(503);
    expect(r.body.code).toBe('STORE_UNAVAILABLE');
  });
});
