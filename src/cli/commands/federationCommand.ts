import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isElicenseError } from '../../errors';
import { loadFederationConfig, type FederationConfig } from '../../trust/peer/FederationConfig';
import { parseStrictJson } from '../../json/parseStrictJson';
import { DEMO_MASTER_KEY_FILE } from '../../region/NodeConfig';
import type { PeerSyncReport } from '../../region/federation/FederationSync';
import { checkMasterKey, exportBundleOfDatabase, importBundleIntoDatabase, syncPeersOnce } from '../../region/federation/federationOfDatabase';
import type { ImportReport } from '../../region/federation/trustBundle';
import type { Database } from '../../store/Database';
import type { CliContext } from '../CliContext';
import { CliExit, EXIT } from '../exitCodes';
import { openNodeDatabase, type NodeDatabaseDeps, type NodeDatabaseOptions } from '../openNodeDatabase';
import { writeOutput } from '../writeOutput';

interface FederationOptions extends NodeDatabaseOptions {
  federation?: string | undefined;
  json?: boolean | undefined;
}

/** Largest trust bundle read from a file. */
const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;

function federationConfigOf(opts: FederationOptions, ctx: CliContext): FederationConfig {
  const file = opts.federation ?? (ctx.env['ELICENSE_FEDERATION_FILE'] || undefined);
  if (!file) throw new CliExit(EXIT.UNREADABLE, 'no federation configuration: give --federation FILE or set ELICENSE_FEDERATION_FILE');
  try {
    return loadFederationConfig(file);
  } catch (e) {
    throw new CliExit(EXIT.UNREADABLE, isElicenseError(e) ? e.message : String(e));
  }
}

async function withDatabase<T>(opts: NodeDatabaseOptions, ctx: CliContext, deps: NodeDatabaseDeps, run: (db: Database) => Promise<T>): Promise<T> {
  const db = await openNodeDatabase(opts, ctx, deps);
  try {
    return await run(db);
  } catch (e) {
    if (e instanceof CliExit) throw e;
    throw new CliExit(EXIT.UNREADABLE, `the node database could not be used (is this an elicense node database, migrated?): ${(e as Error).message}`);
  } finally {
    await db.close().catch(() => undefined);
  }
}

function describeSync(r: PeerSyncReport): string {
  if (r.skipped) return `SKIPPED ${r.peer}: backing off after failures`;
  const head = `${r.ok ? 'OK' : 'FAILED'} ${r.peer} (region ${r.regionCode ?? '?'}): ${r.accepted} accepted, ${r.unchanged} unchanged, ${r.bytes} bytes, ${r.durationMs} ms`;
  return [head, ...r.errors.map((e) => `  ${e.code} ${e.kind} ${e.docId}: ${e.message}`)].join('\n');
}

/** `elicense federation sync`: one round for every peer now. Exit 0 all peers synced, 1 some failed (last good copies kept), 2 unreadable. */
export async function runFederationSync(opts: FederationOptions, ctx: CliContext, deps: NodeDatabaseDeps = {}): Promise<void> {
  const config = federationConfigOf(opts, ctx);
  const reports = await withDatabase(opts, ctx, deps, (db) => syncPeersOnce(db, ctx.clock, config));
  if (opts.json) ctx.out(JSON.stringify({ peers: reports }, null, 2));
  else if (reports.length === 0) ctx.out('no peers configured');
  else for (const r of reports) ctx.out(describeSync(r));
  ctx.exitCode = reports.every((r) => r.ok) ? EXIT.ACCEPTED : EXIT.REJECTED;
}

/** The node's master key: ELICENSE_MASTER_KEY, else the demo key file of an embedded node's data directory. */
function masterKeyOf(opts: NodeDatabaseOptions, ctx: CliContext): string {
  const configured = ctx.env['ELICENSE_MASTER_KEY'];
  const demoFile = join(resolve(opts.dataDir ?? (ctx.env['ELICENSE_DATA_DIR'] || './data')), DEMO_MASTER_KEY_FILE);
  try {
    const key = configured ? configured : readFileSync(demoFile, 'utf8');
    checkMasterKey(key);
    return key;
  } catch (e) {
    const why = configured ? (e as Error).message : `ELICENSE_MASTER_KEY is not set and ${demoFile} holds no usable demo master key`;
    throw new CliExit(EXIT.UNREADABLE, `${why}: the trust-list signer cannot be opened`);
  }
}

/** `elicense trust export`: this region's signed documents and the peers' last good copies, as a bundle file. */
export async function runTrustExport(opts: NodeDatabaseOptions & { out: string; federation?: string | undefined }, ctx: CliContext, deps: NodeDatabaseDeps = {}): Promise<void> {
  const masterKey = masterKeyOf(opts, ctx);
  const bundle = await withDatabase(opts, ctx, deps, async (db) => {
    const federation = loadFederationConfig(opts.federation ?? (ctx.env['ELICENSE_FEDERATION_FILE'] || undefined));
    return exportBundleOfDatabase(db, ctx.clock, masterKey, federation);
  });
  writeOutput(opts.out, `${JSON.stringify(bundle)}\n`, ctx);
  if (opts.out !== '-') ctx.out(`wrote ${bundle.documents.length} signed documents (region ${bundle.exportedBy} and its peers' last good copies) to ${opts.out}`);
}

/** `elicense trust import FILE`: every document checked as a sync would; refused ones listed. Exit 0 all taken, 1 some refused, 2 unreadable. */
export async function runTrustImport(file: string, opts: FederationOptions, ctx: CliContext, deps: NodeDatabaseDeps = {}): Promise<void> {
  const config = federationConfigOf(opts, ctx);
  let bundle: unknown;
  try {
    bundle = parseStrictJson(readFileSync(file), { maxBytes: MAX_BUNDLE_BYTES, maxDepth: 8 });
  } catch (e) {
    throw new CliExit(EXIT.UNREADABLE, `${file} is not a readable trust bundle: ${(e as Error).message}`);
  }
  let report: ImportReport;
  try {
    report = await withDatabase(opts, ctx, deps, (db) => importBundleIntoDatabase(db, config, bundle, ctx.clock.now()));
  } catch (e) {
    if (isElicenseError(e)) throw new CliExit(EXIT.UNREADABLE, e.message);
    throw e;
  }
  if (opts.json) ctx.out(JSON.stringify(report, null, 2));
  else {
    ctx.out(`${report.accepted} accepted, ${report.unchanged} unchanged, ${report.refused.length} refused`);
    for (const r of report.refused) ctx.out(`  REFUSED ${r.kind} ${r.docId} (root ${r.rootSha256.slice(0, 16)}…): ${r.code} ${r.message}`);
  }
  ctx.exitCode = report.refused.length === 0 ? EXIT.ACCEPTED : EXIT.REJECTED;
}

const DB_OPTIONS = (c: Command): Command =>
  c
    .option('--database-url <url>', 'PostgreSQL of the node (default: DATABASE_URL)')
    .option('--data-dir <dir>', 'data directory of a node on the embedded database, stopped first (default: ELICENSE_DATA_DIR or ./data)');

export function registerFederation(program: Command, ctx: CliContext, deps: NodeDatabaseDeps = {}): void {
  const federation = program.command('federation').description('mutual recognition: pull the peers\' signed trust lists, status lists and agreements');
  DB_OPTIONS(federation.command('sync'))
    .description('run one sync round now for every configured peer (ignores back-off); refused documents leave the last good copies in place')
    .option('--federation <file>', 'peers and recognition agreement (default: ELICENSE_FEDERATION_FILE)')
    .option('--json', 'print the per-peer report as JSON')
    .addHelpText('after', '\nExit codes: 0 every peer synced, 1 some peer failed (its error is printed), 2 configuration or database unreadable.')
    .action((opts: FederationOptions) => runFederationSync(opts, ctx, deps));

  const trust = program.command('trust').description('signed trust bundles for sites without a network path to the peers');
  DB_OPTIONS(trust.command('export'))
    .description("write this region's current signed documents and the peers' last good copies to a bundle file")
    .requiredOption('--out <file>', 'bundle file to write (- for standard output)')
    .option('--federation <file>', 'the recognition agreement to publish (default: ELICENSE_FEDERATION_FILE)')
    .action((opts: NodeDatabaseOptions & { out: string; federation?: string }) => runTrustExport(opts, ctx, deps));
  DB_OPTIONS(trust.command('import').argument('<file>', 'a bundle written by `elicense trust export`'))
    .description('import a bundle: each document is checked against the pinned root of its peer, its region and its sequence number')
    .option('--federation <file>', 'peers (default: ELICENSE_FEDERATION_FILE)')
    .option('--json', 'print the import report as JSON')
    .addHelpText('after', '\nExit codes: 0 every document accepted or unchanged, 1 some refused (listed), 2 bundle, configuration or database unreadable.')
    .action((file: string, opts: FederationOptions) => runTrustImport(file, opts, ctx, deps));
}
