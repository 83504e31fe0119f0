import { readdirSync, readFileSync } from 'node:fs';
/**
 * Throughput measurement for `npm run bench`. Cases of one comparison are run
 * in interleaved rounds (A, B, C, A, B, C, ...) so that machine noise hits all
 * of them alike, and each figure is the median over rounds. Figures are only
 * ever reported as ratios against a baseline measured in the same run.
 */
export interface BenchCase {
  name: string;
  /** One operation; may be async. `i` cycles through the inputs. */
  run(i: number): unknown;
}

export interface CaseResult {
  name: string;
  /** Operations per second, median over rounds. */
  opsPerSecond: number;
  /** Per-round rates, for judging noise. */
  rounds: number[];
}

/** One round of a case: its operations per second over `millis` (clock read once per 50 operations). */
export async function rate(c: BenchCase, millis: number): Promise<number> {
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(millis) * 1_000_000n;
  let now = start;
  while (now < end) {
    // Batches of 50 keep the clock reads out of the measurement.
    for (let k = 0; k < 50; k++) {
      const r = c.run(ops++);
      if (r instanceof Promise) await r;
    }
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function compare(cases: BenchCase[], opts: { rounds: number; millis: number; warmupMillis: number }): Promise<CaseResult[]> {
  for (const c of cases) await rate(c, opts.warmupMillis);
  const rounds = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < opts.rounds; r++) {
    for (const c of cases) rounds.get(c.name)!.push(await rate(c, opts.millis));
  }
  return cases.map((c) => ({ name: c.name, opsPerSecond: median(rounds.get(c.name)!), rounds: rounds.get(c.name)! }));
}

/** The process and every process under it (Linux /proc/<pid>/task/<tid>/children), e.g. a node and its cluster's processes. */
function processTree(pid: number): number[] {
  const out = [pid];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const c of children ? children.split(/\s+/) : []) out.push(...processTree(Number(c)));
    }
  } catch {
    // gone, or no /proc
  }
  return out;
}

/**
 * User + system CPU milliseconds so far of a process, all its threads, and of the processes under it (a node
 * started with ELICENSE_PROCESSES: its primary and every node process) (Linux /proc), null elsewhere.
 */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  let total = 0;
  for (const p of processTree(pid)) {
    const ms = ownCpuMs(p);
    if (ms === null) {
      if (p === pid) return null;
      continue;
    }
    total += ms;
  }
  return total;
}

function ownCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") ": utime and stime are the 12th and 13th of them, in clock ticks.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}
