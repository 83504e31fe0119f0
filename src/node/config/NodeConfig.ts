import { ElicenseError, isElicenseError } from '../../errors';
import { EMPTY_FEDERATION, loadFederationConfig, type FederationConfig } from '../../federation/FederationConfig';

/** Everything the node reads from its environment, validated once at start-up. */
export interface NodeConfig {
  port: number;
  host: string;
  /** PostgreSQL server; absent: the embedded database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** 32-byte master key that seals private keys at rest; absent: a demo key in the data dir. */
  masterKey: Buffer | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest request body accepted (bytes). */
  bodyLimitBytes: number;
  /** Public routes: requests per window per client address, shared by every process (database-backed). */
  publicRateLimit: { windowSeconds: number; max: number };
  /** Honour X-Forwarded-For from this many proxy hops (0: do not). */
  trustProxyHops: number;
  /** Set up the clearly labelled demo region on a fresh data directory. */
  demo: boolean;
  /** The ceremony the demo region is built from (ELICENSE_DEMO_CEREMONY; default fixtures/ceremony/demo-region.json). */
  demoCeremonyFile: string | undefined;
  /** Longest time to wait for in-flight requests on shutdown. */
  shutdownGraceMs: number;
  /** Peers, recognition agreement and sync schedule (ELICENSE_FEDERATION_FILE; absent: no peers). */
  federation: FederationConfig;
}

/** Where a node without ELICENSE_MASTER_KEY keeps its demo master key (in its data directory). */
export const DEMO_MASTER_KEY_FILE = 'DEMO-master.key';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Reads and validates the node's configuration. Every problem is reported at
 * once, and a bad value stops the node with a clear message (CONFIG_INVALID)
 * instead of surfacing later as a confusing failure.
 */
export function loadNodeConfig(env: NodeJS.ProcessEnv): NodeConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const port = int('PORT', 8080, 0, 65535);
  const databaseUrl = env['DATABASE_URL'] || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  let masterKey: Buffer | undefined;
  const mk = env['ELICENSE_MASTER_KEY'];
  if (mk !== undefined && mk !== '') {
    masterKey = /^[A-Za-z0-9+/]+={0,2}$/.test(mk) ? Buffer.from(mk, 'base64') : undefined;
    if (!masterKey || masterKey.length !== 32) problems.push('ELICENSE_MASTER_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)');
  }
  const logLevel = (env['LOG_LEVEL'] ?? 'info') as NodeConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const demoRaw = env['ELICENSE_DEMO'] ?? 'auto';
  if (!['auto', 'off'].includes(demoRaw)) problems.push('ELICENSE_DEMO must be "auto" (demo region on a fresh data directory) or "off"');
  let federation: FederationConfig = EMPTY_FEDERATION;
  try {
    federation = loadFederationConfig(env['ELICENSE_FEDERATION_FILE'] || undefined);
  } catch (e) {
    if (!isElicenseError(e)) throw e;
    problems.push(`ELICENSE_FEDERATION_FILE: ${e.message}`);
  }
  const config: NodeConfig = {
    port,
    host: env['HOST'] || '0.0.0.0',
    databaseUrl,
    dataDir: env['ELICENSE_DATA_DIR'] || './data',
    masterKey,
    logLevel,
    bodyLimitBytes: int('ELICENSE_BODY_LIMIT_BYTES', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    publicRateLimit: {
      windowSeconds: int('ELICENSE_PUBLIC_RATE_WINDOW_SECONDS', 60, 1, 3600),
      max: int('ELICENSE_PUBLIC_RATE_LIMIT', 600, 1, 10_000_000),
    },
    trustProxyHops: int('ELICENSE_TRUST_PROXY_HOPS', 0, 0, 10),
    demo: demoRaw === 'auto',
    demoCeremonyFile: env['ELICENSE_DEMO_CEREMONY'] || undefined,
    shutdownGraceMs: int('ELICENSE_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    federation,
  };
  if (problems.length > 0) {
    throw new ElicenseError('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, { problems });
  }
  return config;
}
