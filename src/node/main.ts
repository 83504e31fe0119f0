#!/usr/bin/env node
import cluster from 'node:cluster';
import { isElicenseError } from '../errors';
import { loadNodeConfig, type NodeConfig } from '../region/NodeConfig';
import { PROCESS_READY, runNodeCluster } from './nodeCluster';
import { AddressInUseError, startNode } from './startNode';
import { startUpBanner } from './startUpBanner';

const cannotStart = (e: unknown): never => {
  const why = isElicenseError(e) ? `${e.code}: ${e.message}` : e instanceof AddressInUseError ? e.message : ((e as Error).stack ?? String(e));
  process.stderr.write(`elicense: cannot start: ${why}\n`);
  process.exit(1);
};

/**
 * `npm start`: run one node process until SIGTERM / SIGINT, then shut down gracefully; with ELICENSE_PROCESSES > 1
 * (PostgreSQL), this process is the primary of that many node processes sharing the port (nodeCluster).
 */
function runOneProcess(): void {
  startNode().then((node) => {
    // Once, readably, beside the JSON log lines on standard output (in a cluster, by its first process).
    const index = process.env['ELICENSE_CLUSTER_PROCESS'];
    if (!cluster.isWorker || index === '1') process.stderr.write(startUpBanner(node));
    const stop = (signal: string) => {
      if (!cluster.isWorker) process.stderr.write(`elicense: ${signal}, shutting down\n`);
      node.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    if (cluster.isWorker) {
      // The primary is gone: stop too rather than serve unsupervised.
      process.once('disconnect', () => stop('primary gone'));
      process.send?.({ type: PROCESS_READY });
    }
  }, cannotStart);
}

if (cluster.isPrimary) {
  let config: NodeConfig | undefined;
  try {
    config = loadNodeConfig(process.env);
  } catch (e) {
    cannotStart(e);
  }
  if (config && config.processes > 1) {
    runNodeCluster(config, { say: (line) => process.stderr.write(`${line}\n`) }).then(
      (code) => process.exit(code),
      cannotStart,
    );
  } else {
    runOneProcess();
  }
} else {
  runOneProcess();
}
