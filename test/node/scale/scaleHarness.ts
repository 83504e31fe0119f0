/**
 * Node processes for the scale-out tests: the compiled node (`npm start`) run
 * as real child processes on one PostgreSQL database, as a region would run
 * several of them behind a load balancer.
 */
import { runAdminSql } from '../../../scripts/support/postgresAdmin';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startChildNode, type ChildNode } from '../../../scripts/bench/childNode';
import type { DemoCredentials } from '../../../src/region/bootstrap/demoCredentials';
import { repoPath } from '../../../src/repoPath';

export const ADMIN_DATABASE_URL = process.env['DATABASE_URL'] || undefined;

/** `describe` when DATABASE_URL is set; otherwise one skipped test that says why. */
export function describeWithPostgres(title: string, body: () => void): void {
  if (ADMIN_DATABASE_URL) {
    describe(title, body);
  } else {
    describe(title, () => {
      it.skip('skipped: needs a PostgreSQL server (set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test; .ci/run does)', () => undefined);
    });
  }
}

/** Compiles the node (npm run build). Type errors elsewhere in the tree do not stop the emit; a missing entry point does. */
export function buildNode(): void {
  try {
    execFileSync(process.execPath, [repoPath('node_modules', 'typescript', 'bin', 'tsc'), '-p', repoPath('tsconfig.build.json')], { stdio: 'pipe' });
  } catch (e) {
    process.stderr.write(`scale tests: the build reported errors (running what was emitted):\n${String((e as { stdout?: Buffer }).stdout ?? '')}\n`);
  }
}

/** One region: a fresh PostgreSQL database, a shared master key, and the data directories of its node processes. */
export class Region {
  readonly databaseUrl: string;
  readonly masterKey = randomBytes(32).toString('base64');
  private readonly dirs: string[] = [];
  private readonly nodes: ChildNode[] = [];

  private constructor(
    private readonly name: string,
    url: string,
  ) {
    this.databaseUrl = url;
  }

  static async create(): Promise<Region> {
    const name = `elicense_scale_${randomBytes(6).toString('hex')}`;
    await runAdminSql(ADMIN_DATABASE_URL!, `CREATE DATABASE ${name}`);
    const url = new URL(ADMIN_DATABASE_URL!);
    url.pathname = `/${name}`;
    return new Region(name, url.toString());
  }

  /** A new data directory for a node process (its log file lives there too). */
  dataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'elicense-scale-'));
    this.dirs.push(dir);
    return dir;
  }

  /** Starts a node process on this region's database; waits until /readyz answers 200. */
  async start(dataDir: string, env: Record<string, string> = {}): Promise<ChildNode> {
    const node = await startChildNode({
      env: {
        DATABASE_URL: this.databaseUrl,
        ELICENSE_DATA_DIR: dataDir,
        ELICENSE_MASTER_KEY: this.masterKey,
        ELICENSE_TRUST_PROXY_HOPS: '1',
        LOG_LEVEL: 'info',
        ...env,
      },
      logFile: join(dataDir, 'node.log'),
      // The probe is a client of its own, so it never uses up a test client's rate limit.
      probeHeaders: { 'x-forwarded-for': '192.0.2.250' },
    });
    this.nodes.push(node);
    return node;
  }

  credentials(dataDir: string): DemoCredentials {
    return JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
  }

  async query<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as R[];
    } finally {
      await client.end();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    await runAdminSql(ADMIN_DATABASE_URL!, `DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** Region-wide checks that must hold after anything: every licence complete, status slots gap-free and unique. */
export async function assertNothingHalfWritten(region: Region): Promise<number> {
  const rows = await region.query<{ identifier: string; full_form: string; status_list_id: string; status_index: number }>(
    'SELECT identifier, full_form, status_list_id, status_index FROM licences',
  );
  for (const r of rows) {
    const form = JSON.parse(r.full_form) as { format?: string; signature?: string; license?: { certificateIdentifier?: string } };
    expect(form.format).toBe('elicense/full@1');
    expect(form.signature).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
    expect(form.license?.certificateIdentifier).toBe(r.identifier);
  }
  // A status list's allocated slots are exactly its licences: allocation and insert commit together.
  const lists = await region.query<{ list_id: string; next_index: number }>('SELECT list_id, next_index FROM status_lists');
  for (const list of lists) {
    const indexes = rows.filter((r) => r.status_list_id === list.list_id).map((r) => r.status_index).sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: list.next_index }, (_, i) => i));
  }
  return rows.length;
}
