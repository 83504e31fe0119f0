import autocannon from 'autocannon';
import type { ChildNode } from './childNode';
import { processCpuMs } from './measure';

export interface HttpCaseResult {
  name: string;
  /** Successful (2xx) responses per second, median over rounds. */
  requestsPerSecond: number;
  rounds: number[];
  /** Latency (ms) of the median round. */
  latencyMs: { p50: number; p99: number };
  /** CPU of the server process (all threads) per answered request, median round; null without /proc. */
  serverCpuMicrosPerRequest: number | null;
  /** Cores the server process kept busy, median round. */
  serverCores: number | null;
  /** Cores the load generator (autocannon, in this process) kept busy, median round: its share of the same machine. */
  generatorCores: number;
}

interface Round {
  result: autocannon.Result;
  serverCpuMs: number | null;
  generatorCpuMs: number;
}

export interface HttpVerificationBenchResult {
  connections: number;
  secondsPerRound: number;
  bodyBytes: number;
  cases: HttpCaseResult[];
  /** POST /v1/verifications throughput / bare Express JSON echo throughput (target ≥ 0.6). */
  ratioToEcho: number;
  /** The same with the node's verifier threads (ELICENSE_VERIFY_WORKERS), when that node was measured. */
  workers?: { setting: string; ratioToEcho: number; ratioToOneThread: number };
  /** The same with several node processes sharing the port (ELICENSE_PROCESSES, PostgreSQL), when measured. */
  processes?: { setting: string; ratioToEcho: number; ratioToOneProcess: number };
}

interface Target {
  name: string;
  url: string;
  pid: number | undefined;
  body: string;
}

/**
 * HTTP verification throughput against a bare Express 5 JSON echo route,
 * both child processes, driven by autocannon with the same settings and the
 * same body (a demo licence's full form), in interleaved rounds; every
 * response must be a 2xx or the run fails.
 */
export async function httpVerificationBench(opts: {
  node: ChildNode;
  echo: ChildNode;
  fullForm: string;
  /** A second node started with verifier threads, and a licence of its own region. */
  pooled?: { node: ChildNode; fullForm: string; setting: string };
  /** A node started with several processes (ELICENSE_PROCESSES), and a licence of its own region. */
  clustered?: { node: ChildNode; fullForm: string; setting: string };
  rounds: number;
  seconds: number;
  connections: number;
}): Promise<HttpVerificationBenchResult> {
  const targets: Target[] = [
    { name: 'bare Express 5 JSON echo (POST /echo)', url: `${opts.echo.url}/echo`, pid: opts.echo.process.pid, body: opts.fullForm },
    { name: 'elicense node POST /v1/verifications (full form)', url: `${opts.node.url}/v1/verifications`, pid: opts.node.process.pid, body: opts.fullForm },
    ...(opts.pooled
      ? [{ name: `same, ELICENSE_VERIFY_WORKERS=${opts.pooled.setting}`, url: `${opts.pooled.node.url}/v1/verifications`, pid: opts.pooled.node.process.pid, body: opts.pooled.fullForm }]
      : []),
    ...(opts.clustered
      ? [{ name: `same, ELICENSE_PROCESSES=${opts.clustered.setting}`, url: `${opts.clustered.node.url}/v1/verifications`, pid: opts.clustered.node.process.pid, body: opts.clustered.fullForm }]
      : []),
  ];
  const run = (t: Target, seconds: number) =>
    autocannon({
      url: t.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: t.body,
      connections: opts.connections,
      duration: seconds,
    });
  for (const t of targets) await run(t, 1); // warm-up: JIT, caches, connection pools
  const rounds = new Map<string, Round[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < opts.rounds; r++) {
    for (const t of targets) {
      const server = processCpuMs(t.pid);
      const generator = process.cpuUsage();
      const result = await run(t, opts.seconds);
      const used = process.cpuUsage(generator);
      const serverAfter = processCpuMs(t.pid);
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${t.name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
      rounds.get(t.name)!.push({ result, serverCpuMs: server !== null && serverAfter !== null ? serverAfter - server : null, generatorCpuMs: (used.user + used.system) / 1000 });
    }
  }
  const cases = targets.map((t) => summarise(t.name, rounds.get(t.name)!));
  return {
    connections: opts.connections,
    secondsPerRound: opts.seconds,
    bodyBytes: Buffer.byteLength(opts.fullForm),
    cases,
    ratioToEcho: cases[1]!.requestsPerSecond / cases[0]!.requestsPerSecond,
    ...(opts.pooled && cases[2]
      ? { workers: { setting: opts.pooled.setting, ratioToEcho: cases[2].requestsPerSecond / cases[0]!.requestsPerSecond, ratioToOneThread: cases[2].requestsPerSecond / cases[1]!.requestsPerSecond } }
      : {}),
    ...(opts.clustered
      ? (() => {
          const c = cases.find((x) => x.name.includes('ELICENSE_PROCESSES'))!;
          return { processes: { setting: opts.clustered.setting, ratioToEcho: c.requestsPerSecond / cases[0]!.requestsPerSecond, ratioToOneProcess: c.requestsPerSecond / cases[1]!.requestsPerSecond } };
        })()
      : {}),
  };
}

function summarise(name: string, results: Round[]): HttpCaseResult {
  const rates = results.map((r) => r.result['2xx'] / r.result.duration);
  const sorted = results.map((r, i) => ({ r, rate: rates[i]! })).sort((a, b) => a.rate - b.rate);
  const median = sorted[sorted.length >> 1]!;
  const { result, serverCpuMs, generatorCpuMs } = median.r;
  const millis = result.duration * 1000;
  return {
    name,
    requestsPerSecond: median.rate,
    rounds: rates,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    serverCpuMicrosPerRequest: serverCpuMs === null ? null : (serverCpuMs * 1000) / Math.max(1, result['2xx']),
    serverCores: serverCpuMs === null ? null : serverCpuMs / millis,
    generatorCores: generatorCpuMs / millis,
  };
}
