/** @jest-environment ./test/store/pgliteEnvironment.js */
import { createHash } from 'node:crypto';
import type { Database } from '../../src/store/Database';
import { SqlLicenseFormStore, type LicenseFormKey } from '../../src/store/LicenseFormStore';
import { SqlLicenseStore } from '../../src/store/LicenseStore';
import { describeStores } from './storeBackends';
import { T0, addDepartment, licenseFor } from './storeFixtures';

const forms = new SqlLicenseFormStore();
const licenses = new SqlLicenseStore();
let serial = 0;

describeStores('LicenseFormStore', (h) => {
  async function aLicense(db: Database = h.db()): Promise<string> {
    const uscc = await addDepartment(db);
    return db.transaction(async (tx) => {
      const [slot] = await licenses.allocateStatusSlots(tx, uscc, 1, T0);
      const l = licenseFor(uscc, `F${++serial}`, slot!);
      await licenses.insert(tx, [l]);
      return l.identifier;
    });
  }
  const form = (key: LicenseFormKey, body: Uint8Array, at = T0) => ({ ...key, contentType: 'application/pdf', body, at });

  it('stores a form once and returns the stored bytes, hash and time; a later insert keeps the first', async () => {
    const key: LicenseFormKey = { identifier: await aLicense(), keyId: 'k-1', form: 'pdf' };
    expect(await forms.get(h.db(), key)).toBeUndefined();
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const first = await forms.insert(h.db(), form(key, every));
    expect(first.inserted).toBe(true);
    expect(first.stored).toEqual({ ...key, contentType: 'application/pdf', body: every, sha256: createHash('sha256').update(every).digest('hex'), createdAt: T0 });
    const second = await forms.insert(h.db(), form(key, Uint8Array.of(1, 2, 3), new Date(T0.getTime() + 1000)));
    expect(second).toEqual({ inserted: false, stored: first.stored });
    expect(await forms.get(h.db(), key)).toEqual(first.stored);
  });

  it('keys a form by licence, signing key and kind', async () => {
    const identifier = await aLicense();
    await forms.insert(h.db(), form({ identifier, keyId: 'k-1', form: 'pdf' }, Uint8Array.of(1)));
    expect(await forms.get(h.db(), { identifier, keyId: 'k-2', form: 'pdf' })).toBeUndefined();
    expect(await forms.get(h.db(), { identifier, keyId: 'k-1', form: 'qr.txt' })).toBeUndefined();
    expect((await forms.insert(h.db(), form({ identifier, keyId: 'k-2', form: 'pdf' }, Uint8Array.of(2)))).inserted).toBe(true);
  });

  it('refuses a form of a licence that was never issued', async () => {
    await expect(forms.insert(h.db(), form({ identifier: '1.2.156.3005.2.nope', keyId: 'k', form: 'pdf' }, Uint8Array.of(1)))).rejects.toThrow();
  });

  it('a rolled-back first render leaves nothing stored', async () => {
    const key: LicenseFormKey = { identifier: await aLicense(), keyId: 'k-1', form: 'qr.txt' };
    await expect(
      h.db().transaction(async (tx) => {
        await forms.lock(tx, key);
        await forms.insert(tx, form(key, Uint8Array.of(9)));
        throw new Error('signing failed');
      }),
    ).rejects.toThrow('signing failed');
    expect(await forms.get(h.db(), key)).toBeUndefined();
  });

  if (h.kind === 'postgres') {
    it('the lock makes a second first render wait, then find the stored form (two connections)', async () => {
      const other = await h.openAnother();
      const key: LicenseFormKey = { identifier: await aLicense(), keyId: 'k-1', form: 'pdf' };
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const first = h.db().transaction(async (tx) => {
        await forms.lock(tx, key);
        locked();
        await held;
        order.push('first stores');
        return (await forms.insert(tx, form(key, Uint8Array.of(1)))).inserted;
      });
      await isLocked;
      const second = other.transaction(async (tx) => {
        await forms.lock(tx, key);
        order.push('second reads');
        return forms.get(tx, key);
      });
      await new Promise((r) => setTimeout(r, 200));
      release();
      expect(await first).toBe(true);
      expect((await second)?.body).toEqual(Uint8Array.of(1));
      expect(order).toEqual(['first stores', 'second reads']);
    });

    it('two concurrent inserts store one form, and both answer with it', async () => {
      const other = await h.openAnother();
      const key: LicenseFormKey = { identifier: await aLicense(), keyId: 'k-1', form: 'qr.png' };
      const [a, b] = await Promise.all([forms.insert(h.db(), form(key, Uint8Array.of(1))), forms.insert(other, form(key, Uint8Array.of(2)))]);
      expect([a.inserted, b.inserted].sort()).toEqual([false, true]);
      expect(a.stored).toEqual(b.stored);
    });
  }
});
