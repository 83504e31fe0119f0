import { readFileSync } from 'node:fs';
import { CliExit, EXIT } from './exitCodes';

/** A file the command needs, read whole; exit 2 with one line when it cannot be. */
export function readCliFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliExit(EXIT.UNREADABLE, `${what} ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The node's base URL from --node (http or https), ending with a slash so paths resolve under it. */
export function nodeBaseUrl(node: string): URL {
  let base: URL;
  try {
    base = new URL(node);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new CliExit(EXIT.UNREADABLE, `--node must be an http(s) URL, not ${node}`);
  }
  return new URL(base.href.endsWith('/') ? base.href : `${base.href}/`);
}

/** The API key from --api-key-file (never from the command line, where other users could see it). */
export function readApiKeyFile(path: string): string {
  const key = readCliFile(path, 'API key file').toString('utf8').trim();
  if (key === '' || /\s/.test(key)) throw new CliExit(EXIT.UNREADABLE, `${path} must hold one API key`);
  return key;
}
