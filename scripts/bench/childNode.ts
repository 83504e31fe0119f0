import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { repoPath } from '../../src/repoPath';

/** A node process (the compiled `npm start`) run as a child, as an operator would run it. */
export interface ChildNode {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** SIGTERM and wait for exit (graceful shutdown). */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit: a crash, nothing is flushed. */
  kill(): Promise<void>;
}

export interface ChildNodeOptions {
  /** Environment on top of the parent's (PORT is chosen here unless given). */
  env: Record<string, string | undefined>;
  /** Where the node's JSON log lines go (default: discarded). Logging stays on: its cost is part of what a node costs. */
  logFile?: string;
  /** Script to run instead of the node (e.g. the bench echo server); default dist/src/node/main.js. */
  script?: string;
  /** Node options for the child, e.g. ['--cpu-prof'] to profile it. */
  execArgv?: string[];
  readyPath?: string;
  /** Headers of the readiness probe (e.g. an X-Forwarded-For of its own, so probes do not count against a test client's rate limit). */
  probeHeaders?: Record<string, string>;
  startTimeoutMs?: number;
}

/** A port free right now (the OS picks it); the child binds it moments later. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** Starts the child and waits until `readyPath` (default /readyz) answers 200. */
export async function startChildNode(options: ChildNodeOptions): Promise<ChildNode> {
  const port = options.env['PORT'] !== undefined ? Number(options.env['PORT']) : await freePort();
  const fd = options.logFile !== undefined ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(process.execPath, [...(options.execArgv ?? []), options.script ?? repoPath('dist', 'src', 'node', 'main.js')], {
    env: { ...process.env, HOST: '127.0.0.1', ...options.env, PORT: String(port) },
    stdio: ['ignore', fd, fd],
  });
  if (typeof fd === 'number') closeSync(fd);
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let early: number | null | undefined;
  void exited.then((code) => (early = code));
  for (;;) {
    if (early !== undefined) throw new Error(`node exited with code ${early} before it was ready${options.logFile ? ` (log: ${options.logFile})` : ''}`);
    try {
      const res = await fetch(url + (options.readyPath ?? '/readyz'), { headers: options.probeHeaders ?? {} });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node not ready within ${options.startTimeoutMs ?? 60_000} ms${options.logFile ? ` (log: ${options.logFile})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
