import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { KeyVault } from '../../src/store/KeyVault';

const master = randomBytes(32);
const pkcs8 = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' }));

describe('KeyVault', () => {
  const vault = new KeyVault(master);

  it('round-trips a PKCS#8 key, with a fresh nonce each time', () => {
    const a = vault.seal('key-1', pkcs8);
    const b = vault.seal('key-1', pkcs8);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(a[0]).toBe(1);
    expect(Buffer.from(vault.open('key-1', a)).equals(Buffer.from(pkcs8))).toBe(true);
    expect(Buffer.from(a).includes(Buffer.from(pkcs8.subarray(-32)))).toBe(false);
  });

  it('refuses a wrong master key', () => {
    const sealed = vault.seal('key-1', pkcs8);
    expect(() => new KeyVault(randomBytes(32)).open('key-1', sealed)).toThrow(expect.objectContaining({ code: 'KEY_DECRYPT_FAILED' }));
  });

  it('refuses a sealed key moved to another key id', () => {
    expect(() => vault.open('key-2', vault.seal('key-1', pkcs8))).toThrow(expect.objectContaining({ code: 'KEY_DECRYPT_FAILED' }));
  });

  it('refuses any altered byte, a truncation and an unknown version', () => {
    const sealed = vault.seal('key-1', pkcs8);
    for (const i of [0, 1, 13, 20, 29, sealed.length - 1]) {
      const tampered = new Uint8Array(sealed);
      tampered[i]! ^= 0x01;
      expect(() => vault.open('key-1', tampered)).toThrow(expect.objectContaining({ code: 'KEY_DECRYPT_FAILED' }));
    }
    expect(() => vault.open('key-1', sealed.subarray(0, 29))).toThrow(expect.objectContaining({ code: 'KEY_DECRYPT_FAILED' }));
    expect(() => vault.open('key-1', sealed.subarray(0, sealed.length - 1))).toThrow(expect.objectContaining({ code: 'KEY_DECRYPT_FAILED' }));
  });

  it('reads ELICENSE_MASTER_KEY as base64 of exactly 32 bytes', () => {
    const fromConfig = KeyVault.fromBase64(master.toString('base64'));
    expect(Buffer.from(fromConfig.open('k', vault.seal('k', pkcs8))).equals(Buffer.from(pkcs8))).toBe(true);
    for (const bad of ['', 'not base64!', randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), master.toString('hex')]) {
      expect(() => KeyVault.fromBase64(bad)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
  });

  it('never shows the master key', () => {
    const b64 = master.toString('base64');
    const hex = master.toString('hex');
    for (const shown of [inspect(vault, { showHidden: true, depth: 5 }), JSON.stringify(vault), String(vault)]) {
      expect(shown).not.toContain(b64);
      expect(shown).not.toContain(hex);
    }
    try {
      KeyVault.fromBase64(b64 + 'AA');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain(b64);
    }
  });
});
