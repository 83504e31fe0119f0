/** @jest-environment ./test/store/pgliteEnvironment.js */
import { createHash } from 'node:crypto';
import { SqlDepartmentStore } from '../../src/store/DepartmentStore';
import { ALL_MIGRATIONS } from '../../src/store/migrations/allMigrations';
import { describeStores } from './storeBackends';
import { T0, addDepartment, freshUscc } from './storeFixtures';

const departments = new SqlDepartmentStore();
const LATER = new Date(T0.getTime() + 60_000);

describeStores('DepartmentStore seals (migration 0009)', (h) => {
  it('the migration is applied', async () => {
    expect(ALL_MIGRATIONS.find((m) => m.version === 9)?.name).toBe('department_seals');
    const rows = await h.db().query<{ version: number }>('SELECT version FROM schema_migrations WHERE version = 9');
    expect(rows).toHaveLength(1);
  });

  it('stores, reads back byte for byte, replaces and deletes a seal', async () => {
    const uscc = await addDepartment(h.db());
    expect(await departments.getSeal(h.db(), uscc)).toBeNull();
    const png = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    const seal = await departments.putSeal(h.db(), { uscc, png, width: 300, height: 300, at: T0 });
    expect(seal).toEqual({ uscc, png, sha256: createHash('sha256').update(png).digest('hex'), width: 300, height: 300, updatedAt: T0 });
    expect(await departments.getSeal(h.db(), uscc)).toEqual(seal);
    const other = Uint8Array.of(1, 2, 3);
    const replaced = await departments.putSeal(h.db(), { uscc, png: other, width: 400, height: 380, at: LATER });
    expect(replaced).toMatchObject({ png: other, width: 400, height: 380, updatedAt: LATER });
    expect(await departments.getSeal(h.db(), uscc)).toEqual(replaced);
    expect(await departments.deleteSeal(h.db(), uscc)).toBe(true);
    expect(await departments.deleteSeal(h.db(), uscc)).toBe(false);
    expect(await departments.getSeal(h.db(), uscc)).toBeNull();
  });

  it('refuses a seal for an unknown department: DEPARTMENT_NOT_FOUND', async () => {
    await expect(departments.putSeal(h.db(), { uscc: freshUscc(), png: Uint8Array.of(1), width: 200, height: 200, at: T0 })).rejects.toMatchObject({ code: 'DEPARTMENT_NOT_FOUND' });
  });
});
