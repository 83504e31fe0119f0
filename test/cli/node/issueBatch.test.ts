/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineIdempotencyKey } from '../../../src/cli/commands/issueBatchCommand';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { startTestNode, type TestNode } from '../../node/helpers/startTestNode';
import { cli, removeDir, tempDir } from '../cliHarness';

const MARKET = '11350100DM00000133'; // the demo department that issues business licences

let node: TestNode;
let dir: string;
let keyFile: string;

const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;

/** One licence request per line, each with its own certificate number. */
function requestLine(n: number): string {
  return JSON.stringify({ type: 'business-licence', data: { ...sample.draft, certificateNumber: `BATCH-${n}` } });
}

function writeBatch(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

interface ReportLine {
  line: number;
  idempotencyKey: string;
  identifier?: string;
  code?: string;
}

function readReport(file: string): { header: Record<string, unknown>; lines: ReportLine[] } {
  const [header, ...rest] = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ReportLine & Record<string, unknown>);
  return { header: header!, lines: rest };
}

async function licenseCount(): Promise<number> {
  const [row] = await node.services.db.query<{ n: unknown }>('SELECT count(*) AS n FROM licences WHERE uscc = $1', [MARKET]);
  return Number(row!.n);
}

const issueBatch = (file: string, ...extra: string[]) => cli(['issue-batch', file, '--node', node.url, '--api-key-file', keyFile, ...extra]);

beforeAll(async () => {
  node = await startTestNode();
  dir = tempDir('issue-batch');
  keyFile = join(dir, 'issuer.key');
  writeFileSync(keyFile, `${node.keys.issuerOf(MARKET)}\n`);
}, 180_000);
afterAll(async () => {
  await node?.close();
  removeDir(dir);
}, 60_000);

describe('elicense issue-batch', () => {
  let file: string;
  let firstReport: ReportLine[];

  it('issues every good line in chunks; refused lines are reported with their code → exit 1', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => requestLine(i + 1));
    lines.splice(5, 0, '');
    lines.splice(10, 0, '{"type": "business-licence", ');
    lines.splice(15, 0, JSON.stringify({ type: 'no-such-type', data: sample.draft }));
    file = writeBatch('mixed.jsonl', lines);
    const before = await licenseCount();
    const r = await issueBatch(file, '--chunk', '7');
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/issued 25 of 27 lines \(0 in an earlier run\), refused 2; report: .*mixed\.jsonl\.report\.jsonl/);
    expect(await licenseCount()).toBe(before + 25);

    const report = readReport(`${file}.report.jsonl`);
    const sha = report.header['sha256'] as string;
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(report.lines).toHaveLength(27);
    expect(report.lines.find((l) => l.line === 11)).toMatchObject({ code: 'INPUT_MALFORMED' });
    expect(report.lines.find((l) => l.line === 16)).toMatchObject({ code: 'TYPE_UNKNOWN' });
    expect(report.lines.some((l) => l.line === 6)).toBe(false);
    for (const l of report.lines) expect(l.idempotencyKey).toBe(lineIdempotencyKey(sha, l.line));
    firstReport = report.lines.filter((l) => l.identifier);
    expect(new Set(firstReport.map((l) => l.identifier)).size).toBe(25);
    for (const l of firstReport) expect(l.identifier).toMatch(new RegExp(`^1\\.2\\.156\\.3005\\.2\\.\\w+\\.${MARKET}\\.`));
  });

  it('a re-run reads the report: lines already issued are skipped, nothing is issued twice', async () => {
    const before = await licenseCount();
    const r = await issueBatch(file, '--chunk', '7');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/issued 25 of 27 lines \(25 in an earlier run\), refused 2/);
    expect(await licenseCount()).toBe(before);
  });

  it('a re-run without the report (it was lost) replays the same licences through the idempotency keys', async () => {
    const before = await licenseCount();
    const report = join(dir, 'lost-and-redone.jsonl');
    const r = await issueBatch(file, '--report', report, '--chunk', '500');
    expect(r.code).toBe(1);
    expect(await licenseCount()).toBe(before);
    const again = readReport(report).lines.filter((l) => l.identifier);
    expect(again.map((l) => [l.line, l.identifier])).toEqual(firstReport.map((l) => [l.line, l.identifier]));
  });

  it('a report cut short by a crash (half-written last line) resumes where it stopped → exit 0 when all are issued', async () => {
    const clean = writeBatch('clean.jsonl', Array.from({ length: 12 }, (_, i) => requestLine(100 + i)));
    const report = join(dir, 'clean.report.jsonl');
    const before = await licenseCount();
    expect((await issueBatch(clean, '--report', report, '--chunk', '5')).code).toBe(0);
    expect(await licenseCount()).toBe(before + 12);
    const whole = readFileSync(report, 'utf8').split('\n');
    // Keep the header and 4 results, then half of the fifth, as if the process died while writing.
    writeFileSync(report, `${whole.slice(0, 5).join('\n')}\n${whole[5]!.slice(0, 20)}`);
    const r = await issueBatch(clean, '--report', report, '--chunk', '5');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/issued 12 of 12 lines \(4 in an earlier run\), refused 0/);
    expect(await licenseCount()).toBe(before + 12);
  });

  it('a report of another file is refused → exit 2', async () => {
    const other = writeBatch('other.jsonl', [requestLine(500)]);
    const r = await issueBatch(other, '--report', `${file}.report.jsonl`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/another version/);
  });

  it('a wrong API key → exit 2, nothing issued', async () => {
    const badKey = join(dir, 'bad.key');
    writeFileSync(badKey, 'elk_notarealkeynotarealkeynotarealkeynotareal1');
    const one = writeBatch('one.jsonl', [requestLine(600)]);
    const r = await cli(['issue-batch', one, '--node', node.url, '--api-key-file', badKey, '--report', join(dir, 'one-bad.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/UNAUTHENTICATED/);
  });

  it('an unreachable node → exit 2 after a few attempts', async () => {
    const one = writeBatch('unreachable.jsonl', [requestLine(700)]);
    const r = await cli(['issue-batch', one, '--node', 'http://127.0.0.1:9', '--api-key-file', keyFile]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unreachable/);
  }, 30_000);

  it.each([
    ['a missing batch file', (f: string) => [join(dir, 'nope.jsonl'), '--node', 'http://127.0.0.1:9', '--api-key-file', keyFile, '--report', f]],
    ['a missing API key file', (f: string) => [writeBatch('x.jsonl', [requestLine(1)]), '--node', 'http://127.0.0.1:9', '--api-key-file', join(dir, 'none.key'), '--report', f]],
    ['--chunk 0', (f: string) => [writeBatch('y.jsonl', [requestLine(1)]), '--node', 'http://127.0.0.1:9', '--api-key-file', keyFile, '--chunk', '0', '--report', f]],
    ['--chunk 1001', (f: string) => [writeBatch('z.jsonl', [requestLine(1)]), '--node', 'http://127.0.0.1:9', '--api-key-file', keyFile, '--chunk', '1001', '--report', f]],
    ['a --node that is not a URL', (f: string) => [writeBatch('w.jsonl', [requestLine(1)]), '--node', 'localhost:8080', '--api-key-file', keyFile, '--report', f]],
  ])('%s → exit 2', async (_what, args) => {
    const r = await cli(['issue-batch', ...args(join(dir, `report-${Math.random()}.jsonl`))]);
    expect(r.code).toBe(2);
  });
});
