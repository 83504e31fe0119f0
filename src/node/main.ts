#!/usr/bin/env node
import { isElicenseError } from '../errors';
import { AddressInUseError, startNode } from './startNode';
import { startUpBanner } from './startUpBanner';

/** `npm start`: run one node process until SIGTERM / SIGINT, then shut down gracefully. */
startNode().then(
  (node) => {
    // Once, readably, beside the JSON log lines on standard output.
    process.stderr.write(startUpBanner(node));
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
    const why = isElicenseError(e) ? `${e.code}: ${e.message}` : e instanceof AddressInUseError ? e.message : ((e as Error).stack ?? String(e));
    process.stderr.write(`elicense: cannot start: ${why}\n`);
    process.exit(1);
  },
);
