import type { KeyObject } from 'node:crypto';
import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import { ElicenseError } from '../../errors';
import { parseCertificate } from '../../pki/certificate/ParsedCertificate';
import { generateKeyPair as softwareKeyPair, type GenerateKey } from '../../pki/ca/generateKeyPair';
import { issueDepartmentCertificate } from '../../pki/ca/issueDepartmentCertificate';
import { publicKeyFromCsr } from '../../pki/ca/publicKeyFromCsr';
import { algorithmForKey, EDDSA_DEPARTMENT_KEY_REFUSAL, isDepartmentKeyAlgorithm } from '../../crypto/algorithms';
import type { Clock } from '../../clock';
import type { AuditLog } from '../../store/AuditLog';
import type { Database } from '../../store/Database';
import type { DepartmentStore } from '../../store/DepartmentStore';
import type { KeyVault } from '../../store/KeyVault';
import type { SigningKeyRecord, SigningKeyStore } from '../../store/SigningKeyStore';
import type { IssueKeyRequest } from './departmentRequests';
import { DEPARTMENT_HELD_KEY } from './keyCustody';
import { regionCertificateAuthority } from './regionCertificateAuthority';

/** What department key administration uses (a node's services fit it): the vault seals the keys the node makes. */
export interface DepartmentKeysDeps {
  db: Database;
  clock: Clock;
  random: (size: number) => Uint8Array;
  vault: KeyVault;
  stores: { departments: DepartmentStore; signingKeys: SigningKeyStore; audit: AuditLog };
}

export interface IssuedKey {
  key: SigningKeyRecord;
  /** Keys this one replaced (now retired). */
  retired: string[];
}

/** A key the department made and certified with a CSR, or one the node made (its PKCS#8 to be sealed). */
interface PreparedKey {
  publicKey: KeyObject;
  pkcs8: Uint8Array | null;
}

/**
 * Department licence-signing keys: issue (the node's own key, sealed with the
 * KeyVault, or the department's from a CSR), rotate, withdraw. A department
 * has one active signing key: a new key retires the previous one in the same
 * transaction, so verifiers and the signer never see two or none.
 */
export class DepartmentKeys {
  constructor(
    private readonly s: DepartmentKeysDeps,
    private readonly generateKey: GenerateKey = softwareKeyPair,
  ) {}

  async issue(actor: string, uscc: string, req: IssueKeyRequest): Promise<IssuedKey> {
    // Prepare outside the transaction: RSA key generation takes a while and must not hold locks (or be repeated on a retry).
    if (req.custody === 'node' && !isDepartmentKeyAlgorithm(req.algorithm)) refuseDepartmentKeyAlgorithm(req.algorithm);
    const prepared = await this.prepare(req);
    const algorithm = algorithmForKey(prepared.publicKey);
    // A department's own CSR is held to the same rule as a key the node makes.
    if (!isDepartmentKeyAlgorithm(algorithm)) refuseDepartmentKeyAlgorithm(algorithm);
    const at = this.s.clock.now();
    return this.s.db.transaction(async (tx) => {
      const department = await this.s.stores.departments.get(tx, uscc);
      if (!department) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc });
      if (department.state === 'withdrawn') {
        throw new ElicenseError('DEPARTMENT_STATE_CONFLICT', 'a withdrawn department gets no new signing keys', { uscc, state: department.state });
      }
      const history = (await this.s.stores.signingKeys.listFor(tx, uscc)).filter((k) => k.purpose === 'licence_signing');
      const region = await regionCertificateAuthority(tx, this.s.stores.signingKeys, this.s.vault, at, { caKeyId: req.caKeyId, previousIssuer: history[0]?.chain[0] });
      const certificate = await issueDepartmentCertificate(
        region.ca,
        { department: { name: department.name, uscc, divisionCode: department.divisionCode }, publicKey: prepared.publicKey, validityDays: req.validityDays },
        { now: at, randomBytes: this.s.random },
      );
      const { notBefore, notAfter } = parseCertificate(certificate.der);
      const keyId = keyIdForCertificate(certificate.der);

      const previous = history.filter((k) => k.state === 'active');
      for (const p of previous) await this.s.stores.signingKeys.changeState(tx, p.keyId, 'retired', at);
      const key = await this.s.stores.signingKeys.insert(tx, {
        keyId,
        uscc,
        purpose: 'licence_signing',
        algorithm,
        certificate: certificate.der,
        chain: region.chain,
        encryptedPrivateKey: prepared.pkcs8 === null ? DEPARTMENT_HELD_KEY : this.s.vault.seal(keyId, prepared.pkcs8),
        notBefore,
        notAfter,
        at,
      });
      await this.s.stores.audit.append(tx, [
        ...previous.map((p) => ({ actor, action: 'signing_key.retire', subject: p.keyId, details: { uscc, replacedBy: keyId }, at })),
        {
          actor,
          action: 'signing_key.issue',
          subject: keyId,
          details: { uscc, algorithm, custody: req.custody, notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString(), caKeyId: region.keyId },
          at,
        },
      ]);
      return { key, retired: previous.map((p) => p.keyId) };
    });
  }

  async list(uscc: string): Promise<SigningKeyRecord[]> {
    const department = await this.s.stores.departments.get(this.s.db, uscc);
    if (!department) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc });
    return (await this.s.stores.signingKeys.listFor(this.s.db, uscc)).filter((k) => k.purpose === 'licence_signing');
  }

  /** active or retired → withdrawn (final): e.g. after a compromise. */
  async withdraw(actor: string, uscc: string, keyId: string, reason: string): Promise<SigningKeyRecord> {
    const at = this.s.clock.now();
    return this.s.db.transaction(async (tx) => {
      const current = await this.s.stores.signingKeys.get(tx, keyId);
      if (!current || current.uscc !== uscc || current.purpose !== 'licence_signing') {
        throw new ElicenseError('SIGNING_KEY_NOT_FOUND', 'this department has no such signing key', { uscc, keyId });
      }
      const key = await this.s.stores.signingKeys.changeState(tx, keyId, 'withdrawn', at);
      await this.s.stores.audit.append(tx, [{ actor, action: 'signing_key.withdraw', subject: keyId, details: { uscc, from: current.state, reason }, at }]);
      return key;
    });
  }

  private async prepare(req: IssueKeyRequest): Promise<PreparedKey> {
    if (req.custody === 'department') {
      const csr = req.csr.includes('-----BEGIN') ? req.csr : base64Der(req.csr);
      return { publicKey: publicKeyFromCsr(csr), pkcs8: null };
    }
    const pair = await this.generateKey(req.algorithm);
    return { publicKey: pair.publicKey, pkcs8: new Uint8Array(pair.privateKey.export({ type: 'pkcs8', format: 'der' })) };
  }
}

function refuseDepartmentKeyAlgorithm(algorithm: string): never {
  throw new ElicenseError('ALGORITHM_NOT_ALLOWED', algorithm === 'EdDSA' ? EDDSA_DEPARTMENT_KEY_REFUSAL : `${algorithm} is not an algorithm for department keys`, { algorithm });
}

function base64Der(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new ElicenseError('CSR_INVALID', 'the CSR is neither PEM nor base64 DER');
  return new Uint8Array(Buffer.from(compact, 'base64'));
}
