import { runAdminSql } from '../support/postgresAdmin';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoCredentials } from '../../src/region/bootstrap/demoCredentials';
import { startChildNode, type ChildNode } from './childNode';

/** A node process for the benchmarks, on a database of its own, with the demo region's keys. */
export interface BenchNode {
  node: ChildNode;
  /** 'postgres' (DATABASE_URL) or 'embedded' (PGlite in a temporary data directory). */
  store: 'postgres' | 'embedded';
  credentials: DemoCredentials;
  /** Stops the node (SIGTERM, graceful) and starts it again on the same data; `node` is then the new process. */
  restart(): Promise<ChildNode>;
  close(): Promise<void>;
}

/**
 * Starts the compiled node as a child process, as `npm start` runs it: on a
 * new PostgreSQL database when DATABASE_URL is set (dropped afterwards), else
 * on the embedded store (always with store: 'embedded'). Logging stays on (to /dev/null): a real node logs
 * every request, so that cost belongs in the figures. The public and per-key
 * rate limits are raised out of the way but the limiters still run.
 */
export async function startBenchNode(opts: { execArgv?: string[]; store?: 'embedded'; env?: Record<string, string> } = {}): Promise<BenchNode> {
  const adminUrl = opts.store === 'embedded' ? undefined : process.env['DATABASE_URL'] || undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'elicense-bench-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dataDir, { recursive: true, force: true })];
  let databaseUrl: string | undefined;
  if (adminUrl) {
    const name = `elicense_bench_${randomBytes(6).toString('hex')}`;
    await runAdminSql(adminUrl, `CREATE DATABASE ${name}`);
    cleanups.unshift(() => runAdminSql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  const close = async () => {
    for (const c of cleanups) await c();
  };
  try {
    const masterKey = randomBytes(32).toString('base64');
    const start = () =>
      startChildNode({
        env: {
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '' }),
          ELICENSE_DATA_DIR: dataDir,
          ELICENSE_MASTER_KEY: masterKey,
          ELICENSE_PUBLIC_RATE_LIMIT: '10000000',
          ELICENSE_KEY_RATE_LIMIT: '10000000',
          LOG_LEVEL: 'info',
          ...opts.env,
        },
        startTimeoutMs: 180_000,
        ...(opts.execArgv ? { execArgv: opts.execArgv } : {}),
      });
    let node = await start();
    cleanups.unshift(() => node.stop().then(() => undefined));
    const credentials = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
    const bench: BenchNode = {
      node,
      store: databaseUrl ? 'postgres' : 'embedded',
      credentials,
      restart: async () => {
        await node.stop();
        node = await start();
        bench.node = node;
        return node;
      },
      close,
    };
    return bench;
  } catch (e) {
    await close();
    throw e;
  }
}

