/** @jest-environment ./test/store/pgliteEnvironment.js */
import type { Queryable } from '../../src/store/Database';
import { SqlIdempotencyStore } from '../../src/store/IdempotencyStore';
import { SqlLicenseStore } from '../../src/store/LicenseStore';
import { describeStores } from './storeBackends';
import { T0, addDepartment, licenseFor } from './storeFixtures';

const idempotency = new SqlIdempotencyStore();
const licenses = new SqlLicenseStore();

describeStores('IdempotencyStore', (h) => {
  /** The issuing use case in miniature: reserve, issue, complete, in one transaction. */
  async function issueOnce(uscc: string, key: string, requestHash: string, serial: string, fail = false) {
    return h.db().transaction(async (tx: Queryable) => {
      const reserved = await idempotency.reserve(tx, { principal: 'ak_1', key, requestHash, at: T0 });
      if (reserved.kind === 'replay') return { replayed: true, identifier: reserved.licenseIdentifier, response: reserved.response };
      const [slot] = await licenses.allocateStatusSlots(tx, uscc, 1, T0);
      const l = licenseFor(uscc, serial, slot!);
      await licenses.insert(tx, [l]);
      if (fail) throw new Error('crashed before commit');
      await idempotency.complete(tx, { principal: 'ak_1', key, licenseIdentifier: l.identifier, response: { identifier: l.identifier }, at: T0 });
      return { replayed: false, identifier: l.identifier, response: { identifier: l.identifier } };
    });
  }

  it('replays the stored result for the same key and request', async () => {
    const uscc = await addDepartment(h.db());
    const first = await issueOnce(uscc, 'k-1', 'hash-a', 'I1');
    const again = await issueOnce(uscc, 'k-1', 'hash-a', 'I2');
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ replayed: true, identifier: first.identifier, response: { identifier: first.identifier } });
    expect((await licenses.list(h.db(), { uscc })).items).toHaveLength(1);
  });

  it('refuses the same key with a different request', async () => {
    const uscc = await addDepartment(h.db());
    await issueOnce(uscc, 'k-2', 'hash-a', 'J1');
    await expect(issueOnce(uscc, 'k-2', 'hash-b', 'J2')).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('reserves and completes many keys at once with the same outcomes as one by one', async () => {
    const at = T0;
    await idempotency.reserve(h.db(), { principal: 'ak_m', key: 'done', requestHash: 'h1', at });
    await idempotency.complete(h.db(), { principal: 'ak_m', key: 'done', licenseIdentifier: null, response: { status: 201 }, at });
    await idempotency.reserve(h.db(), { principal: 'ak_m', key: 'open', requestHash: 'h2', at });
    const outcomes = await idempotency.reserveMany(
      h.db(),
      'ak_m',
      [
        { key: 'fresh-1', requestHash: 'a' },
        { key: 'done', requestHash: 'h1' },
        { key: 'done-other', requestHash: 'b' },
        { key: 'open', requestHash: 'h2' },
      ],
      at,
    );
    expect(outcomes[0]).toEqual({ kind: 'new' });
    expect(outcomes[1]).toEqual({ kind: 'replay', licenseIdentifier: null, response: { status: 201 } });
    expect(outcomes[2]).toEqual({ kind: 'new' });
    expect(outcomes[3]).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS' });
    const reused = await idempotency.reserveMany(h.db(), 'ak_m', [{ key: 'done', requestHash: 'not-h1' }], at);
    expect(reused[0]).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    await idempotency.completeMany(h.db(), 'ak_m', [{ key: 'fresh-1', licenseIdentifier: null, response: { n: 1 } }, { key: 'done-other', response: { n: 2 } }], at);
    const replays = await idempotency.reserveMany(h.db(), 'ak_m', [{ key: 'fresh-1', requestHash: 'a' }, { key: 'done-other', requestHash: 'b' }], at);
    expect(replays).toEqual([
      { kind: 'replay', licenseIdentifier: null, response: { n: 1 } },
      { kind: 'replay', licenseIdentifier: null, response: { n: 2 } },
    ]);
    await expect(idempotency.completeMany(h.db(), 'ak_m', [{ key: 'never-reserved', response: null }], at)).rejects.toThrow('without being reserved');
  });

  it('scopes keys per principal', async () => {
    const first = await idempotency.reserve(h.db(), { principal: 'ak_x', key: 'shared', requestHash: 'h', at: T0 });
    const second = await idempotency.reserve(h.db(), { principal: 'ak_y', key: 'shared', requestHash: 'other', at: T0 });
    expect([first.kind, second.kind]).toEqual(['new', 'new']);
  });

  it('a request that crashed before commit leaves no key: the retry issues', async () => {
    const uscc = await addDepartment(h.db());
    await expect(issueOnce(uscc, 'k-3', 'hash-a', 'K1', true)).rejects.toThrow('crashed');
    const retry = await issueOnce(uscc, 'k-3', 'hash-a', 'K1');
    expect(retry.replayed).toBe(false);
  });

  it('concurrent requests with one key issue exactly one licence', async () => {
    const uscc = await addDepartment(h.db());
    const other = h.kind === 'postgres' ? await h.openAnother() : h.db();
    const attempt = (i: number) =>
      (i % 2 ? other : h.db()).transaction(async (tx) => {
        const reserved = await idempotency.reserve(tx, { principal: 'ak_1', key: 'k-4', requestHash: 'hash-a', at: T0 });
        if (reserved.kind === 'replay') return reserved.licenseIdentifier;
        const [slot] = await licenses.allocateStatusSlots(tx, uscc, 1, T0);
        const l = licenseFor(uscc, `M${i}`, slot!);
        await licenses.insert(tx, [l]);
        await idempotency.complete(tx, { principal: 'ak_1', key: 'k-4', licenseIdentifier: l.identifier, response: null, at: T0 });
        return l.identifier;
      });
    const identifiers = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(i)));
    expect(new Set(identifiers).size).toBe(1);
    expect((await licenses.list(h.db(), { uscc })).items).toHaveLength(1);
  });

  it('reports a key reserved but never completed as in progress', async () => {
    await idempotency.reserve(h.db(), { principal: 'ak_1', key: 'k-5', requestHash: 'h', at: T0 });
    await expect(idempotency.reserve(h.db(), { principal: 'ak_1', key: 'k-5', requestHash: 'h', at: T0 })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_IN_PROGRESS',
    });
  });

  it('purges old keys', async () => {
    await idempotency.reserve(h.db(), { principal: 'ak_p', key: 'old', requestHash: 'h', at: new Date('2020-01-01T00:00:00Z') });
    expect(await idempotency.purge(h.db(), new Date('2021-01-01T00:00:00Z'))).toBe(1);
    expect((await idempotency.reserve(h.db(), { principal: 'ak_p', key: 'old', requestHash: 'new', at: T0 })).kind).toBe('new');
  });
});
