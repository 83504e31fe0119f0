/** @jest-environment ./test/store/pgliteEnvironment.js */
import { SqlDepartmentStore } from '../../src/store/DepartmentStore';
import { SqlSigningKeyStore, type NewSigningKey } from '../../src/store/SigningKeyStore';
import { describeStores } from './storeBackends';
import { T0, TYPE_A, TYPE_B, freshUscc } from './storeFixtures';

const departments = new SqlDepartmentStore();
const keys = new SqlSigningKeyStore();
const LATER = new Date(T0.getTime() + 86_400_000);

describeStores('DepartmentStore', (h) => {
  it('admits a department once', async () => {
    const uscc = freshUscc();
    const d = await departments.create(h.db(), { uscc, name: '市场监督管理局', divisionCode: '110105', at: T0 });
    expect(d).toEqual({ uscc, name: '市场监督管理局', divisionCode: '110105', state: 'active', stateSince: T0, stateReason: null, createdAt: T0 });
    expect(await departments.get(h.db(), uscc)).toEqual(d);
    expect(await departments.get(h.db(), freshUscc())).toBeNull();
    await expect(departments.create(h.db(), { uscc, name: 'again', divisionCode: '110105', at: T0 })).rejects.toMatchObject({ code: 'DEPARTMENT_EXISTS' });
    expect((await departments.list(h.db())).map((x) => x.uscc)).toContain(uscc);
  });

  it('suspends, reactivates and withdraws; withdrawal is final', async () => {
    const uscc = freshUscc();
    await departments.create(h.db(), { uscc, name: 'D', divisionCode: '110000', at: T0 });
    const change = (to: 'active' | 'suspended' | 'withdrawn') => h.db().transaction((tx) => departments.changeState(tx, uscc, to, `to ${to}`, LATER));
    await expect(change('active')).rejects.toMatchObject({ code: 'DEPARTMENT_STATE_CONFLICT' });
    expect(await change('suspended')).toMatchObject({ state: 'suspended', stateSince: LATER, stateReason: 'to suspended' });
    expect((await change('active')).state).toBe('active');
    expect((await change('withdrawn')).state).toBe('withdrawn');
    await expect(change('active')).rejects.toMatchObject({ code: 'DEPARTMENT_STATE_CONFLICT' });
    await expect(h.db().transaction((tx) => departments.changeState(tx, freshUscc(), 'suspended', 'x', T0))).rejects.toMatchObject({
      code: 'DEPARTMENT_NOT_FOUND',
    });
  });

  it('grants and withdraws licence types (who may issue is decided by region/licenses/issuerMayIssue)', async () => {
    const uscc = freshUscc();
    await departments.create(h.db(), { uscc, name: 'D', divisionCode: '110000', at: T0 });
    await departments.grantType(h.db(), uscc, TYPE_B, T0);
    await departments.grantType(h.db(), uscc, TYPE_A, T0);
    await departments.grantType(h.db(), uscc, TYPE_A, T0);
    expect(await departments.typesOf(h.db(), uscc)).toEqual([TYPE_A, TYPE_B]);
    expect(await departments.withdrawType(h.db(), uscc, TYPE_A)).toBe(true);
    expect(await departments.withdrawType(h.db(), uscc, TYPE_A)).toBe(false);
    expect(await departments.typesOf(h.db(), uscc)).toEqual([TYPE_B]);
    await expect(departments.grantType(h.db(), freshUscc(), TYPE_A, T0)).rejects.toMatchObject({ code: 'DEPARTMENT_NOT_FOUND' });
  });
});

describeStores('SigningKeyStore', (h) => {
  const cert = new Uint8Array([0x30, 0x82, 0x01, 0x00, 0xff, 0x00]);
  function newKey(uscc: string | null, keyId: string, extra: Partial<NewSigningKey> = {}): NewSigningKey {
    return {
      keyId,
      uscc,
      purpose: uscc === null ? 'timestamping' : 'licence_signing',
      algorithm: 'ES256',
      certificate: cert,
      chain: [new Uint8Array([1, 2, 3]), new Uint8Array([0, 0])],
      encryptedPrivateKey: new Uint8Array([1, 9, 9, 9]),
      notBefore: T0,
      notAfter: new Date(T0.getTime() + 365 * 86_400_000),
      at: T0,
      ...extra,
    };
  }

  it('stores certificate, chain and sealed key bytes exactly', async () => {
    const uscc = freshUscc();
    await departments.create(h.db(), { uscc, name: 'D', divisionCode: '110000', at: T0 });
    const stored = await keys.insert(h.db(), newKey(uscc, `k-${uscc}`));
    expect(stored).toMatchObject({ keyId: `k-${uscc}`, uscc, state: 'active', stateSince: T0, createdAt: T0 });
    const got = await keys.get(h.db(), `k-${uscc}`);
    expect(Array.from(got!.certificate)).toEqual(Array.from(cert));
    expect(got!.chain.map((c) => Array.from(c))).toEqual([[1, 2, 3], [0, 0]]);
    expect(Array.from(got!.encryptedPrivateKey)).toEqual([1, 9, 9, 9]);
    expect(await keys.get(h.db(), 'missing')).toBeNull();
  });

  it('rotates: one active key per use; the active key is the one valid now', async () => {
    const uscc = freshUscc();
    await departments.create(h.db(), { uscc, name: 'D', divisionCode: '110000', at: T0 });
    await keys.insert(h.db(), newKey(uscc, `old-${uscc}`));
    await expect(keys.insert(h.db(), newKey(uscc, `new-${uscc}`))).rejects.toMatchObject({ code: 'SIGNING_KEY_STATE_CONFLICT' });
    // Another algorithm is another use.
    await keys.insert(h.db(), newKey(uscc, `sm2-${uscc}`, { algorithm: 'SM2' }));
    await h.db().transaction(async (tx) => {
      await keys.changeState(tx, `old-${uscc}`, 'retired', LATER);
      await keys.insert(tx, newKey(uscc, `new-${uscc}`, { notBefore: LATER, at: LATER }));
    });
    const query = { uscc, purpose: 'licence_signing' as const, algorithm: 'ES256' };
    expect((await keys.findActive(h.db(), { ...query, at: new Date(LATER.getTime() + 1) }))?.keyId).toBe(`new-${uscc}`);
    expect(await keys.findActive(h.db(), { ...query, at: T0 })).toBeNull();
    expect((await keys.listFor(h.db(), uscc)).map((k) => k.keyId)).toEqual([`new-${uscc}`, `old-${uscc}`, `sm2-${uscc}`]);
    const change = (id: string, to: 'active' | 'retired' | 'withdrawn') => h.db().transaction((tx) => keys.changeState(tx, id, to, LATER));
    await expect(change(`old-${uscc}`, 'active')).rejects.toMatchObject({ code: 'SIGNING_KEY_STATE_CONFLICT' });
    expect((await change(`old-${uscc}`, 'withdrawn')).state).toBe('withdrawn');
    await expect(change('missing', 'retired')).rejects.toMatchObject({ code: 'SIGNING_KEY_NOT_FOUND' });
  });

  it('keeps region keys (no department) apart', async () => {
    await keys.insert(h.db(), newKey(null, 'tsa-1'));
    expect((await keys.findActive(h.db(), { uscc: null, purpose: 'timestamping', at: LATER }))?.keyId).toBe('tsa-1');
    await expect(keys.insert(h.db(), newKey(null, 'tsa-2'))).rejects.toMatchObject({ code: 'SIGNING_KEY_STATE_CONFLICT' });
    await expect(keys.insert(h.db(), newKey(freshUscc(), 'orphan'))).rejects.toMatchObject({ code: 'DEPARTMENT_NOT_FOUND' });
  });
});
