import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import { ElicenseError } from '../../errors';
import { parseCertificate } from '../../pki/certificate/ParsedCertificate';
import { runCeremony, type CertifiedKey, type RegionPki } from '../../pki/ca/ceremony';
import type { ApiKeyRole, ApiKeyStore } from '../../store/ApiKeyStore';
import type { AuditEvent, AuditLog } from '../../store/AuditLog';
import type { Database, Queryable } from '../../store/Database';
import type { DepartmentStore } from '../../store/DepartmentStore';
import type { KeyVault } from '../../store/KeyVault';
import type { RegionMode, RegionRecord, RegionStore } from '../../store/RegionStore';
import type { KeyPurpose, SigningKeyStore } from '../../store/SigningKeyStore';

/** Every process setting up a region on one database queues on this transaction-level lock. */
export const REGION_SET_UP_LOCK = 7_272_002;

export interface SetUpDeps {
  db: Database;
  clock: Clock;
  random: (size: number) => Uint8Array;
  logger: Logger;
  vault: KeyVault;
  stores: {
    region: RegionStore;
    departments: DepartmentStore;
    signingKeys: SigningKeyStore;
    apiKeys: ApiKeyStore;
    audit: AuditLog;
  };
}

/** An API key made during set-up: the secret exists only here, once. */
export interface IssuedApiKey {
  keyId: string;
  role: ApiKeyRole;
  uscc: string | null;
  label: string;
  secret: string;
}

export interface RegionSetUp {
  region: RegionRecord;
  pki: RegionPki;
  apiKeys: IssuedApiKey[];
}

export interface SetUpOptions {
  mode: RegionMode;
  /** The reviewed ceremony configuration (parsed JSON). */
  ceremony: unknown;
  /** Audit actor, e.g. "system:bootstrap" or "cli:init". */
  actor: string;
  /**
   * Called inside the set-up transaction, before it commits, with the result.
   * Whatever must never be lost once the region exists (credentials shown once,
   * the offline root key) is written here: if writing fails, nothing commits.
   * May run again if the transaction is retried; the last run is the one that counts.
   */
  beforeCommit?(setUp: RegionSetUp): Promise<void> | void;
}

/**
 * Sets up the region on an empty database from a CA ceremony, in one
 * transaction under an advisory lock, so that of several processes starting
 * at once exactly one does it and the others find it done:
 * departments, type grants, department signing keys, the time-stamping and
 * trust-list keys and the CA keys (intermediates; the root only in demo mode,
 * in production it stays offline), all sealed with the KeyVault, and API keys
 * (demo: a region admin, one issuer per department and an auditor;
 * production: one region admin). Every step is audited.
 *
 * Returns null when the region was already set up.
 */
export async function setUpRegion(deps: SetUpDeps, options: SetUpOptions): Promise<RegionSetUp | null> {
  return deps.db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [REGION_SET_UP_LOCK]);
    if (await deps.stores.region.get(tx)) return null;
    const at = deps.clock.now();
    // The node's demo region is a demo region whatever its ceremony file says: its certificates carry the demo-region policy.
    const pki = await runCeremony(options.ceremony, { now: at, randomBytes: deps.random, ...(options.mode === 'demo' ? { demo: true } : {}) });
    const setUp = await record(tx, deps, options, pki, at);
    await options.beforeCommit?.(setUp);
    return setUp;
  });
}

async function record(tx: Queryable, deps: SetUpDeps, options: SetUpOptions, pki: RegionPki, at: Date): Promise<RegionSetUp> {
  const { stores, vault } = deps;
  const demo = options.mode === 'demo';
  const audit: AuditEvent[] = [];
  const note = (action: string, subject: string, details: Record<string, unknown>): void => {
    audit.push({ actor: options.actor, action, subject, details: { ...details, ...(demo ? { demo: true } : {}) }, at });
  };

  const region: RegionRecord = { code: pki.region.code, name: pki.region.name, mode: options.mode, rootCertificate: pki.root.certificate.der, setUpAt: at };
  await stores.region.create(tx, region);
  note('region.set_up', pki.region.code, { mode: options.mode, ceremony: pki.record });

  const storeKey = async (key: CertifiedKey, uscc: string | null, purpose: KeyPurpose): Promise<void> => {
    const keyId = keyIdForCertificate(key.certificate.der);
    const { notBefore, notAfter } = parseCertificate(key.certificate.der);
    const pkcs8 = new Uint8Array(key.privateKey.export({ type: 'pkcs8', format: 'der' }));
    const encryptedPrivateKey = vault.seal(keyId, pkcs8);
    pkcs8.fill(0);
    await stores.signingKeys.insert(tx, {
      keyId,
      uscc,
      purpose,
      algorithm: key.algorithm,
      certificate: key.certificate.der,
      chain: key.chain.slice(1),
      encryptedPrivateKey,
      notBefore,
      notAfter,
      at,
    });
    note('signing_key.add', keyId, { purpose, uscc, algorithm: key.algorithm, ceremonyId: key.id, notAfter: notAfter.toISOString() });
  };

  // The root key goes online only in the demo region; a production root stays offline (PKCS#12).
  if (demo) await storeKey(pki.root, null, 'certificate_signing');
  for (const ca of pki.intermediates) await storeKey(ca, null, 'certificate_signing');
  await storeKey(pki.timestampAuthority, null, 'timestamping');
  await storeKey(pki.trustListSigner, null, 'trust_list_signing');

  for (const d of pki.departments) {
    await stores.departments.create(tx, { uscc: d.uscc, name: d.name, divisionCode: d.divisionCode, at });
    note('department.admit', d.uscc, { name: d.name, divisionCode: d.divisionCode });
    for (const typeCode of d.licenseTypes) {
      await stores.departments.grantType(tx, d.uscc, typeCode, at);
      note('department.grant_type', d.uscc, { typeCode });
    }
    await storeKey(d, d.uscc, 'licence_signing');
  }

  const apiKeys: IssuedApiKey[] = [];
  const makeKey = async (role: ApiKeyRole, uscc: string | null, label: string): Promise<void> => {
    const { apiKey, secret } = await stores.apiKeys.create(tx, { role, uscc, label, at });
    apiKeys.push({ keyId: apiKey.keyId, role, uscc, label, secret });
    note('api_key.create', apiKey.keyId, { role, uscc, label });
  };
  await makeKey('region_admin', null, demo ? 'DEMO region administrator' : 'initial region administrator');
  if (demo) {
    for (const d of pki.departments) await makeKey('issuer', d.uscc, `DEMO issuer: ${d.name}`);
    await makeKey('auditor', null, 'DEMO auditor');
  }
  await stores.audit.append(tx, audit);
  return { region, pki, apiKeys };
}

/** For `elicense init`: refuse a database that already holds a region. */
export function regionExists(region: RegionRecord): ElicenseError {
  return new ElicenseError('REGION_EXISTS', `this database already holds the ${region.mode} region ${region.code} (${region.name}), set up ${region.setUpAt.toISOString()}`, {
    code: region.code,
    mode: region.mode,
  });
}
