/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../../src/clock';
import { DEMO_CEREMONY_FILE } from '../../../src/demo/buildDemoRegion';
import { initRegion } from '../../../src/region/bootstrap/initRegion';
import { importPkcs12 } from '../../../src/pki/pkcs12/importPkcs12';
import { http } from '../helpers/http';
import { freshStorage, startTestNode, type TestNode, type TestStorage } from '../helpers/startTestNode';

/** `elicense init` set-up: production region from a ceremony, root key offline, one admin key, no demo data. */
describe('production set-up (elicense init)', () => {
  const masterKey = randomBytes(32).toString('base64');
  const ceremony = JSON.parse(readFileSync(DEMO_CEREMONY_FILE, 'utf8'));
  let storage: TestStorage;
  let node: TestNode;
  let admin: string;
  let rootKeyFile: string;

  beforeAll(async () => {
    storage = await freshStorage();
    const env = { ELICENSE_MASTER_KEY: masterKey, ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}) };
    const result = await initRegion({
      env,
      ceremony,
      dataDir: storage.dataDir,
      passphrase: 'correct horse battery staple',
      pkcs12Iterations: 1000,
      clock: systemClock,
      ...(storage.pglite ? { pglite: storage.pglite } : {}),
    });
    admin = result.adminKey.secret;
    rootKeyFile = result.rootKeyFile;
    node = await startTestNode({ reuse: { dataDir: storage.dataDir, databaseUrl: storage.databaseUrl }, env: { ELICENSE_MASTER_KEY: masterKey } });
  }, 180_000);
  afterAll(async () => {
    await node?.close();
    await storage?.remove();
  }, 60_000);

  it('writes the root key only to a 0600 PKCS#12 file and never stores it', async () => {
    expect(statSync(rootKeyFile).mode & 0o777).toBe(0o600);
    const p12 = importPkcs12(readFileSync(rootKeyFile), 'correct horse battery staple');
    const region = await node.services.stores.region.get(node.services.db);
    expect(region!.mode).toBe('production');
    expect(Buffer.from(p12.certificateChain[0]!).equals(Buffer.from(region!.rootCertificate))).toBe(true);
    const caKeys = (await node.services.stores.signingKeys.listFor(node.services.db, null)).filter((k) => k.purpose === 'certificate_signing');
    expect(caKeys.map((k) => Buffer.from(k.certificate).equals(Buffer.from(region!.rootCertificate)))).toEqual([false]); // the intermediate only
  });

  it('has no demo data: no credentials file, one API key (the region admin)', async () => {
    expect(existsSync(join(storage.dataDir, 'demo-credentials.json'))).toBe(false);
    const keys = await node.services.stores.apiKeys.list(node.services.db);
    expect(keys.map((k) => k.role)).toEqual(['region_admin']);
    const r = await http(node.url, 'GET', '/v1/licenses?department=11350100DM00000133', { key: admin });
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([]);
  });

  it('refuses a second set-up of the same database (REGION_EXISTS)', async () => {
    if (!storage.databaseUrl) await node.close(); // the embedded database serves one process at a time
    await expect(
      initRegion({
        env: { ELICENSE_MASTER_KEY: masterKey, ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}) },
        ceremony,
        dataDir: storage.dataDir,
        rootKeyOut: join(storage.dataDir, 'second-root.p12'),
        passphrase: 'x',
        clock: systemClock,
        ...(storage.pglite ? { pglite: storage.pglite } : {}),
      }).catch((e) => Promise.reject(e.code)),
    ).rejects.toBe('REGION_EXISTS');
    expect(existsSync(join(storage.dataDir, 'second-root.p12'))).toBe(false);
  });

  it('refuses to run without a master key', async () => {
    await expect(initRegion({ env: {}, ceremony, dataDir: storage.dataDir, passphrase: 'x', clock: systemClock }).catch((e) => Promise.reject(e.code))).rejects.toBe(
      'CONFIG_INVALID',
    );
  });
});

const pgOnly = process.env['DATABASE_URL'] ? describe : describe.skip;

pgOnly('several processes starting at once on one fresh PostgreSQL', () => {
  it('exactly one sets up the demo region and writes the credentials; all serve it', async () => {
    const storage = await freshStorage();
    const dirs = ['a', 'b', 'c'].map((x) => join(storage.dataDir, x));
    // Processes of one region share the master key (ELICENSE_MASTER_KEY), each has its own data directory.
    const masterKey = randomBytes(32).toString('base64');
    const nodes = await Promise.all(dirs.map((dataDir) => startTestNode({ reuse: { dataDir, databaseUrl: storage.databaseUrl }, env: { ELICENSE_MASTER_KEY: masterKey } })));
    try {
      const withCredentials = nodes.filter((n) => n.credentials !== null);
      expect(withCredentials).toHaveLength(1);
      const keys = await nodes[0]!.services.stores.apiKeys.list(nodes[0]!.services.db);
      expect(keys).toHaveLength(10);
      const setUps = (await nodes[0]!.services.stores.audit.read(nodes[0]!.services.db, 0, 10_000)).filter((e) => e.action === 'region.set_up');
      expect(setUps).toHaveLength(1);
      // A licence issued through one process verifies through another.
      const issuer = withCredentials[0]!.keys.issuerOf('business-licence');
      const { businessLicenseRequest } = await import('../licenses/licenseRequests');
      const issued = await http(nodes[1]!.url, 'POST', '/v1/licenses', { key: issuer, json: businessLicenseRequest() });
      expect(issued.status).toBe(201);
      const verified = await http(nodes[2]!.url, 'POST', '/v1/verifications', { json: issued.body });
      expect(verified.body.result).toBe('accepted');
    } finally {
      for (const n of nodes) await n.close();
      await storage.remove();
    }
  }, 180_000);
});
