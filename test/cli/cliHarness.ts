import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliContext } from '../../src/cli/CliContext';
import { CliExit } from '../../src/cli/exitCodes';
import { runCli } from '../../src/cli/main';
import { systemClock } from '../../src/clock';

/** The repository root (jest runs with it as rootDir; resolved from here to be independent of cwd). */
export const REPO = resolve(__dirname, '..', '..');
export const CEREMONY_FILE = join(REPO, 'fixtures', 'ceremony', 'demo-region.json');
export const DATA_DIR = join(REPO, 'fixtures', 'data');

/** The eight sample licence slugs, from the fixture data files. */
export const SLUGS = readdirSync(DATA_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs the command line in-process with captured output. The environment is
 * explicit (empty by default) so a passphrase in the test runner's own
 * environment can never leak into a case that expects none.
 */
export async function cli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/**
 * Runs one command's action in-process with a captured context, for commands
 * that must get the test runner's PGlite (which the full command line cannot
 * be handed). A CliExit becomes the exit code, its message the last stderr line.
 */
export async function runAction(action: (ctx: CliContext) => Promise<void>, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    clock: systemClock,
    env,
    catalog: () => {
      throw new Error('not needed');
    },
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    exitCode: 0,
  };
  try {
    await action(ctx);
  } catch (e) {
    if (!(e instanceof CliExit)) throw e;
    err.push(e.message);
    ctx.exitCode = e.exitCode;
  }
  return { code: ctx.exitCode, out: out.join('\n'), err: err.join('\n') };
}

/** `cli` for commands printing JSON on stdout: the parsed document with the exit code. */
export async function cliJson<T = Record<string, unknown>>(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun & { json: T }> {
  const r = await cli(argv, env);
  let json: T;
  try {
    json = JSON.parse(r.out) as T;
  } catch {
    throw new Error(`expected JSON on stdout from "${argv.join(' ')}" (exit ${r.code}); stdout: ${r.out.slice(0, 500)} stderr: ${r.err.slice(0, 500)}`);
  }
  return { ...r, json };
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `elicense-${label}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Runs `demo --out DIR/demo` in-process and returns the demo directory. */
export async function makeDemo(dir: string): Promise<string> {
  const out = join(dir, 'demo');
  const r = await cli(['demo', '--out', out]);
  if (r.code !== 0) throw new Error(`demo failed (exit ${r.code}): ${r.out}\n${r.err}`);
  return out;
}

export interface SampleData {
  holder: Record<string, unknown>;
  certificateNumber: string;
  effectiveDate: string;
  expiringDate?: string;
  extendInfo: Record<string, unknown>;
}

/** fixtures/data/<slug>.json reduced to what `issue --data` takes (slug, note, issuer and issuedDate are the issuer's business). */
/** The type slug of a sample: the file name may add a face variant (business-licence-individual). */
export function sampleSlug(sample: string): string {
  return (JSON.parse(readFileSync(join(DATA_DIR, `${sample}.json`), 'utf8')) as { slug: string }).slug;
}

export function sampleData(slug: string): SampleData {
  const raw = JSON.parse(readFileSync(join(DATA_DIR, `${slug}.json`), 'utf8')) as Record<string, unknown>;
  for (const k of ['slug', 'note', 'issuer', 'issuedDate']) delete raw[k];
  // Photo files are named relative to the sample; the data file is written elsewhere, so name them absolutely.
  const photos = raw['photos'] as Record<string, { file: string }> | undefined;
  for (const p of Object.values(photos ?? {})) p.file = resolve(DATA_DIR, p.file);
  return raw as unknown as SampleData;
}

export interface CeremonyDepartment {
  id: string;
  name: string;
  uscc: string;
  divisionCode: string;
  issuer: string;
  licenseTypes: string[];
}

export function ceremonyDepartments(): CeremonyDepartment[] {
  return (JSON.parse(readFileSync(CEREMONY_FILE, 'utf8')) as { departments: CeremonyDepartment[] }).departments;
}
