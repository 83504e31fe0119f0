import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from '../clock';
import { StandardsCatalog } from '../standards/StandardsCatalog';
import { SqlApiKeyStore } from '../store/ApiKeyStore';
import { SqlAuditLog } from '../store/AuditLog';
import { SqlDepartmentStore } from '../store/DepartmentStore';
import { SqlIdempotencyStore } from '../store/IdempotencyStore';
import { KeyVault } from '../store/KeyVault';
import { SqlLicenseFormStore } from '../store/LicenseFormStore';
import { SqlLicenseStore } from '../store/LicenseStore';
import { migrate } from '../store/migrate';
import { openDatabase } from '../store/openDatabase';
import { QrImageReaderPool } from '../forms/image/QrImageReaderPool';
import { SqlRateLimitStore } from '../store/RateLimitStore';
import { SqlRegionStore } from '../store/RegionStore';
import type { PGliteClass } from '../store/EmbeddedDatabase';
import { SqlSigningKeyStore } from '../store/SigningKeyStore';
import { FederationStore } from '../store/FederationStore';
import { FederationPublisher } from '../region/federation/FederationPublisher';
import { NodeFederation } from '../region/federation/NodeFederation';
import { withTypeSuccession } from '../trust/peer/FederationConfig';
import { OwnStatusCache } from '../region/verifications/OwnStatusCache';
import { SqlStatisticsStore } from '../store/StatisticsStore';
import { createApp } from '../http/app';
import { bootstrapRegion } from '../region/bootstrap/bootstrapRegion';
import { DEMO_MASTER_KEY_FILE, loadNodeConfig, type NodeConfig } from '../region/NodeConfig';
import { nodeFeatures } from '../http/routes/nodeFeatures';
import type { NodeServices } from '../http/NodeServices';
import { NodeMetrics } from '../region/NodeMetrics';
import { NodeTrust } from '../trust/NodeTrust';
import { RegionSigners } from '../region/RegionSigners';
import { StoreRateLimiter } from '../http/ops/RateLimiter';
import { VerificationStatistics } from '../region/statistics/VerificationStatistics';

export interface RunningNode {
  url: string;
  port: number;
  services: NodeServices;
  /** Graceful: stop accepting, let in-flight requests finish (up to the grace period), close the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
  /** Test runners only: PGlite loaded outside their module sandbox (see test/store/pgliteEnvironment.js). */
  pglite?: PGliteClass;
}

/** The demo master key lives in the data directory, clearly named; production sets ELICENSE_MASTER_KEY. */
function masterKeyFor(config: NodeConfig, logger: Logger): Buffer {
  if (config.masterKey) return config.masterKey;
  const file = join(config.dataDir, DEMO_MASTER_KEY_FILE);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  logger.warn({ file }, 'ELICENSE_MASTER_KEY is not set: using a demo master key from the data directory (not for production)');
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

/**
 * Composition root of the issuing node: configuration → logger → database
 * (migrated) → stores → region bootstrap → HTTP app → listening server.
 */
export async function startNode(options: StartOptions = {}): Promise<RunningNode> {
  const config = loadNodeConfig(options.env ?? process.env);
  const logger = options.logger ?? pino({ level: config.logLevel, base: { pid: process.pid } });
  mkdirSync(resolve(config.dataDir), { recursive: true });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pg'), ...(options.pglite ? { pglite: options.pglite } : {}) });
  let ready = false;
  try {
    await migrate(db);
    const clock = options.clock ?? systemClock;
    const vault = new KeyVault(masterKeyFor(config, logger));
    const stores: NodeServices['stores'] = {
      departments: new SqlDepartmentStore(),
      signingKeys: new SqlSigningKeyStore(),
      licenses: new SqlLicenseStore(),
      licenseForms: new SqlLicenseFormStore(),
      idempotency: new SqlIdempotencyStore(),
      apiKeys: new SqlApiKeyStore(),
      audit: new SqlAuditLog(),
      rateLimits: new SqlRateLimitStore(),
      region: new SqlRegionStore(),
      federation: new FederationStore(),
      statistics: new SqlStatisticsStore(),
    };
    const catalog = StandardsCatalog.load();
    // The agreement this region signs and the one it verifies by: the configured rules and those its own
    // standards' type code succession implies (docs/adr/0011).
    const federation = withTypeSuccession(config.federation, catalog);
    const trust = new NodeTrust({ db, clock, logger, stores });
    const signers = new RegionSigners({ vault, stores });
    const services: NodeServices = {
      config,
      clock,
      random: (n) => new Uint8Array(randomBytes(n)),
      logger,
      metrics: new NodeMetrics(),
      db,
      catalog,
      vault,
      stores,
      trust,
      signers,
      federation: new NodeFederation(
        { db, clock, logger, store: stores.federation, publisher: new FederationPublisher({ db, clock, logger, signers, trust, stores }, federation), ownTrust: trust },
        federation,
      ),
      ownStatus: new OwnStatusCache({ db, clock, store: stores.federation }),
      statistics: new VerificationStatistics({ db, store: stores.statistics, clock, logger, isKnownType: (t) => catalog.getType(t) !== undefined }),
      qrImages: new QrImageReaderPool({ workers: config.imageDecoding.workers, maxQueue: config.imageDecoding.queue, timeoutMs: config.imageDecoding.timeoutMs }),
    };
    await bootstrapRegion(services);
    const rateLimiter = new StoreRateLimiter(services);
    const keyRateLimiter = new StoreRateLimiter(services, 'key', { limit: () => config.keyRateLimit });
    const authFailures = new StoreRateLimiter(services, 'auth-failures', { limit: () => config.authFailureLimit });
    const limiters = [rateLimiter, keyRateLimiter, authFailures];
    const app = createApp(services, { features: nodeFeatures(services, { isReady: () => ready }), rateLimiter, keyRateLimiter, authFailures });
    const server = serverWithTimeouts(app, config);
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(config.port, config.host, () => ok());
    });
    const port = (server.address() as AddressInfo).port;
    services.statistics.start();
    services.federation.start();
    await services.ownStatus.start();
    ready = true;
    logger.info({ port, store: db.kind, peers: config.federation.peers.length }, 'elicense node listening');
    let closing: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      services,
      close: () =>
        (closing ??= (async () => {
          ready = false;
          await new Promise<void>((done) => {
            const timer = setTimeout(() => {
              server.closeAllConnections();
            }, config.shutdownGraceMs);
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            server.closeIdleConnections();
          });
          // Hand this process's last counts to the shared limiters before the database goes.
          await Promise.all(limiters.map((l) => l.close().catch(() => undefined)));
          await services.qrImages.close();
          await services.federation.close();
          await services.ownStatus.close();
          await services.statistics.close();
          await db.close();
          logger.info('elicense node stopped');
        })()),
    };
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
}

/**
 * The node's http server with every timeout set from the configuration rather
 * than left to Node's defaults: slow or stalled clients (headers dribbled in,
 * a body that never ends, idle keep-alive connections) cannot hold sockets.
 * Node checks the headers and request timeouts on an interval (30 s by
 * default); it is kept a fraction of the shorter timeout so they hold.
 */
function serverWithTimeouts(app: (req: IncomingMessage, res: ServerResponse) => void, config: NodeConfig): Server {
  const { headersMs, requestMs, keepAliveMs } = config.serverTimeouts;
  const server = createServer({ headersTimeout: headersMs, requestTimeout: requestMs, connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(headersMs / 4))) }, app);
  server.keepAliveTimeout = keepAliveMs;
  return server;
}
