import { readFileSync } from 'node:fs';
import { CliExit, EXIT } from './exitCodes';

/** Upper bound for any single input file the CLI reads (PDFs with images included). */
export const MAX_CLI_INPUT_BYTES = 16 * 1024 * 1024;

/** Reads FILE, or standard input for "-", refusing oversized input before buffering all of it. */
export function readInput(path: string, maxBytes = MAX_CLI_INPUT_BYTES): Buffer {
  try {
    const bytes = path === '-' ? readFileSync(0) : readFileSync(path);
    if (bytes.length > maxBytes) throw new CliExit(EXIT.UNREADABLE, `${path}: larger than ${maxBytes} bytes`);
    return bytes;
  } catch (e) {
    if (e instanceof CliExit) throw e;
    throw new CliExit(EXIT.UNREADABLE, `${path}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

export function readPassphrase(file: string | undefined, env: NodeJS.ProcessEnv): string {
  if (file) return readInput(file, 4096).toString('utf8').replace(/\r?\n$/, '');
  const fromEnv = env['ELICENSE_PASSPHRASE'];
  if (fromEnv) return fromEnv;
  throw new CliExit(EXIT.UNREADABLE, 'a passphrase is needed: --passphrase-file FILE or ELICENSE_PASSPHRASE (never on the command line)');
}

export function parseAt(value: string | undefined, now: Date): Date {
  if (value === undefined) return now;
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value) || Number.isNaN(d.getTime())) {
    throw new CliExit(EXIT.UNREADABLE, `--at: not an ISO 8601 time: ${value}`);
  }
  return d;
}
