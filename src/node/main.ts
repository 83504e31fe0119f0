#!/usr/bin/env node
import { isElicenseError } from '../errors';
import { startNode } from './startNode';

/** `npm start`: run one node process until SIGTERM / SIGINT, then shut down gracefully. */
startNode().then(
  (node) => {
    const stop = (signal: string) => {
      process.stderr.write(`elicense: ${signal}, shutting down\n`);
      node.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  },
  (e: unknown) => {
    process.stderr.write(isElicenseError(e) ? `elicense: cannot start: ${e.code}: ${e.message}\n` : `elicense: cannot start: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
