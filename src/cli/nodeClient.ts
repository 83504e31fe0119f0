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

/** The node's answer to a POST: its status, its body parsed when it is a JSON object (else empty), and the raw text. */
export interface NodeAnswer {
  status: number;
  ok: boolean;
  body: Record<string, unknown>;
  text: string;
}

/**
 * POST a JSON body to `path` under the node's base URL as the holder of the key in `apiKeyFile`. Exit 2 when the
 * node cannot be reached or refuses the key (401); every other status is the caller's to judge.
 */
export async function postJsonToNode(opts: { node: string; apiKeyFile: string }, path: string, body: unknown, timeoutMs: number): Promise<NodeAnswer> {
  const url = new URL(path, nodeBaseUrl(opts.node));
  const apiKey = readApiKeyFile(opts.apiKeyFile);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = (e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message;
    throw new CliExit(EXIT.UNREADABLE, `node unreachable: ${cause}`);
  }
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // reported by the caller with the status
  }
  if (res.status === 401) throw new CliExit(EXIT.UNREADABLE, `the node refused the API key: ${String(parsed['code'] ?? res.status)}`);
  return { status: res.status, ok: res.ok, body: parsed, text };
}
