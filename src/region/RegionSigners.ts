import { createPrivateKey } from 'node:crypto';
import { SoftwareSigner } from '../crypto/SoftwareSigner';
import type { Signer } from '../crypto/Signer';
import { ElicenseError } from '../errors';
import type { Queryable } from '../store/Database';
import type { KeyVault } from '../store/KeyVault';
import type { KeyPurpose, SigningKeyRecord, SigningKeyStore } from '../store/SigningKeyStore';

export interface RegionSignersDeps {
  vault: KeyVault;
  stores: { signingKeys: SigningKeyStore };
}

interface CachedSigner {
  record: SigningKeyRecord;
  signer: Signer;
  /** Trust version at which this key was found active. */
  version: number;
}

/**
 * Signs on behalf of the region's departments and of the region itself (the
 * time-stamping authority): finds the owner's active key, opens it with the
 * KeyVault and wraps it as a Signer. Opened keys stay in memory, by owner,
 * only while the trust version (bumped by every key change) stays the same
 * and the certificate is valid; nothing here logs or returns key material.
 */
export class RegionSigners {
  readonly #byOwner = new Map<string, CachedSigner>();

  constructor(private readonly deps: RegionSignersDeps) {}

  /** The department's active licence-signing key; SIGNING_KEY_NOT_FOUND when it has none valid at `at`. */
  departmentSigner(q: Queryable, uscc: string, at: Date, trustVersion: number): Promise<Signer> {
    return this.#signer(q, uscc, 'licence_signing', at, trustVersion);
  }

  /**
   * The key that signed a given licence (its JWS kid), for the forms made of
   * that licence later (the PDF signature must come from the licence's own
   * signer, and the QR's too). A rotated (retired) key still signs its own
   * licences' forms while its certificate is valid; a withdrawn or expired
   * key no longer does: LICENSE_SIGNER_UNAVAILABLE.
   */
  async licenseSigner(q: Queryable, uscc: string, keyId: string, at: Date): Promise<Signer> {
    // Always re-read the key's row (one small read): a withdrawal must be seen at once.
    const record = await this.deps.stores.signingKeys.get(q, keyId);
    const owner = `${uscc}:licence_signing:${keyId}`;
    const cached = this.#byOwner.get(owner);
    const unavailable = (why: string) =>
      new ElicenseError('LICENSE_SIGNER_UNAVAILABLE', `the key that signed this licence ${why}: its PDF and QR cannot be signed again; issue a new licence to replace it`, { keyId });
    if (!record || record.uscc !== uscc || record.purpose !== 'licence_signing') throw unavailable('is not held by this node for the issuing department');
    if (record.state === 'withdrawn') throw unavailable('has been withdrawn');
    if (at < record.notBefore || at >= record.notAfter) throw unavailable(`has a certificate that is not valid now (valid ${record.notBefore.toISOString()} to ${record.notAfter.toISOString()})`);
    if (record.encryptedPrivateKey.length === 0) throw unavailable('is held by the department itself, not by this node');
    // The opened key is reused while its row is unchanged; only its state can change (keys are never edited otherwise).
    if (cached && cached.record.state === record.state) return cached.signer;
    const signer = openSigner(this.deps.vault, record);
    this.#byOwner.set(owner, { record, signer, version: -1 });
    return signer;
  }

  /** The region's trust-list signer: trust lists, status lists and the recognition agreement (docs/adr/0006). */
  trustListSigner(q: Queryable, at: Date, trustVersion: number): Promise<Signer> {
    return this.#signer(q, null, 'trust_list_signing', at, trustVersion);
  }

  /** The region time-stamping authority (docs/adr/0001). */
  timestampAuthority(q: Queryable, at: Date, trustVersion: number): Promise<Signer> {
    return this.#signer(q, null, 'timestamping', at, trustVersion);
  }

  /** Drop every opened key (e.g. after a rotation in this process). */
  clear(): void {
    this.#byOwner.clear();
  }

  async #signer(q: Queryable, uscc: string | null, purpose: KeyPurpose, at: Date, trustVersion: number): Promise<Signer> {
    const owner = `${uscc ?? 'region'}:${purpose}`;
    const cached = this.#byOwner.get(owner);
    if (cached && cached.version === trustVersion && cached.record.notBefore <= at && at < cached.record.notAfter) return cached.signer;
    this.#byOwner.delete(owner);
    const record = await this.deps.stores.signingKeys.findActive(q, { uscc, purpose, at });
    if (!record) {
      throw new ElicenseError('SIGNING_KEY_NOT_FOUND', uscc ? `department ${uscc} has no active licence-signing key` : `the region has no active ${purpose} key`, {
        ...(uscc ? { uscc } : {}),
        purpose,
      });
    }
    if (record.encryptedPrivateKey.length === 0) {
      // Certified from the department's own CSR: the department keeps the key and signs itself.
      throw new ElicenseError('SIGNING_KEY_HELD_BY_DEPARTMENT', `the active key of ${uscc ?? 'the region'} is held by its owner, not by this node: the node cannot sign with it`, { purpose });
    }
    const signer = openSigner(this.deps.vault, record);
    this.#byOwner.set(owner, { record, signer, version: trustVersion });
    return signer;
  }
}

/** A stored key as a Signer: PKCS#8 from the vault, certificate chain from the row. */
export function openSigner(vault: KeyVault, record: SigningKeyRecord): Signer {
  const pkcs8 = vault.open(record.keyId, record.encryptedPrivateKey);
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  pkcs8.fill(0);
  return new SoftwareSigner(privateKey, [record.certificate, ...record.chain]);
}
