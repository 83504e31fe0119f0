/**
 * Two nodes on one PostgreSQL database: a status change committed through one
 * is seen by the very next verification through the other, however soon it
 * comes (no waiting for a change notice to travel), and requests arriving
 * together share one read of the change counter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { LicenseRecords } from '../../../src/region/licenses/LicenseRecords';
import type { Principal } from '../../../src/region/permissions';
import { describeWithPostgres } from '../scale/scaleHarness';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

describeWithPostgres('own licence states with other writers on the database', () => {
  let a: TestNode;
  let b: TestNode;
  let dirB: string;
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
  beforeAll(async () => {
    a = await startTestNode();
    dirB = mkdtempSync(join(tmpdir(), 'elicense-node-b-'));
    b = await startTestNode({ reuse: { dataDir: dirB, databaseUrl: a.databaseUrl } });
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    rmSync(dirB, { recursive: true, force: true });
  }, 60_000);

  const issue = async (n: number) => {
    const r = await http(a.url, 'POST', '/v1/licenses', { key: a.keys.issuerOf('business-licence'), json: { type: 'business-licence', data: { ...sample.draft, certificateNumber: `SHARED-${n}` } } });
    expect(r.status).toBe(201);
    return r;
  };
  const admin: Principal = { keyId: 'test-admin', role: 'region_admin', uscc: null, label: 'test' };
  const verifyOnB = async (text: string) => (await http(b.url, 'POST', '/v1/verifications', { raw: text })).body as { result: string; reasons: string[] };

  it('a revocation through A is seen by the next verification through B, every time', async () => {
    // Issued before B reads the list: a slot taken after B read it is always read from the database.
    const all = [];
    for (let n = 0; n < 15; n++) all.push(await issue(n));
    for (const issued of all) {
      expect((await verifyOnB(issued.text)).result).toBe('accepted'); // B now holds the list in memory
      const id = issued.body.license.certificateIdentifier as string;
      const key = { identifier: id, issuerCode: issued.body.license.certificateIssuingAuthorityCode as string, statusEntry: issued.body.license.statusEntry as { listId: string; index: number } };
      expect(await b.services.ownStatus.fromMemory(key)).toMatchObject({ kind: 'valid' });
      // Revoked by A's own code path, in this event-loop turn: no time for a notice to reach B.
      const revoked = await new LicenseRecords(a.services).changeStatus(admin, id, 'revoke', 'shared store test');
      expect(revoked.status).toBe('revoked');
      // Straight after A's answer: B's memory must not vouch for it any more.
      expect(await b.services.ownStatus.fromMemory(key)).toBeNull();
      const after = await verifyOnB(issued.text);
      expect(after.result).toBe('rejected');
      expect(after.reasons).toContain('LICENSE_REVOKED');
    }
  });

  it('requests arriving together share one read of the change counter', async () => {
    const issued = await issue(100);
    // Have B drop the list (as any status change on it does) so that it reads the new slot.
    const listId = issued.body.license.statusEntry.listId as string;
    await a.services.db.query('UPDATE status_lists SET version = version + 1 WHERE list_id = $1', [listId]);
    await a.services.db.query('UPDATE status_version SET version = version + 1 WHERE singleton');
    const key = { identifier: issued.body.license.certificateIdentifier as string, issuerCode: issued.body.license.certificateIssuingAuthorityCode as string, statusEntry: issued.body.license.statusEntry as { listId: string; index: number } };
    expect(await b.services.ownStatus.fromMemory(key)).toMatchObject({ kind: 'valid' });
    const store = b.services.stores.federation;
    const original = store.statusVersion.bind(store);
    let reads = 0;
    store.statusVersion = (q) => {
      reads++;
      return original(q);
    };
    try {
      const answers = await Promise.all(Array.from({ length: 40 }, () => b.services.ownStatus.fromMemory(key)));
      for (const x of answers) expect(x).toMatchObject({ kind: 'valid' });
      // The first request reads; the 39 arriving while it runs share the one read after it.
      expect(reads).toBe(2);
    } finally {
      store.statusVersion = original;
    }
  });
});
