import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile (node --cpu-prof) that a summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

type CallFrame = CpuProfile['nodes'][number]['callFrame'];

/** A .cpuprofile read from disk with its call tree indexed: frames by node id, each node's parent. */
function readProfileTree(file: string): { profile: CpuProfile; frameOf(id: number): CallFrame; parentOf(id: number): number | undefined } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return { profile, frameOf: (id) => byId.get(id)!.callFrame, parentOf: (id) => parent.get(id) };
}

/** Calls `each` with every sample's leaf node and its duration in ms; returns the sampled ms. */
function eachSample(profile: CpuProfile, each: (leaf: number, ms: number) => void): number {
  let sampled = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    sampled += dt;
    each(profile.samples[i]!, dt);
  }
  return sampled;
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
  const { profile, frameOf, parentOf } = readProfileTree(file);
  const nameOf = (id: number): string => {
    const f = frameOf(id);
    const url = f.url.replace(/^file:\/\//, '').replace(root.endsWith('/') ? root : `${root}/`, '');
    return `${f.functionName || '(anonymous)'}${url ? ` (${url}:${f.lineNumber + 1})` : ''}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const sampled = eachSample(profile, (leaf, dt) => {
    const leafName = nameOf(leaf);
    self.set(leafName, (self.get(leafName) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parentOf(id)) {
      const n = nameOf(id);
      if (seen.has(n)) continue;
      seen.add(n);
      total.set(n, (total.get(n) ?? 0) + dt);
    }
  });
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

/** A named part of the work and how to recognise one of its stack frames (function name, file URL). */
export interface ProfileComponent {
  name: string;
  matches(frame: { functionName: string; url: string }): boolean;
}

/**
 * The parts of a node's HTTP verification request, in the order a frame is tried against them. A sample is
 * charged to the part of its innermost frame that matches one (so socket writes made from express's `send`
 * count as express, the two signature checks as verification).
 */
export const HTTP_COMPONENTS: ProfileComponent[] = [
  { name: 'verification (pure verifier)', matches: (f) => /^(verifyPresentedForm|verifyFullFormDocument|verifyLicense|verifyCompactLicense)$/.test(f.functionName) && /\/src\//.test(f.url) },
  { name: 'strict JSON at the door', matches: (f) => f.functionName === 'parseStrictJson' },
  { name: 'control characters at the door', matches: (f) => f.functionName === 'checkRequestText' },
  { name: 'status prefetch', matches: (f) => f.functionName === 'prefetchStatus' },
  { name: 'statistics', matches: (f) => /Statistics/.test(f.url) },
  { name: 'rate limiting', matches: (f) => /RateLimiter/.test(f.url) },
  { name: 'route input schemas', matches: (f) => /readRouteInput/.test(f.url) },
  { name: 'authentication', matches: (f) => /authenticate/.test(f.url) },
  { name: 'logging (pino)', matches: (f) => /pino|sonic-boom/.test(f.url) },
  { name: 'metrics (prom-client)', matches: (f) => /prom-client/.test(f.url) },
  { name: 'security headers (helmet)', matches: (f) => /helmet/.test(f.url) },
  { name: 'PostgreSQL client (pg)', matches: (f) => /node_modules\/pg/.test(f.url) },
  { name: 'answer JSON (answerJson)', matches: (f) => f.functionName === 'answerJson' },
  { name: 'verification route handler', matches: (f) => /verificationsFeature|verifyPresented/.test(f.url) },
  { name: 'body read (raw-body)', matches: (f) => /raw-body|body-parser/.test(f.url) },
  { name: 'express and router (socket writes from send included)', matches: (f) => /node_modules\/(express|router)\//.test(f.url) },
  { name: 'node edge middleware (app.js)', matches: (f) => /\/src\/http\/app\.js$/.test(f.url) },
];

/**
 * Time per component (HTTP_COMPONENTS by default): each sample charged to the component of its innermost
 * matching frame; otherwise idle, garbage collector, program, Node's HTTP and socket code, module loading
 * (start-up), or other. With `units` (requests served while profiled), also µs per request.
 */
export function cpuProfileComponents(file: string, units?: number, components: ProfileComponent[] = HTTP_COMPONENTS): string {
  const { profile, frameOf, parentOf } = readProfileTree(file);
  const memo = new Map<number, string>();
  const classify = (leaf: number): string => {
    const known = memo.get(leaf);
    if (known !== undefined) return known;
    let found: string | undefined;
    const chain: Array<{ functionName: string; url: string }> = [];
    for (let id: number | undefined = leaf; id !== undefined && found === undefined; id = parentOf(id)) {
      const f = frameOf(id);
      chain.push(f);
      found = components.find((c) => c.matches(f))?.name;
    }
    if (found === undefined) {
      const name = chain[0]?.functionName ?? '';
      if (name === '(idle)') found = 'idle';
      else if (name === '(garbage collector)') found = 'garbage collector';
      else if (name === '(program)') found = '(program)';
      else if (chain.some((f) => /^node:(_http|net|stream|internal\/(streams|http))/.test(f.url) || /^(writev|writeString|writeBuffer)$/.test(f.functionName))) found = 'Node HTTP and sockets';
      else if (chain.some((f) => /loader|realm/.test(f.url))) found = 'module loading (start-up)';
      else found = 'other';
    }
    memo.set(leaf, found);
    return found;
  };
  const ms = new Map<string, number>();
  const sampled = eachSample(profile, (leaf, dt) => {
    const c = classify(leaf);
    ms.set(c, (ms.get(c) ?? 0) + dt);
  });
  const out = [`by component (innermost matching frame)${units ? `, per request over ${units} requests served while profiled (start-up included)` : ''}:`];
  for (const [name, t] of [...ms].sort((a, b) => b[1] - a[1])) {
    out.push(`  ${t.toFixed(0).padStart(7)} ms ${(100 * t / sampled).toFixed(1).padStart(5)}%${units ? `  ${((t * 1000) / units).toFixed(0).padStart(5)} µs/request` : ''}  ${name}`);
  }
  return out.join('\n') + '\n';
}
