/** @jest-environment ./test/store/pgliteEnvironment.js */
import { SqlAuditLog, type AuditEvent } from '../../src/store/AuditLog';
import type { Database } from '../../src/store/Database';
import { verifyAuditChain } from '../../src/store/verifyAuditChain';
import { describeStores } from './storeBackends';
import { T0 } from './storeFixtures';

const audit = new SqlAuditLog();

function event(i: number, actor = 'ak_1'): AuditEvent {
  return { actor, action: 'licence.issue', subject: `L${i}`, details: { i, nested: { zh: '营业执照', list: [1, 2.5, null, true] } }, at: new Date(T0.getTime() + i) };
}

describeStores('AuditLog', (h) => {
  async function verifyAll(db: Database) {
    return verifyAuditChain(await audit.read(db, 0, 100_000), { expectedHead: await audit.head(db) });
  }

  it('appends entries that read back and verify as one chain', async () => {
    const written = await h.db().transaction((tx) => audit.append(tx, [event(1), event(2)]));
    expect(written.map((e) => e.seq)).toEqual([1, 2]);
    const read = await audit.read(h.db());
    expect(read).toEqual(written);
    expect(await verifyAll(h.db())).toMatchObject({ ok: true, count: 2 });
    expect(await audit.head(h.db())).toEqual({ seq: 2, entryHash: written[1]!.entryHash });
  });

  it('concurrent appends form one chain (two processes on PostgreSQL)', async () => {
    const other = h.kind === 'postgres' ? await h.openAnother() : h.db();
    const before = (await audit.head(h.db())).seq;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? other : h.db()).transaction((tx) => audit.append(tx, [event(100 + i, `p${i % 2}`), event(200 + i)]))),
    );
    expect((await audit.head(h.db())).seq).toBe(before + 80);
    expect(await verifyAll(h.db())).toMatchObject({ ok: true, count: before + 80 });
  });

  it('an append rolled back with its change leaves no trace', async () => {
    const before = await audit.head(h.db());
    await expect(
      h.db().transaction(async (tx) => {
        await audit.append(tx, [event(9)]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await audit.head(h.db())).toEqual(before);
    expect(await verifyAll(h.db())).toMatchObject({ ok: true });
  });

  it('refuses to change or delete entries in the database', async () => {
    await expect(h.db().query("UPDATE audit_log SET actor = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(h.db().query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
  });

  it('detects tampering done behind the trigger’s back', async () => {
    await h.db().transaction(async (tx) => {
      await tx.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      await tx.query(`UPDATE audit_log SET details = '{"i": 666}' WHERE seq = 2`);
      await tx.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    });
    expect(await verifyAll(h.db())).toMatchObject({ ok: false, problem: 'changed', firstBadSeq: 2 });
  });

  it('rejects details that are not JSON data', async () => {
    await expect(h.db().transaction((tx) => audit.append(tx, [{ ...event(1), details: { when: new Date() } }]))).rejects.toMatchObject({
      code: 'INPUT_MALFORMED',
    });
  });
});
