/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

describe('demo bootstrap on a fresh data directory', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode();
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  it('writes demo-credentials.json (0600) with an admin, an issuer per department and an auditor', () => {
    const c = node.credentials!;
    expect(c.warning).toMatch(/DEMO/);
    expect(statSync(join(node.dataDir, 'demo-credentials.json')).mode & 0o777).toBe(0o600);
    const roles = c.keys.map((k) => k.role);
    expect(roles.filter((r) => r === 'region_admin')).toHaveLength(1);
    expect(roles.filter((r) => r === 'auditor')).toHaveLength(1);
    expect(roles.filter((r) => r === 'issuer')).toHaveLength(8);
    expect(c.examples.issue).toContain('/v1/licenses');
  });
});
