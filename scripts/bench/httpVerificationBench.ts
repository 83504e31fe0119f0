import autocannon from 'autocannon';
import type { ChildNode } from './childNode';

export interface HttpCaseResult {
  name: string;
  /** Successful (2xx) responses per second, median over rounds. */
  requestsPerSecond: number;
  rounds: number[];
  /** Latency (ms) of the median round. */
  latencyMs: { p50: number; p99: number };
}

export interface HttpVerificationBenchResult {
  connections: number;
  secondsPerRound: number;
  bodyBytes: number;
  cases: HttpCaseResult[];
  /** POST /v1/verifications throughput / bare Express JSON echo throughput (target ≥ 0.6). */
  ratioToEcho: number;
}

interface Target {
  name: string;
  url: string;
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
  rounds: number;
  seconds: number;
  connections: number;
}): Promise<HttpVerificationBenchResult> {
  const targets: Target[] = [
    { name: 'bare Express 5 JSON echo (POST /echo)', url: `${opts.echo.url}/echo` },
    { name: 'elicense node POST /v1/verifications (full form)', url: `${opts.node.url}/v1/verifications` },
  ];
  const run = (t: Target, seconds: number) =>
    autocannon({
      url: t.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: opts.fullForm,
      connections: opts.connections,
      duration: seconds,
    });
  for (const t of targets) await run(t, 1); // warm-up: JIT, caches, connection pools
  const rounds = new Map<string, autocannon.Result[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < opts.rounds; r++) {
    for (const t of targets) {
      const result = await run(t, opts.seconds);
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${t.name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
      rounds.get(t.name)!.push(result);
    }
  }
  const cases = targets.map((t) => summarise(t.name, rounds.get(t.name)!));
  return {
    connections: opts.connections,
    secondsPerRound: opts.seconds,
    bodyBytes: Buffer.byteLength(opts.fullForm),
    cases,
    ratioToEcho: cases[1]!.requestsPerSecond / cases[0]!.requestsPerSecond,
  };
}

function summarise(name: string, results: autocannon.Result[]): HttpCaseResult {
  const rates = results.map((r) => r['2xx'] / r.duration);
  const sorted = results.map((r, i) => ({ r, rate: rates[i]! })).sort((a, b) => a.rate - b.rate);
  const median = sorted[sorted.length >> 1]!;
  return { name, requestsPerSecond: median.rate, rounds: rates, latencyMs: { p50: median.r.latency.p50, p99: median.r.latency.p99 } };
}
