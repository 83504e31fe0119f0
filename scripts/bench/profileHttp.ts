/**
 * Profiles POST /v1/verifications over HTTP: a node (as `npm start` runs it, on DATABASE_URL's PostgreSQL or
 * the embedded store) and the bench's bare Express echo, each started under `--cpu-prof`, each driven by
 * autocannon with the same full form; writes both .cpuprofile files, a summary of each (top self and total
 * time, start-up included) and the figures (requests/s, latency, server CPU per request) to
 * bench-results/profiles/http-<date>[-<label>]/.
 *
 *   npm run build && DATABASE_URL=postgres://… node dist/scripts/bench/profileHttp.js [label]
 *
 * BENCH_PROFILE_SECONDS of load per server (default 20), BENCH_HTTP_CONNECTIONS (default 16), BENCH_VERIFY_WORKERS the
 * node's ELICENSE_VERIFY_WORKERS (default off; each worker thread's profile is written and summarised beside the main thread's).
 */
import autocannon from 'autocannon';
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { repoPath } from '../../src/repoPath';
import { startBenchNode } from './benchNode';
import { startChildNode, type ChildNode } from './childNode';
import { cpuProfileComponents, cpuProfileReport } from './cpuProfileSummary';
import { processCpuMs } from './measure';

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

/** What one server was given: its summary line and every request it answered 2xx, warm-up included. */
async function load(node: ChildNode, path: string, body: string, seconds: number, connections: number): Promise<{ line: string; served: number }> {
  const drive = (duration: number) => autocannon({ url: `${node.url}${path}`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration });
  const warm = await drive(2);
  const cpu = processCpuMs(node.process.pid);
  const generator = process.cpuUsage();
  const r = await drive(seconds);
  const used = process.cpuUsage(generator);
  const cpuAfter = processCpuMs(node.process.pid);
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${path}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const server = cpu !== null && cpuAfter !== null ? `server CPU ${(((cpuAfter - cpu) * 1000) / r['2xx']).toFixed(0)} µs/request (${((cpuAfter - cpu) / (r.duration * 1000)).toFixed(2)} cores)` : 'server CPU n/a';
  const line = `POST ${path}: ${(r['2xx'] / r.duration).toFixed(0)} requests/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${server}, load generator ${((used.user + used.system) / 1000 / (r.duration * 1000)).toFixed(2)} cores`;
  return { line, served: warm['2xx'] + r['2xx'] };
}

/**
 * Moves the .cpuprofile files the stopped child wrote in `from` beside `to`: the main thread's (thread id 0 in
 * node's CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile names) to `to`, each worker thread's to
 * `<to>-thread<id>.cpuprofile`. Returns the worker threads' files.
 */
function collect(from: string, to: string): string[] {
  const files = readdirSync(from).filter((f) => f.endsWith('.cpuprofile'));
  const threadOf = (f: string) => Number(f.split('.').at(-3));
  const main = files.find((f) => threadOf(f) === 0);
  if (!main) throw new Error(`no main-thread .cpuprofile written in ${from}`);
  renameSync(join(from, main), to);
  return files
    .filter((f) => f !== main)
    .map((f) => {
      const target = to.replace(/\.cpuprofile$/, `-thread${threadOf(f)}.cpuprofile`);
      renameSync(join(from, f), target);
      return target;
    });
}

async function main(): Promise<void> {
  const label = process.argv[2] ? `-${process.argv[2]}` : '';
  const dir = repoPath('bench-results', 'profiles', `http-${new Date().toISOString().slice(0, 10)}${label}`);
  const nodeDir = join(dir, 'node-raw');
  const echoDir = join(dir, 'echo-raw');
  mkdirSync(nodeDir, { recursive: true });
  mkdirSync(echoDir, { recursive: true });
  const seconds = num('BENCH_PROFILE_SECONDS', 20);
  const connections = num('BENCH_HTTP_CONNECTIONS', 16);
  const loadBefore = loadavg();

  const workers = process.env['BENCH_VERIFY_WORKERS'] ?? 'off';
  const bench = await startBenchNode({ execArgv: ['--cpu-prof', `--cpu-prof-dir=${nodeDir}`], env: { ELICENSE_VERIFY_WORKERS: workers } });
  let nodeLine: string;
  let nodeServed: number;
  let fullForm: string;
  try {
    const catalog = StandardsCatalog.load();
    const sample = loadSampleLicenses().find((x) => x.slug === 'business-licence')!;
    const typeCode = catalog.getTypeBySlug('business-licence')!.typeCode;
    const issuer = bench.credentials.keys.find((k) => k.role === 'issuer' && k.department?.licenceTypes.some((t) => t.typeCode === typeCode))!;
    const issued = await fetch(`${bench.node.url}/v1/licenses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.secret}` }, body: JSON.stringify({ typeCode, data: sample.draft }) });
    fullForm = await issued.text();
    if (issued.status !== 201) throw new Error(`could not issue: ${issued.status} ${fullForm.slice(0, 300)}`);
    ({ line: nodeLine, served: nodeServed } = await load(bench.node, '/v1/verifications', fullForm, seconds, connections));
  } finally {
    await bench.close();
  }
  const threads = collect(nodeDir, join(dir, 'node.cpuprofile'));

  const echo = await startChildNode({ env: {}, script: repoPath('dist', 'scripts', 'bench', 'echoServer.js'), execArgv: ['--cpu-prof', `--cpu-prof-dir=${echoDir}`] });
  let echoLine: string;
  let echoServed: number;
  try {
    ({ line: echoLine, served: echoServed } = await load(echo, '/echo', fullForm, seconds, connections));
  } finally {
    await echo.stop();
  }
  collect(echoDir, join(dir, 'echo.cpuprofile'));

  const root = repoPath();
  const summary = [
    `HTTP profile ${new Date().toISOString()}, ${seconds} s of load per server after 2 s of warm-up, ${connections} connections, ${Buffer.byteLength(fullForm)}-byte full form`,
    `load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    `${nodeLine} (ELICENSE_VERIFY_WORKERS=${workers})`,
    echoLine,
    '',
    '== node (node.cpuprofile; start-up included) ==',
    cpuProfileComponents(join(dir, 'node.cpuprofile'), nodeServed),
    cpuProfileReport(join(dir, 'node.cpuprofile'), root, 45),
    '',
    ...threads.flatMap((t) => [`== node worker thread (${t}) ==`, cpuProfileReport(t, root, 15), '']),
    '== echo (echo.cpuprofile) ==',
    cpuProfileComponents(join(dir, 'echo.cpuprofile'), echoServed),
    cpuProfileReport(join(dir, 'echo.cpuprofile'), root, 25),
  ].join('\n');
  writeFileSync(join(dir, 'summary.txt'), summary);
  process.stdout.write(`${summary.split('\n').slice(0, 4).join('\n')}\nwritten ${dir}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
