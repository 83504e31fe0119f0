/**
 * A real node for end-to-end tests: startNode() on port 0 with a fresh
 * temporary data directory, on the embedded database, or, when DATABASE_URL
 * is set, on a new uniquely named PostgreSQL database that is dropped again on
 * close(). The demo region is set up as on a newcomer's first start, and its
 * credentials file is read back for the tests.
 *
 * Test files using it need the docblock
 *   @jest-environment ./test/store/pgliteEnvironment.js
 * (PGlite must load outside jest's module sandbox). Share one node per file:
 * start it in beforeAll and close it in afterAll.
 */
import { pgliteTemplate } from '../../store/storeBackends';
import { runAdminSql } from '../../../scripts/support/postgresAdmin';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Clock } from '../../../src/clock';
import type { DemoCredentials } from '../../../src/region/bootstrap/demoCredentials';
import type { NodeServices } from '../../../src/http/NodeServices';
import { startNode } from '../../../src/node/startNode';
import type { PGliteClass } from '../../../src/store/EmbeddedDatabase';

export type TestCredential = DemoCredentials['keys'][number];

export interface TestNode {
  /** http://127.0.0.1:<port> */
  url: string;
  kind: 'embedded' | 'postgres';
  services: NodeServices;
  dataDir: string;
  /** The demo credentials file as written by the node (null when the demo is off). */
  credentials: DemoCredentials | null;
  /** Secrets by role: the region admin, the auditor, and the issuer of a department (by USCC) or of a type (slug or code). */
  keys: {
    admin: string;
    auditor: string;
    issuerOf(departmentOrType: string): string;
  };
  /** The PostgreSQL URL of this node's database (postgres only). */
  databaseUrl: string | undefined;
  /** Stops the node and removes its data directory (and its PostgreSQL database). */
  close(): Promise<void>;
}

export interface TestNodeOptions {
  /** Extra environment (PORT, HOST, ELICENSE_DATA_DIR, LOG_LEVEL and DATABASE_URL are set by the harness). */
  env?: Record<string, string>;
  clock?: Clock;
  /** Reuse a data directory / database of an earlier node (restart tests); it is then not removed on close. */
  reuse?: { dataDir: string; databaseUrl?: string | undefined };
}

/** A fresh, empty place for a node's data: a temp data directory and (with DATABASE_URL) a new PostgreSQL database. */
export interface TestStorage {
  dataDir: string;
  databaseUrl: string | undefined;
  pglite: PGliteClass | undefined;
  remove(): Promise<void>;
}

export async function freshStorage(): Promise<TestStorage> {
  const adminUrl = process.env['DATABASE_URL'] || undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'elicense-node-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  let databaseUrl: string | undefined;
  let pglite: PGliteClass | undefined;
  if (adminUrl) {
    const name = `elicense_node_${randomBytes(6).toString('hex')}`;
    await runAdminSql(adminUrl, `CREATE DATABASE ${name}`);
    cleanups.push(() => runAdminSql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  } else {
    pglite = sandboxFreePGlite();
    cpSync(await pgliteTemplate(pglite), join(dataDir, 'pg'), { recursive: true });
  }
  return {
    dataDir,
    databaseUrl,
    pglite,
    remove: async () => {
      for (const c of cleanups.reverse()) await c();
    },
  };
}

export async function startTestNode(options: TestNodeOptions = {}): Promise<TestNode> {
  const cleanups: Array<() => Promise<void> | void> = [];
  let dataDir: string;
  let databaseUrl: string | undefined;
  let pglite: PGliteClass | undefined;
  if (options.reuse) {
    dataDir = options.reuse.dataDir;
    databaseUrl = options.reuse.databaseUrl;
    if (!databaseUrl) pglite = sandboxFreePGlite();
  } else {
    const storage = await freshStorage();
    ({ dataDir, databaseUrl, pglite } = storage);
    cleanups.push(() => storage.remove());
  }
  const env: NodeJS.ProcessEnv = {
    PORT: '0',
    HOST: '127.0.0.1',
    ELICENSE_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  };
  let node;
  try {
    node = await startNode({
      env,
      logger: pino({ level: 'silent' }),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(pglite ? { pglite } : {}),
    });
  } catch (e) {
    for (const c of cleanups.reverse()) await c();
    throw e;
  }
  const credentialsFile = join(dataDir, 'demo-credentials.json');
  const credentials = existsSync(credentialsFile) ? (JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoCredentials) : null;
  const secretOf = (pick: (k: TestCredential) => boolean, what: string): string => {
    const k = credentials?.keys.find(pick);
    if (!k) throw new Error(`no demo API key for ${what}`);
    return k.secret;
  };
  let closed = false;
  return {
    url: node.url,
    kind: databaseUrl ? 'postgres' : 'embedded',
    services: node.services,
    dataDir,
    credentials,
    databaseUrl,
    keys: {
      get admin() {
        return secretOf((k) => k.role === 'region_admin', 'the region admin');
      },
      get auditor() {
        return secretOf((k) => k.role === 'auditor', 'the auditor');
      },
      issuerOf: (x: string) =>
        secretOf((k) => k.role === 'issuer' && (k.department?.uscc === x || !!k.department?.licenceTypes.some((t) => t.slug === x || t.typeCode === x)), `issuer of ${x}`),
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await node.close();
      for (const c of cleanups.reverse()) await c();
    },
  };
}

/** PGlite as loaded by test/store/pgliteEnvironment.js, outside jest's module sandbox. */
function sandboxFreePGlite(): PGliteClass {
  const pglite = (globalThis as { __ELICENSE_PGLITE__?: PGliteClass }).__ELICENSE_PGLITE__;
  if (!pglite) throw new Error('this test file needs the docblock  @jest-environment ./test/store/pgliteEnvironment.js');
  return pglite;
}
