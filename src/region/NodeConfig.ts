import { availableParallelism } from 'node:os';
import { ElicenseError, isElicenseError } from '../errors';
import { verifyWorkersFromEnv } from '../verify/workers/VerifyWorkerPool';
import { EMPTY_FEDERATION, loadFederationConfig, type FederationConfig } from '../trust/peer/FederationConfig';

/** Everything the node reads from its environment, validated once at start-up. */
export interface NodeConfig {
  port: number;
  host: string;
  /** HOST was set: listen there even for a demo region (which otherwise listens on 127.0.0.1 only). */
  hostExplicit: boolean;
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
  /** Requests per window per API key, on every route (keyed callers skip the public limit, not this one). */
  keyRateLimit: { windowSeconds: number; max: number };
  /** Failed authentications per window per client address; beyond: 429 AUTHENTICATION_THROTTLED, valid key or not. */
  authFailureLimit: { windowSeconds: number; max: number };
  /** Units of the caller's rate limit an uploaded image or PDF costs (a JSON verification costs 1). */
  uploadRateCost: number;
  /** QR images are decoded on worker threads: how many at once, how many may wait, and the longest read. */
  imageDecoding: { workers: number; queue: number; timeoutMs: number };
  /** Worker threads self-verifying the licences of a batch while the next is signed (0: on the main thread; ADR 0005). */
  issuanceWorkers: number;
  /**
   * Node processes sharing the port (ELICENSE_PROCESSES: 1 by default, auto = one per core, or 2..64): a
   * primary process forks them and restarts one that dies. PostgreSQL only: the embedded store is one process's.
   */
  processes: number;
  /** Verifier threads for POST /v1/verifications and its batch (ELICENSE_VERIFY_WORKERS: off, auto or 1..64; 0: none, ADR 0005). */
  verifyWorkers: number;
  /** Node http server timeouts: whole headers, whole request (headers and body), idle keep-alive connection. */
  serverTimeouts: { headersMs: number; requestMs: number; keepAliveMs: number };
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
  /** The identity providers whose holder tokens the node accepts (HOLDER_IDENTITY_FILE, JSON; read by src/holder at start-up; absent: none but the DEMO one of a demo region). */
  holderIdentityFile: string | undefined;
  /** Licence types whose use by consuming departments needs the holder's grant, besides those whose type standard says so (ELICENSE_CONSUMER_CONSENT_TYPES, comma-separated type codes; issue 16). */
  consumerConsentTypes?: readonly string[];
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
  const serverTimeouts = {
    headersMs: int('ELICENSE_HEADERS_TIMEOUT_MS', 20_000, 100, 600_000),
    requestMs: int('ELICENSE_REQUEST_TIMEOUT_MS', 120_000, 100, 3_600_000),
    keepAliveMs: int('ELICENSE_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
  };
  // Node refuses a headers timeout longer than the request timeout; say so here, not as a crash at listen.
  if (serverTimeouts.headersMs > serverTimeouts.requestMs) problems.push('ELICENSE_HEADERS_TIMEOUT_MS must not exceed ELICENSE_REQUEST_TIMEOUT_MS');
  const config: NodeConfig = {
    port,
    host: env['HOST'] || '0.0.0.0',
    hostExplicit: !!env['HOST'],
    databaseUrl,
    dataDir: env['ELICENSE_DATA_DIR'] || './data',
    masterKey,
    logLevel,
    bodyLimitBytes: int('ELICENSE_BODY_LIMIT_BYTES', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    publicRateLimit: {
      windowSeconds: int('ELICENSE_PUBLIC_RATE_WINDOW_SECONDS', 60, 1, 3600),
      max: int('ELICENSE_PUBLIC_RATE_LIMIT', 600, 1, 10_000_000),
    },
    keyRateLimit: {
      windowSeconds: int('ELICENSE_KEY_RATE_WINDOW_SECONDS', 60, 1, 3600),
      max: int('ELICENSE_KEY_RATE_LIMIT', 6000, 1, 10_000_000),
    },
    authFailureLimit: {
      windowSeconds: int('ELICENSE_AUTH_FAILURE_WINDOW_SECONDS', 300, 1, 86_400),
      max: int('ELICENSE_AUTH_FAILURE_LIMIT', 30, 1, 1_000_000),
    },
    uploadRateCost: int('ELICENSE_UPLOAD_RATE_COST', 10, 1, 10_000),
    imageDecoding: {
      workers: int('ELICENSE_IMAGE_WORKERS', 2, 1, 64),
      queue: int('ELICENSE_IMAGE_QUEUE', 8, 0, 10_000),
      timeoutMs: int('ELICENSE_IMAGE_TIMEOUT_MS', 15_000, 100, 600_000),
    },
    serverTimeouts,
    issuanceWorkers: int('ELICENSE_ISSUANCE_WORKERS', Math.min(4, Math.max(1, availableParallelism() - 1)), 0, 64),
    verifyWorkers: verifyWorkers(env, problems),
    processes: processCount(env, databaseUrl, problems),
    trustProxyHops: int('ELICENSE_TRUST_PROXY_HOPS', 0, 0, 10),
    demo: demoRaw === 'auto',
    demoCeremonyFile: env['ELICENSE_DEMO_CEREMONY'] || undefined,
    shutdownGraceMs: int('ELICENSE_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    federation,
    holderIdentityFile: env['HOLDER_IDENTITY_FILE'] || undefined,
    consumerConsentTypes: consumerConsentTypes(env['ELICENSE_CONSUMER_CONSENT_TYPES'], problems),
  };
  if (problems.length > 0) {
    throw new ElicenseError('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, { problems });
  }
  return config;
}

/** ELICENSE_CONSUMER_CONSENT_TYPES: type codes (21 characters [0-9A-Z]) separated by commas; empty or absent: none. */
function consumerConsentTypes(raw: string | undefined, problems: string[]): string[] {
  const codes = (raw ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '');
  const bad = codes.filter((c) => !/^[0-9A-Z]{21}$/.test(c));
  if (bad.length > 0) problems.push(`ELICENSE_CONSUMER_CONSENT_TYPES must list licence type codes (21 characters 0-9 A-Z) separated by commas, got ${bad.map((c) => `"${c}"`).join(', ')}`);
  return codes;
}

/** ELICENSE_VERIFY_WORKERS read as verifyWorkersFromEnv reads it; a bad value is one of the configuration's problems. */
function verifyWorkers(env: NodeJS.ProcessEnv, problems: string[]): number {
  try {
    return verifyWorkersFromEnv(env);
  } catch (e) {
    problems.push(isElicenseError(e) ? e.message : String(e));
    return 0;
  }
}

/** ELICENSE_PROCESSES: unset or 1, auto (one per core), or 2..64; more than one needs PostgreSQL. */
function processCount(env: NodeJS.ProcessEnv, databaseUrl: string | undefined, problems: string[]): number {
  const raw = (env['ELICENSE_PROCESSES'] ?? '').trim().toLowerCase();
  const n = raw === '' ? 1 : raw === 'auto' ? availableParallelism() : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    problems.push(`ELICENSE_PROCESSES must be auto or a whole number from 1 to 64, got "${raw}"`);
    return 1;
  }
  if (n > 1 && databaseUrl === undefined) {
    problems.push(`ELICENSE_PROCESSES=${raw} needs PostgreSQL (DATABASE_URL): the embedded store belongs to one process`);
    return 1;
  }
  return n;
}
