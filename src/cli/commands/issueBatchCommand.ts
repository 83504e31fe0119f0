import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { CliContext } from '../CliContext';
import { CliExit, EXIT } from '../exitCodes';
import { nodeBaseUrl, readApiKeyFile, readCliFile } from '../nodeClient';

/** The node takes at most this many records per batch request. */
export const MAX_CHUNK = 1000;
const DEFAULT_CHUNK = 500;
const ATTEMPTS = 4;
const REQUEST_TIMEOUT_MS = 180_000;
const REPORT_KIND = 'elicense issue-batch report';

export interface IssueBatchOptions {
  node: string;
  apiKeyFile: string;
  report?: string | undefined;
  chunk: string;
}

/** What became of one line: an identifier, or the stable code of its refusal. */
export type LineResult = { line: number; idempotencyKey: string; identifier: string } | { line: number; idempotencyKey: string; code: string; detail: string };

interface ReportHeader {
  kind: string;
  file: string;
  sha256: string;
}

interface PendingLine {
  line: number;
  idempotencyKey: string;
  request: Record<string, unknown>;
}

/** Per-record result of POST /v1/licenses/batch?return=minimal. */
type BatchResult =
  | { index: number; status: 'created' | 'replayed'; identifier: string }
  | { index: number; status: 'failed'; error: { code: string; detail: string } };

/**
 * A line's idempotency key: bound to the file's content and the line's
 * place, so a re-run of the same file (after a crash, a lost response or a
 * killed node) can never issue a line twice, while another file's line 7 is a
 * different request.
 */
export function lineIdempotencyKey(fileSha256: string, line: number): string {
  return createHash('sha256').update(`elicense issue-batch\n${fileSha256}\n${line}`, 'utf8').digest('hex');
}

/** Reads an existing report: the results by line (the last word on a line wins); refuses a report of another file. */
export function readReport(path: string, sha256: string): Map<number, LineResult> {
  const done = new Map<number, LineResult>();
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = parseJsonObject(lines[0] ?? '') as Partial<ReportHeader> | null;
  if (!header || header.kind !== REPORT_KIND) throw new CliExit(EXIT.UNREADABLE, `${path} is not an issue-batch report`);
  if (header.sha256 !== sha256) throw new CliExit(EXIT.UNREADABLE, `${path} is the report of another version of ${header.file ?? 'the file'}; give a new --report`);
  for (const l of lines.slice(1)) {
    const r = parseJsonObject(l) as LineResult | null;
    // A line cut short by a crash mid-write is simply not done yet.
    if (r && Number.isInteger(r.line)) done.set(r.line, r);
  }
  return done;
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function parseChunk(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CHUNK) throw new CliExit(EXIT.UNREADABLE, `--chunk: a whole number from 1 to ${MAX_CHUNK}, not ${value}`);
  return n;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Posts one chunk. Transient trouble (network, 429, 5xx) is retried with
 * backoff (the idempotency keys make that safe); a node still unreachable
 * after that, or one refusing the API key, ends the run (exit 2). A refusal
 * of the whole request (e.g. 422) refuses each of its lines.
 */
async function postChunk(url: string, apiKey: string, chunk: PendingLine[]): Promise<BatchResult[]> {
  const body = JSON.stringify({ records: chunk.map((p) => ({ ...p.request, idempotencyKey: p.idempotencyKey })) });
  let lastProblem = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      lastProblem = `node unreachable: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`;
      if (attempt < ATTEMPTS) await sleep(250 * 2 ** attempt);
      continue;
    }
    const text = await res.text();
    const json = parseJsonObject(text);
    if (res.ok && json && Array.isArray(json['results'])) return json['results'] as BatchResult[];
    const code = typeof json?.['code'] === 'string' ? (json['code'] as string) : `HTTP_${res.status}`;
    const detail = typeof json?.['detail'] === 'string' ? (json['detail'] as string) : text.slice(0, 200);
    if (res.status === 401 || res.status === 403) throw new CliExit(EXIT.UNREADABLE, `the node refused the API key: ${code}: ${detail}`);
    if (res.status === 429 || res.status >= 500) {
      lastProblem = `${code}: ${detail}`;
      const retryAfter = Number(res.headers.get('retry-after'));
      if (attempt < ATTEMPTS) await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 10) * 1000 : 250 * 2 ** attempt);
      continue;
    }
    if (res.ok) throw new CliExit(EXIT.UNREADABLE, `unexpected answer from ${url}: ${text.slice(0, 200)}`);
    return chunk.map((_, index) => ({ index, status: 'failed', error: { code, detail } }));
  }
  throw new CliExit(EXIT.UNREADABLE, `giving up after ${ATTEMPTS} attempts: ${lastProblem}`);
}

/** `elicense issue-batch`: exit 0 every line issued, 1 some refused, 2 unreadable input or node unreachable. */
export async function runIssueBatch(file: string, opts: IssueBatchOptions, ctx: CliContext): Promise<void> {
  const chunkSize = parseChunk(opts.chunk);
  // Minimal answers: identifiers, not the full forms (fetch those with GET /v1/licenses/{identifier}).
  const batchUrl = new URL('v1/licenses/batch?return=minimal', nodeBaseUrl(opts.node)).href;
  const apiKey = readApiKeyFile(opts.apiKeyFile);
  const content = readCliFile(file, 'batch file');
  const sha256 = createHash('sha256').update(content).digest('hex');
  const reportPath = opts.report ?? `${file}.report.jsonl`;

  const done = existsSync(reportPath) ? readReport(reportPath, sha256) : new Map<number, LineResult>();
  if (!existsSync(reportPath)) writeFileSync(reportPath, `${JSON.stringify({ kind: REPORT_KIND, file: basename(file), sha256 } satisfies ReportHeader)}\n`);
  const record = (r: LineResult): void => {
    done.set(r.line, r);
    appendFileSync(reportPath, `${JSON.stringify(r)}\n`);
  };

  const lines = content.toString('utf8').split('\n');
  const pending: PendingLine[] = [];
  let total = 0;
  let earlier = 0;
  lines.forEach((raw, i) => {
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '') return;
    total++;
    const line = i + 1;
    const previous = done.get(line);
    if (previous && 'identifier' in previous) {
      earlier++;
      return;
    }
    const idempotencyKey = lineIdempotencyKey(sha256, line);
    const request = parseJsonObject(text);
    if (!request) record({ line, idempotencyKey, code: 'INPUT_MALFORMED', detail: 'the line is not a JSON object' });
    else pending.push({ line, idempotencyKey, request });
  });

  const bar = process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: 'issuing [{bar}] {value}/{total} lines | {refused} refused | eta {eta}s' }) : undefined;
  bar?.start(total, earlier, { refused: 0 });
  let refused = total - earlier - pending.length;
  try {
    for (let start = 0; start < pending.length; start += chunkSize) {
      const chunk = pending.slice(start, start + chunkSize);
      const results = await postChunk(batchUrl, apiKey, chunk);
      chunk.forEach((p, index) => {
        const r = results.find((x) => x.index === index);
        if (r && r.status !== 'failed' && typeof r.identifier === 'string') {
          record({ line: p.line, idempotencyKey: p.idempotencyKey, identifier: r.identifier });
        } else {
          refused++;
          const error = r?.status === 'failed' ? r.error : { code: 'NO_RESULT', detail: 'the node returned no result for this record' };
          record({ line: p.line, idempotencyKey: p.idempotencyKey, code: String(error.code), detail: String(error.detail) });
        }
      });
      bar?.update(earlier + start + chunk.length, { refused });
    }
  } finally {
    bar?.stop();
  }
  const issued = [...done.values()].filter((r) => 'identifier' in r).length;
  ctx.out(`issued ${issued} of ${total} lines (${earlier} in an earlier run), refused ${refused}; report: ${reportPath}`);
  ctx.exitCode = refused === 0 ? EXIT.ACCEPTED : EXIT.REJECTED;
}

export function registerIssueBatch(program: Command, ctx: CliContext): void {
  program
    .command('issue-batch')
    .description('issue licences from a JSON Lines file (one POST /v1/licenses body per line) through a node, resumably')
    .argument('<file>', 'JSONL file: one licence request per line')
    .requiredOption('--node <url>', 'base URL of the issuing node, e.g. http://127.0.0.1:8080')
    .requiredOption('--api-key-file <file>', "file holding the department's issuer API key")
    .option('--report <file>', 'JSONL report, one result per line (line → identifier or error code); read again on a re-run to skip lines already issued (default FILE.report.jsonl)')
    .option('--chunk <n>', `records per batch request (1 to ${MAX_CHUNK})`, String(DEFAULT_CHUNK))
    .addHelpText(
      'after',
      '\nEach line gets an idempotency key derived from the file content and its line number: re-running the same file never issues a line twice.\nExit codes: 0 every line issued, 1 some lines refused (see the report), 2 unreadable input or node unreachable.',
    )
    .action((file: string, opts: IssueBatchOptions) => runIssueBatch(file, opts, ctx));
}
