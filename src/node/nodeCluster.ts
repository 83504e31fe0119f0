import cluster, { type Worker } from 'node:cluster';
import type { NodeConfig } from '../region/NodeConfig';
import { refuseBusyPort } from './startNode';

/** What a node process started by the primary tells it once it listens. */
export const PROCESS_READY = 'elicense-node-ready';

/** A process that dies this many times within RESTART_WINDOW_MS is not started again: the cluster stops. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

export interface ClusterOptions {
  /** Lines for a person (standard error). */
  say(line: string): void;
}

/**
 * ELICENSE_PROCESSES > 1 (PostgreSQL only): this process is the primary. It checks the port, starts the first
 * node process and waits until it listens (it migrates the database and sets up a demo region on new data),
 * then the others; they share the port (node:cluster hands connections out in turn). A process that dies is
 * started again, unless it keeps dying (MAX_RESTARTS within a minute: the cluster stops, exit 1). SIGTERM or
 * SIGINT stops every process gracefully, then the primary. Resolves with the exit code.
 */
export async function runNodeCluster(config: NodeConfig, options: ClusterOptions): Promise<number> {
  await refuseBusyPort(config);
  const workers = new Map<number, Worker>();
  const restarts: number[] = [];
  let stopping = false;
  let settle: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (settle = resolve));

  const stopAll = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      [...workers.values()].map(
        (w) =>
          new Promise<void>((done) => {
            if (w.isDead()) return done();
            w.once('exit', () => done());
            w.process.kill('SIGTERM');
          }),
      ),
    );
    settle(code);
  };

  const start = (index: number): Promise<Worker> =>
    new Promise((ready, failed) => {
      const worker = cluster.fork({ ELICENSE_CLUSTER_PROCESS: String(index) });
      workers.set(index, worker);
      let up = false;
      worker.on('message', (m: unknown) => {
        if (!up && typeof m === 'object' && m !== null && (m as { type?: unknown }).type === PROCESS_READY) {
          up = true;
          ready(worker);
        }
      });
      worker.once('exit', (code, signal) => {
        if (workers.get(index) === worker) workers.delete(index);
        if (!up) return failed(new Error(`node process ${index} exited (${signal ?? `code ${code}`}) before it was ready`));
        if (stopping) return;
        const now = Date.now();
        restarts.push(now);
        while (restarts.length > 0 && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
        if (restarts.length > MAX_RESTARTS) {
          options.say(`elicense: node process ${index} died ${restarts.length} times within a minute; stopping`);
          void stopAll(1);
          return;
        }
        options.say(`elicense: node process ${index} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); starting it again`);
        start(index).then(
          (again) => options.say(`elicense: node process ${index} is back (pid ${again.process.pid})`),
          (e: unknown) => {
            options.say(`elicense: ${(e as Error).message}; stopping`);
            void stopAll(1);
          },
        );
      });
    });

  process.once('SIGTERM', () => {
    options.say('elicense: SIGTERM, shutting down every node process');
    void stopAll(0);
  });
  process.once('SIGINT', () => {
    options.say('elicense: SIGINT, shutting down every node process');
    void stopAll(0);
  });

  try {
    // The first alone: it migrates and, on new data, sets up the demo region the others then find.
    await start(1);
    await Promise.all(Array.from({ length: config.processes - 1 }, (_, i) => start(i + 2)));
  } catch (e) {
    options.say(`elicense: cannot start: ${(e as Error).message}`);
    await stopAll(1);
    return finished;
  }
  options.say(`elicense: ${config.processes} node processes share port ${config.port} (ELICENSE_PROCESSES)`);
  return finished;
}
