import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { ElicenseError } from '../errors';

/** Sealed form: version (1) ‖ nonce (12) ‖ tag (16) ‖ ciphertext. */
const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

/**
 * Encrypts department private keys (PKCS#8 DER) at rest with AES-256-GCM
 * under the node's master key. The key id and the format version are
 * authenticated, so a sealed key moved to another key's row does not open.
 * The master key lives in a KeyObject, which does not print its bytes.
 */
export class KeyVault {
  readonly #masterKey: KeyObject;
  readonly #random: (size: number) => Uint8Array;

  constructor(masterKey: Uint8Array, random: (size: number) => Uint8Array = randomBytes) {
    if (masterKey.length !== 32) throw new ElicenseError('CONFIG_INVALID', `the master key must be 32 bytes, not ${masterKey.length}`);
    this.#masterKey = createSecretKey(Buffer.from(masterKey));
    this.#random = random;
  }

  /** From ELICENSE_MASTER_KEY: standard base64 of exactly 32 bytes. */
  static fromBase64(text: string, random?: (size: number) => Uint8Array): KeyVault {
    const trimmed = text.trim();
    const bytes = Buffer.from(trimmed, 'base64');
    if (bytes.toString('base64') !== trimmed || bytes.length !== 32) {
      throw new ElicenseError('CONFIG_INVALID', 'ELICENSE_MASTER_KEY must be the base64 of 32 random bytes (e.g. `openssl rand -base64 32`)');
    }
    return new KeyVault(bytes, random);
  }

  seal(keyId: string, pkcs8Der: Uint8Array): Uint8Array {
    const nonce = Buffer.from(this.#random(NONCE_BYTES));
    const cipher = createCipheriv('aes-256-gcm', this.#masterKey, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(keyId));
    const ciphertext = Buffer.concat([cipher.update(pkcs8Der), cipher.final()]);
    return new Uint8Array(Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), ciphertext]));
  }

  /** The clear PKCS#8, for the signer only; KEY_DECRYPT_FAILED on a wrong master key, key id or any altered byte. */
  open(keyId: string, sealed: Uint8Array): Uint8Array {
    const fail = (): ElicenseError => new ElicenseError('KEY_DECRYPT_FAILED', 'the private key could not be decrypted (wrong master key or damaged data)', { keyId });
    if (sealed.length <= HEADER_BYTES || sealed[0] !== VERSION) throw fail();
    const bytes = Buffer.from(sealed);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#masterKey, bytes.subarray(1, 1 + NONCE_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(keyId));
      decipher.setAuthTag(bytes.subarray(1 + NONCE_BYTES, HEADER_BYTES));
      return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]));
    } catch {
      throw fail();
    }
  }

  toJSON(): string {
    return 'KeyVault';
  }
}

function additionalData(keyId: string): Buffer {
  return Buffer.concat([Buffer.from([VERSION]), Buffer.from(`elicense key ${keyId}`, 'utf8')]);
}
