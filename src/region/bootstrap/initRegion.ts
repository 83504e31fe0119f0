import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { Clock } from '../../clock';
import { ElicenseError } from '../../errors';
import { exportPkcs12 } from '../../pki/pkcs12/exportPkcs12';
import { SqlApiKeyStore } from '../../store/ApiKeyStore';
import { SqlAuditLog } from '../../store/AuditLog';
import { SqlDepartmentStore } from '../../store/DepartmentStore';
import type { PGliteClass } from '../../store/EmbeddedDatabase';
import { KeyVault } from '../../store/KeyVault';
import { migrate } from '../../store/migrate';
import { openDatabase } from '../../store/openDatabase';
import { SqlRegionStore } from '../../store/RegionStore';
import { SqlSigningKeyStore } from '../../store/SigningKeyStore';
import { loadNodeConfig } from '../NodeConfig';
import { regionExists, setUpRegion, type IssuedApiKey, type RegionSetUp } from './setUpRegion';

export interface InitRegionOptions {
  /** The node's environment (DATABASE_URL, ELICENSE_DATA_DIR, ELICENSE_MASTER_KEY). */
  env: NodeJS.ProcessEnv;
  /** The reviewed ceremony configuration (parsed JSON). */
  ceremony: unknown;
  /** Overrides ELICENSE_DATA_DIR. */
  dataDir?: string;
  /** Protects the offline root key file. */
  passphrase: string;
  /** Where the root key goes (PKCS#12); default <data dir>/OFFLINE-root-ca.p12. Never overwritten. */
  rootKeyOut?: string;
  pkcs12Iterations?: number;
  clock: Clock;
  logger?: Logger;
  pglite?: PGliteClass;
}

export interface InitRegionResult {
  setUp: RegionSetUp;
  /** The one region admin key; its secret is shown once, by the caller. */
  adminKey: IssuedApiKey;
  rootKeyFile: string;
}

/**
 * Production set-up (`elicense init`): the same set-up as the demo bootstrap
 * but from the operator's reviewed ceremony, with no demo data, one region
 * admin API key, and the root key written only to a passphrase-protected
 * PKCS#12 file to be taken offline: the node never stores it, so departments
 * directly under the root are certified at a ceremony, not online
 * (ROOT_KEY_OFFLINE). A database that already holds a region is refused.
 */
export async function initRegion(options: InitRegionOptions): Promise<InitRegionResult> {
  const config = loadNodeConfig({ ...options.env, ...(options.dataDir !== undefined ? { ELICENSE_DATA_DIR: options.dataDir } : {}) });
  if (!config.masterKey) {
    throw new ElicenseError('CONFIG_INVALID', 'a production region needs ELICENSE_MASTER_KEY (32 random bytes, base64: openssl rand -base64 32); keep it apart from the database');
  }
  const rootKeyFile = resolve(options.rootKeyOut ?? join(config.dataDir, 'OFFLINE-root-ca.p12'));
  if (existsSync(rootKeyFile)) throw new ElicenseError('CONFIG_INVALID', `${rootKeyFile} exists: a root key file is never overwritten`);
  mkdirSync(resolve(config.dataDir), { recursive: true });
  const logger = options.logger ?? pino({ level: 'silent' });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pg'), ...(options.pglite ? { pglite: options.pglite } : {}) });
  try {
    await migrate(db);
    const stores = {
      region: new SqlRegionStore(),
      departments: new SqlDepartmentStore(),
      signingKeys: new SqlSigningKeyStore(),
      apiKeys: new SqlApiKeyStore(),
      audit: new SqlAuditLog(),
    };
    const existing = await stores.region.get(db);
    if (existing) throw regionExists(existing);
    const setUp = await setUpRegion(
      { db, clock: options.clock, random: (n) => new Uint8Array(randomBytes(n)), logger, vault: new KeyVault(config.masterKey), stores },
      {
        mode: 'production',
        ceremony: options.ceremony,
        actor: 'cli:init',
        beforeCommit: ({ pki }) => {
          // Written before the region commits: a region whose root key was lost must never exist.
          const p12 = exportPkcs12(
            { privateKey: pki.root.privateKey, certificateChain: [pki.root.certificate.der], friendlyName: `${pki.region.name} root CA` },
            options.passphrase,
            options.pkcs12Iterations !== undefined ? { iterations: options.pkcs12Iterations } : {},
          );
          writeFileSync(rootKeyFile, p12, { mode: 0o600 });
        },
      },
    );
    if (!setUp) {
      const raced = await stores.region.get(db);
      throw raced ? regionExists(raced) : new ElicenseError('INTERNAL', 'the region set-up did not happen');
    }
    const adminKey = setUp.apiKeys.find((k) => k.role === 'region_admin')!;
    return { setUp, adminKey, rootKeyFile };
  } finally {
    await db.close();
  }
}
