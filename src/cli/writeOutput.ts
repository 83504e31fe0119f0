import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CliContext } from './CliContext';

/** Writes to a file (creating its folder), or to standard output when no file is given. */
export function writeOutput(path: string | undefined, data: string | Uint8Array, ctx: Pick<CliContext, 'out'>): void {
  if (path === undefined || path === '-') {
    ctx.out(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}
