/** @jest-environment ./test/store/pgliteEnvironment.js */
import { createHash } from 'node:crypto';
import { SqlApiKeyStore } from '../../src/store/ApiKeyStore';
import { describeStores } from './storeBackends';
import { T0, addDepartment } from './storeFixtures';

const apiKeys = new SqlApiKeyStore();

describeStores('ApiKeyStore', (h) => {
  it('shows the secret once and stores only its SHA-256', async () => {
    const uscc = await addDepartment(h.db());
    const { apiKey, secret } = await apiKeys.create(h.db(), { role: 'issuer', uscc, label: 'batch robot', at: T0 });
    expect(secret).toMatch(/^elk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toEqual({ keyId: expect.stringMatching(/^ak_/), role: 'issuer', uscc, label: 'batch robot', createdAt: T0, revokedAt: null });
    const [row] = await h.db().query<{ secret_hash: Uint8Array }>('SELECT secret_hash FROM api_keys WHERE key_id = $1', [apiKey.keyId]);
    expect(Buffer.from(row!.secret_hash).toString('hex')).toBe(createHash('sha256').update(secret).digest('hex'));
    const everything = JSON.stringify(await h.db().query('SELECT * FROM api_keys'));
    expect(everything).not.toContain(secret.slice(4));
    expect(JSON.stringify(await apiKeys.list(h.db()))).not.toContain(secret.slice(4));
  });

  it('authenticates the presented secret and nothing else', async () => {
    const { apiKey, secret } = await apiKeys.create(h.db(), { role: 'auditor', label: 'auditor', at: T0 });
    expect(await apiKeys.authenticate(h.db(), secret)).toEqual(apiKey);
    const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    for (const wrong of [flipped, '', 'elk_', secret + 'x', secret.toUpperCase(), `x${secret.slice(1)}`]) {
      expect(await apiKeys.authenticate(h.db(), wrong)).toBeNull();
    }
  });

  it('a revoked key no longer authenticates; revoking twice reports false', async () => {
    const { apiKey, secret } = await apiKeys.create(h.db(), { role: 'region_admin', label: 'ops', at: T0 });
    expect(await apiKeys.revoke(h.db(), apiKey.keyId, T0)).toBe(true);
    expect(await apiKeys.authenticate(h.db(), secret)).toBeNull();
    expect(await apiKeys.revoke(h.db(), apiKey.keyId, T0)).toBe(false);
    expect(await apiKeys.revoke(h.db(), 'ak_missing', T0)).toBe(false);
    expect((await apiKeys.list(h.db())).find((k) => k.keyId === apiKey.keyId)?.revokedAt).toEqual(T0);
  });

  it('enforces the role scope rules', async () => {
    await expect(apiKeys.create(h.db(), { role: 'issuer', label: 'no department', at: T0 })).rejects.toMatchObject({ code: 'INPUT_MALFORMED' });
    await expect(apiKeys.create(h.db(), { role: 'region_admin', uscc: '11100000MB00000000', label: 'x', at: T0 })).rejects.toMatchObject({
      code: 'INPUT_MALFORMED',
    });
    await expect(apiKeys.create(h.db(), { role: 'issuer', uscc: '11100000MB99999999', label: 'x', at: T0 })).rejects.toMatchObject({
      code: 'DEPARTMENT_NOT_FOUND',
    });
  });

  it('uses the injected randomness', async () => {
    const fixed = new SqlApiKeyStore((n) => new Uint8Array(n).fill(7));
    const { secret } = await fixed.create(h.db(), { role: 'auditor', label: 'fixed', at: T0 });
    expect(secret).toBe('elk_' + Buffer.alloc(32, 7).toString('base64url'));
  });
});
