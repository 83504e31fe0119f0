import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile (node --cpu-prof) that a summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  /** function (file:line), relative to the repository where it lies inside it. */
  name: string;
  selfMs: number;
  selfShare: number;
  /** Time with this function anywhere on the stack (counted once per sample). */
  totalMs: number;
  totalShare: number;
}

/**
 * Self and total time per function of a .cpuprofile, largest self time first.
 * `root` is cut from file URLs so the lines read as repository paths.
 */
export function summariseCpuProfile(file: string, root: string): { sampledMs: number; lines: ProfileLine[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nameOf = (id: number): string => {
    const f = byId.get(id)!.callFrame;
    const url = f.url.replace(/^file:\/\//, '').replace(root.endsWith('/') ? root : `${root}/`, '');
    return `${f.functionName || '(anonymous)'}${url ? ` (${url}:${f.lineNumber + 1})` : ''}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let sampled = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    sampled += dt;
    const leaf = p.samples[i]!;
    const leafName = nameOf(leaf);
    self.set(leafName, (self.get(leafName) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const n = nameOf(id);
      if (seen.has(n)) continue;
      seen.add(n);
      total.set(n, (total.get(n) ?? 0) + dt);
    }
  }
  const lines = [...total.keys()].map((name) => {
    const s = self.get(name) ?? 0;
    const t = total.get(name) ?? 0;
    return { name, selfMs: s, selfShare: s / sampled, totalMs: t, totalShare: t / sampled };
  });
  return { sampledMs: sampled, lines };
}

/** A short text report: the top self-time functions, then the top total-time functions of the project. */
export function cpuProfileReport(file: string, root: string, top = 30): string {
  const { sampledMs, lines } = summariseCpuProfile(file, root);
  const pct = (x: number) => `${(100 * x).toFixed(1).padStart(5)}%`;
  const ms = (x: number) => `${x.toFixed(0).padStart(7)} ms`;
  const out: string[] = [`${file}`, `sampled ${sampledMs.toFixed(0)} ms`, '', 'top self time:'];
  for (const l of [...lines].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)) out.push(`  ${ms(l.selfMs)} ${pct(l.selfShare)}  ${l.name}`);
  out.push('', 'top total time (project code: src/, dist/src/):');
  for (const l of [...lines].filter((x) => /\bsrc\//.test(x.name)).sort((a, b) => b.totalMs - a.totalMs).slice(0, top)) out.push(`  ${ms(l.totalMs)} ${pct(l.totalShare)}  ${l.name}`);
  return out.join('\n') + '\n';
}
