import cluster from 'node:cluster';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
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
import { SelfCheckPool } from '../region/licenses/SelfCheckPool';
import { SqlRateLimitStore } from '../store/RateLimitStore';
import { SqlRegionStore } from '../store/RegionStore';
import type { PGliteClass } from '../store/EmbeddedDatabase';
import { SqlSigningKeyStore } from '../store/SigningKeyStore';
import { FederationStore } from '../store/FederationStore';
import { FederationPublisher } from '../region/federation/FederationPublisher';
import { NodeFederation } from '../region/federation/NodeFederation';
import { withTypeSuccession } from '../trust/peer/FederationConfig';
import { NodeVerifyPool } from '../region/verifications/NodeVerifyPool';
import { OwnStatusCache } from '../region/verifications/OwnStatusCache';
import { SqlStatisticsStore } from '../store/StatisticsStore';
import { createApp } from '../http/app';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../http/problem';
import { ElicenseError } from '../errors';
import { bootstrapRegion } from '../region/bootstrap/bootstrapRegion';
import { DEMO_CREDENTIALS_FILE } from '../region/bootstrap/demoCredentials';
import type { RegionMode } from '../store/RegionStore';
import { DEMO_MASTER_KEY_FILE, loadNodeConfig, type NodeConfig } from '../region/NodeConfig';
import { nodeFeatures } from '../http/routes/nodeFeatures';
import type { NodeServices } from '../http/NodeServices';
import { NodeMetrics } from '../region/NodeMetrics';
import { NodeTrust } from '../trust/NodeTrust';
import { SqlRequestNonceStore } from '../store/RequestNonceStore';
import { DepartmentRequestAuthenticator } from '../trust/peer/departmentRequestCheck';
import { PeerDepartmentClient } from '../region/federation/PeerDepartmentClient';
import { RegionSigners } from '../region/RegionSigners';
import { StoreRateLimiter } from '../http/ops/RateLimiter';
import { VerificationStatistics } from '../region/statistics/VerificationStatistics';

export interface RunningNode {
  url: string;
  port: number;
  /** The address listened on: HOST, or for a demo region without HOST 127.0.0.1 only (its keys sit in a file). */
  host: string;
  /** Where a person on this machine opens the node (localhost when listening on every interface). */
  baseUrl: string;
  region: { code: string; name: string; mode: RegionMode } | null;
  /** The demo region's API keys and curl examples, when this is a demo region and the file is there. */
  demoCredentialsFile: string | undefined;
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
  // Before anything is written (data directory, database, demo region and its credentials): a port another
  // process holds stops the start here, so no demo region is ever set up pointing at someone else's node.
  // A process of a cluster shares the port its primary checked (the primary holds it once the first listens).
  if (!cluster.isWorker) await refuseBusyPort(config);
  mkdirSync(resolve(config.dataDir), { recursive: true });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pg'), ...(options.pglite ? { pglite: options.pglite } : {}) });
  let ready = false;
  let listening: Server | undefined;
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
      requestNonces: new SqlRequestNonceStore(),
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
      selfChecks: new SelfCheckPool(config.issuanceWorkers),
      verifyPool: config.verifyWorkers > 0 ? new NodeVerifyPool(config.verifyWorkers) : null,
      peerRequests: new DepartmentRequestAuthenticator({
        db,
        clock,
        nonces: stores.requestNonces,
        peerTrust: () => services.federation.peerTrust(),
        ownRegion: async () => (await trust.current()).region?.code ?? null,
      }),
      peerClient: new PeerDepartmentClient({ db, clock, random: (n) => new Uint8Array(randomBytes(n)), signers, trust, federation: { config: federation, peerTrust: () => services.federation.peerTrust() } }),
    };
    // Listen before the region is set up, so a port taken meanwhile leaves no demo region behind; requests
    // arriving before the app is ready are answered 503 NOT_READY.
    const region = await stores.region.get(db);
    const host = listenHost(config, region ? region.mode === 'demo' : config.demo);
    let handler: (req: IncomingMessage, res: ServerResponse) => void = notReady;
    const server = serverWithTimeouts((req, res) => handler(req, res), config);
    await listen(server, config.port, host);
    const port = (server.address() as AddressInfo).port;
    listening = server;
    const bootstrap = await bootstrapRegion(services, { baseUrl: browsableUrl(host, port) });
    const rateLimiter = new StoreRateLimiter(services);
    const keyRateLimiter = new StoreRateLimiter(services, 'key', { limit: () => config.keyRateLimit });
    const authFailures = new StoreRateLimiter(services, 'auth-failures', { limit: () => config.authFailureLimit });
    const limiters = [rateLimiter, keyRateLimiter, authFailures];
    const app = createApp(services, { features: nodeFeatures(services, { isReady: () => ready }), rateLimiter, keyRateLimiter, authFailures });
    handler = app;
    services.statistics.start();
    services.federation.start();
    await services.ownStatus.start();
    ready = true;
    logger.info({ port, host, store: db.kind, peers: config.federation.peers.length }, 'elicense node listening');
    const setUp = await stores.region.get(db);
    const credentialsFile = join(resolve(config.dataDir), DEMO_CREDENTIALS_FILE);
    let closing: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      host,
      baseUrl: browsableUrl(host, port),
      region: setUp ? { code: setUp.code, name: setUp.name, mode: setUp.mode } : null,
      demoCredentialsFile: bootstrap.credentialsFile ?? (setUp?.mode === 'demo' && existsSync(credentialsFile) ? credentialsFile : undefined),
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
          await services.selfChecks.close();
          await services.verifyPool?.close();
          await services.federation.close();
          await services.ownStatus.close();
          await services.statistics.close();
          await db.close();
          logger.info('elicense node stopped');
        })()),
    };
  } catch (e) {
    if (listening) await new Promise<void>((done) => listening!.close(() => done()));
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

/** Start-up stopped because another process holds the port (nothing was written). */
export class AddressInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`address in use: port ${port} (${host}) is taken by another process; nothing was written. Stop that process, or choose another port: PORT=${port === 65535 ? port - 1 : port + 1} npm start`);
    this.name = 'AddressInUseError';
  }
}

/**
 * Takes the port for a moment and lets it go: EADDRINUSE becomes AddressInUseError.
 * Without HOST the probe takes every interface, which conflicts with a holder of any one of them
 * (the node then listens on 127.0.0.1 or every interface, decided once the database is open).
 */
export async function refuseBusyPort(config: Pick<NodeConfig, 'port' | 'host' | 'hostExplicit'>): Promise<void> {
  if (config.port === 0) return;
  const host = config.hostExplicit ? config.host : '0.0.0.0';
  const probe = createNetServer();
  await listen(probe, config.port, host);
  await new Promise<void>((done) => probe.close(() => done()));
}

function listen(server: { once(event: 'error', f: (e: Error) => void): unknown; removeListener(event: 'error', f: (e: Error) => void): unknown; listen(port: number, host: string, f: () => void): unknown }, port: number, host: string): Promise<void> {
  return new Promise<void>((ok, fail) => {
    const failed = (e: Error) => fail((e as NodeJS.ErrnoException).code === 'EADDRINUSE' ? new AddressInUseError(host, port) : e);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.removeListener('error', failed);
      ok();
    });
  });
}

/** A demo region listens on 127.0.0.1 unless HOST says otherwise: its API keys are in a file on this machine. */
export function listenHost(config: Pick<NodeConfig, 'host' | 'hostExplicit'>, demoRegion: boolean): string {
  if (config.hostExplicit) return config.host;
  return demoRegion ? '127.0.0.1' : config.host;
}

/** The address a browser or curl on this machine uses for a node listening on `host`. */
export function browsableUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return `http://localhost:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Before the app is mounted (start-up still setting up the region). */
function notReady(_req: IncomingMessage, res: ServerResponse): void {
  const problem = toProblem(new ElicenseError('NOT_READY', 'the node is starting'), randomUUID());
  res.writeHead(problem.status, { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Retry-After': '1' });
  res.end(JSON.stringify(problem));
}
