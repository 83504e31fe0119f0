import type { Clock } from '../clock';
import type { StandardsCatalog } from '../standards/StandardsCatalog';

/** What every command gets from the composition root (src/cli/main.ts). */
export interface CliContext {
  clock: Clock;
  env: NodeJS.ProcessEnv;
  /** Loaded on first use: most commands never need the standards. */
  catalog(): StandardsCatalog;
  out(text: string): void;
  err(text: string): void;
  exitCode: number;
}
