/** @jest-environment ./test/store/pgliteEnvironment.js */
import { SqlLicenseStore, type LicenseStatus } from '../../src/store/LicenseStore';
import { describeStores } from './storeBackends';
import { T0, TYPE_B, addDepartment, licenseFor } from './storeFixtures';

const licenses = new SqlLicenseStore();

describeStores('LicenseStore', (h) => {
  async function issue(uscc: string, serial: string, extra = {}) {
    return h.db().transaction(async (tx) => {
      const [slot] = await licenses.allocateStatusSlots(tx, uscc, 1, T0);
      const l = licenseFor(uscc, serial, slot!, extra);
      await licenses.insert(tx, [l]);
      return l;
    });
  }

  it('stores a licence with its slot and an issued event', async () => {
    const uscc = await addDepartment(h.db());
    const l = await issue(uscc, 'S1');
    const got = await licenses.get(h.db(), l.identifier);
    expect(got).toMatchObject({ identifier: l.identifier, uscc, status: 'valid', statusIndex: 0, fullForm: l.fullForm, record: l.record, version: 1 });
    expect(got!.createdAt).toEqual(T0);
    expect(await licenses.events(h.db(), l.identifier)).toEqual([
      { identifier: l.identifier, fromStatus: null, toStatus: 'valid', reason: 'issued', actor: 'ak_test', at: T0 },
    ]);
    expect(await licenses.get(h.db(), 'no-such-licence')).toBeNull();
  });

  it('50 concurrent issuances get 50 distinct status indexes', async () => {
    const uscc = await addDepartment(h.db());
    const issued = await Promise.all(Array.from({ length: 50 }, (_, i) => issue(uscc, `C${i}`)));
    const indexes = new Set(issued.map((l) => `${l.statusListId}/${l.statusIndex}`));
    expect(indexes.size).toBe(50);
    const stored = await licenses.statusesOfList(h.db(), issued[0]!.statusListId);
    expect(stored.map((s) => s.statusIndex)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  if (h.kind === 'postgres') {
    it('two processes issuing at once share one sequence of status indexes', async () => {
      const uscc = await addDepartment(h.db());
      const other = await h.openAnother();
      const alloc = (db: typeof other) => db.transaction((tx) => licenses.allocateStatusSlots(tx, uscc, 3, T0));
      const slots = (await Promise.all(Array.from({ length: 20 }, (_, i) => alloc(i % 2 ? other : h.db())))).flat();
      expect(new Set(slots.map((s) => s.statusIndex)).size).toBe(60);
      expect(Math.max(...slots.map((s) => s.statusIndex))).toBe(59);
    });
  }

  it('opens a new status list when one is full, also under concurrency', async () => {
    const small = new SqlLicenseStore({ statusListCapacity: 4 });
    const uscc = await addDepartment(h.db());
    const slots = (await Promise.all(Array.from({ length: 10 }, () => h.db().transaction((tx) => small.allocateStatusSlots(tx, uscc, 1, T0))))).flat();
    const keys = slots.map((s) => `${s.statusListId}/${s.statusIndex}`).sort();
    expect(new Set(keys).size).toBe(10);
    expect(new Set(slots.map((s) => s.statusListId))).toEqual(new Set([`${uscc}-1`, `${uscc}-2`, `${uscc}-3`]));
    // A batch takes consecutive slots of one list.
    const batch = await h.db().transaction((tx) => small.allocateStatusSlots(tx, uscc, 3, T0));
    expect(batch.map((s) => s.statusIndex)).toEqual([0, 1, 2]);
    expect(batch[0]!.statusListId).toBe(`${uscc}-4`);
  });

  it('refuses a second licence with the same identifier or slot', async () => {
    const uscc = await addDepartment(h.db());
    const l = await issue(uscc, 'D1');
    await expect(h.db().transaction((tx) => licenses.insert(tx, [l]))).rejects.toMatchObject({ code: 'LICENSE_DUPLICATE' });
    const sameSlot = licenseFor(uscc, 'D2', { statusListId: l.statusListId, statusIndex: l.statusIndex });
    await expect(h.db().transaction((tx) => licenses.insert(tx, [sameSlot]))).rejects.toMatchObject({ code: 'LICENSE_DUPLICATE' });
  });

  it('a failed issuance transaction leaves nothing behind', async () => {
    const uscc = await addDepartment(h.db());
    let identifier = '';
    await expect(
      h.db().transaction(async (tx) => {
        const [slot] = await licenses.allocateStatusSlots(tx, uscc, 1, T0);
        const l = licenseFor(uscc, 'F1', slot!);
        identifier = l.identifier;
        await licenses.insert(tx, [l]);
        throw new Error('signing failed');
      }),
    ).rejects.toThrow('signing failed');
    expect(await licenses.get(h.db(), identifier)).toBeNull();
    expect((await issue(uscc, 'F2')).statusIndex).toBe(0);
  });

  it('suspends, reinstates and revokes with events; rejects invalid transitions', async () => {
    const uscc = await addDepartment(h.db());
    const l = await issue(uscc, 'L1');
    const change = (to: LicenseStatus, at = T0) =>
      h.db().transaction((tx) => licenses.changeStatus(tx, { identifier: l.identifier, to, reason: `to ${to}`, actor: 'ak_admin', at }));

    await expect(change('valid')).rejects.toMatchObject({ code: 'LICENSE_STATE_CONFLICT', details: { from: 'valid', to: 'valid' } });
    expect((await change('suspended')).status).toBe('suspended');
    await expect(change('suspended')).rejects.toMatchObject({ code: 'LICENSE_STATE_CONFLICT' });
    expect((await change('valid')).status).toBe('valid');
    const revokedAt = new Date(T0.getTime() + 60_000);
    const revoked = await change('revoked', revokedAt);
    expect(revoked).toMatchObject({ status: 'revoked', updatedAt: revokedAt });
    await expect(change('revoked')).rejects.toMatchObject({ code: 'LICENSE_STATE_CONFLICT', details: { from: 'revoked' } });
    await expect(change('valid')).rejects.toMatchObject({ code: 'LICENSE_STATE_CONFLICT' });
    const events = await licenses.events(h.db(), l.identifier);
    expect(events.map((e) => [e.fromStatus, e.toStatus])).toEqual([
      [null, 'valid'],
      ['valid', 'suspended'],
      ['suspended', 'valid'],
      ['valid', 'revoked'],
    ]);
  });

  it('revoking twice at the same moment: exactly one succeeds', async () => {
    const uscc = await addDepartment(h.db());
    const l = await issue(uscc, 'R1');
    const other = h.kind === 'postgres' ? await h.openAnother() : h.db();
    const revoke = (db: typeof other) =>
      db.transaction((tx) => licenses.changeStatus(tx, { identifier: l.identifier, to: 'revoked', reason: 'x', actor: 'a', at: T0 }));
    const outcomes = await Promise.allSettled([revoke(h.db()), revoke(other), revoke(h.db()), revoke(other)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'LICENSE_STATE_CONFLICT' });
  });

  it("hides another department's licence from a scoped status change", async () => {
    const a = await addDepartment(h.db());
    const b = await addDepartment(h.db());
    const l = await issue(a, 'X1');
    await expect(
      h.db().transaction((tx) => licenses.changeStatus(tx, { identifier: l.identifier, to: 'revoked', reason: 'x', actor: 'b', at: T0, uscc: b })),
    ).rejects.toMatchObject({ code: 'LICENSE_NOT_FOUND' });
    await expect(
      h.db().transaction((tx) => licenses.changeStatus(tx, { identifier: 'missing', to: 'revoked', reason: 'x', actor: 'b', at: T0 })),
    ).rejects.toMatchObject({ code: 'LICENSE_NOT_FOUND' });
  });

  it('lists a department’s licences newest first, in pages, with filters', async () => {
    const uscc = await addDepartment(h.db());
    const other = await addDepartment(h.db());
    for (let i = 0; i < 7; i++) await issue(uscc, `P${i}`, { at: new Date(T0.getTime() + i * 1000) });
    await issue(uscc, 'PB', { typeCode: TYPE_B, identifier: `1.2.156.3005.2.${TYPE_B}.${uscc}.PB.001.X`, at: new Date(T0.getTime() + 3500) });
    await issue(other, 'P0');

    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await licenses.list(h.db(), { uscc, limit: 3, ...(after ? { after } : {}) });
      seen.push(...page.items.map((l) => l.serial));
      after = page.next ?? undefined;
    } while (after);
    expect(seen).toEqual(['P6', 'P5', 'P4', 'PB', 'P3', 'P2', 'P1', 'P0']);

    const typeB = await licenses.list(h.db(), { uscc, typeCode: TYPE_B });
    expect(typeB.items.map((l) => l.serial)).toEqual(['PB']);
    const byHolder = await licenses.list(h.db(), { uscc, recordContains: { holder: { code: 'HP2' } } });
    expect(byHolder.items.map((l) => l.serial)).toEqual(['P2']);
    const window = await licenses.list(h.db(), { uscc, createdFrom: new Date(T0.getTime() + 1000), createdBefore: new Date(T0.getTime() + 3000) });
    expect(window.items.map((l) => l.serial)).toEqual(['P2', 'P1']);
    expect((await licenses.list(h.db(), { uscc, status: 'revoked' })).items).toEqual([]);
    expect(byHolder.items[0]).not.toHaveProperty('fullForm');
  });

  it('finds a licence by any of its holders: the first or a co-owner (envelope 1.1.0)', async () => {
    const uscc = await addDepartment(h.db());
    const holders = (first: string, ...others: string[]) => ({
      record: { certificateHolderCode: first, ...(others.length > 0 ? { certificateOtherHolders: others.map((code) => ({ name: code, code, typeCode: '111', typeName: '公民身份号码' })) } : {}) },
    });
    await issue(uscc, 'CO1', { ...holders('A1', 'B1', 'C1'), at: new Date(T0.getTime() + 1000) });
    await issue(uscc, 'CO2', { ...holders('B1'), at: new Date(T0.getTime() + 2000) });
    await issue(uscc, 'CO3', { ...holders('D1'), at: new Date(T0.getTime() + 3000) });
    const serials = async (code: string) => (await licenses.list(h.db(), { uscc, holderCode: code })).items.map((l) => l.serial);
    expect(await serials('A1')).toEqual(['CO1']);
    expect(await serials('B1')).toEqual(['CO2', 'CO1']);
    expect(await serials('C1')).toEqual(['CO1']);
    expect(await serials('X9')).toEqual([]);
    // A code is matched whole, never as a prefix or inside another field.
    expect(await serials('B')).toEqual([]);
  });

  it('rejects a forged cursor and an oversized page', async () => {
    await expect(licenses.list(h.db(), { uscc: 'x', after: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ code: 'INPUT_MALFORMED' });
    await expect(licenses.list(h.db(), { uscc: 'x', limit: 501 })).rejects.toMatchObject({ code: 'INPUT_MALFORMED' });
  });

  it('inserts a batch in one statement', async () => {
    const uscc = await addDepartment(h.db());
    const batch = await h.db().transaction(async (tx) => {
      const slots = await licenses.allocateStatusSlots(tx, uscc, 200, T0);
      const ls = slots.map((slot, i) => licenseFor(uscc, `B${i}`, slot));
      await licenses.insert(tx, ls);
      return ls;
    });
    const page = await licenses.list(h.db(), { uscc, limit: 500 });
    expect(page.items).toHaveLength(200);
    expect(new Set(page.items.map((l) => l.statusIndex)).size).toBe(200);
    expect((await licenses.events(h.db(), batch[199]!.identifier))[0]?.toStatus).toBe('valid');
  });
});
