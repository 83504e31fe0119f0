/**
 * Scale-out: node processes (the compiled `npm start`, as child processes)
 * side by side on one PostgreSQL database serve one region correctly, and a
 * node killed in the middle of a batch leaves nothing half-written.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildNode } from '../../../scripts/bench/childNode';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { StandardsCatalog } from '../../../src/standards/StandardsCatalog';
import { http } from '../helpers/http';
import { assertNothingHalfWritten, buildNode, describeWithPostgres, Region } from './scaleHarness';

const catalog = StandardsCatalog.load();
const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
const typeCode = catalog.getTypeBySlug('business-licence')!.typeCode;
const issueBody = { typeCode, data: sample.draft };
/** One valid licence per certificate number (issue 10): each idempotency key issues its own number. */
const bodyFor = (key: string) => ({ ...issueBody, data: { ...issueBody.data, certificateNumber: `SCALE-${key}` } });

type Keys = { issuer: string; admin: string; auditor: string };

function keysOf(region: Region, dataDir: string): Keys {
  const c = region.credentials(dataDir);
  const issuer = c.keys.find((k) => k.role === 'issuer' && k.department?.licenceTypes.some((t) => t.typeCode === typeCode))!;
  return { issuer: issuer.secret, admin: c.keys.find((k) => k.role === 'region_admin')!.secret, auditor: c.keys.find((k) => k.role === 'auditor')!.secret };
}

async function issue(node: ChildNode, keys: Keys, idempotencyKey: string) {
  return http(node.url, 'POST', '/v1/licenses', { key: keys.issuer, json: bodyFor(idempotencyKey), headers: { 'idempotency-key': idempotencyKey } });
}

async function verify(node: ChildNode, fullForm: string, client = '198.51.100.1') {
  return http(node.url, 'POST', '/v1/verifications', { raw: fullForm, headers: { 'x-forwarded-for': client } });
}

async function auditIntact(node: ChildNode, keys: Keys): Promise<void> {
  const r = await http(node.url, 'GET', '/v1/audit/verify', { key: keys.auditor });
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ ok: true });
}

describeWithPostgres('scale-out: node processes on one PostgreSQL', () => {
  beforeAll(() => buildNode(), 180_000);

  describe('two nodes serving one region', () => {
    let region: Region;
    let a: ChildNode;
    let b: ChildNode;
    let keys: Keys;

    beforeAll(async () => {
      region = await Region.create();
      const dirA = region.dataDir();
      // A sets up the demo region; B finds it in the database and only serves.
      a = await region.start(dirA, { ELICENSE_PUBLIC_RATE_LIMIT: '100' });
      b = await region.start(region.dataDir(), { ELICENSE_PUBLIC_RATE_LIMIT: '100' });
      keys = keysOf(region, dirA);
    }, 180_000);
    afterAll(() => region?.close(), 60_000);

    it('issuing alternately through both gives distinct identifiers and status slots', async () => {
      const results = await Promise.all(Array.from({ length: 24 }, (_, i) => issue(i % 2 ? a : b, keys, `alt-${i}`)));
      for (const r of results) expect(r.status).toBe(201);
      const ids = results.map((r) => r.body.license.certificateIdentifier as string);
      expect(new Set(ids).size).toBe(24);
      // Both processes read every licence, whichever issued it.
      for (const [i, id] of ids.entries()) {
        const got = await http((i % 2 ? b : a).url, 'GET', `/v1/licenses/${encodeURIComponent(id)}`, { key: keys.issuer });
        expect(got.status).toBe(200);
        expect(got.text).toBe(results[i]!.text);
      }
      await assertNothingHalfWritten(region);
    });

    it('the same idempotency key through both processes yields one licence', async () => {
      const key = 'same-key-both-nodes';
      const first = await Promise.all([issue(a, keys, key), issue(b, keys, key), issue(a, keys, key), issue(b, keys, key)]);
      // A racing duplicate either replays the licence or is told the first is still in progress (409).
      for (const r of first) expect([201, 409]).toContain(r.status);
      for (const r of first.filter((x) => x.status === 409)) expect(r.body.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
      const replays = await Promise.all([issue(a, keys, key), issue(b, keys, key)]);
      const ids = new Set([...first, ...replays].filter((r) => r.status === 201).map((r) => r.body.license.certificateIdentifier as string));
      expect(ids.size).toBe(1);
      for (const r of replays) expect(r.headers.get('idempotent-replayed')).toBe('true');
      const [row] = await region.query<{ n: string }>("SELECT count(*) AS n FROM idempotency_keys WHERE key = $1", [key]);
      expect(Number(row!.n)).toBe(1);
      // A different body under the same key is refused on either process.
      const other = await http(b.url, 'POST', '/v1/licenses', { key: keys.issuer, json: { ...issueBody, data: { ...issueBody.data, certificateNumber: 'OTHER-1' } }, headers: { 'idempotency-key': key } });
      expect(other.status).toBe(409);
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('batches on both processes at once: no duplicates, gap-free status slots, one audit chain', async () => {
      const batch = (prefix: string) => ({ records: Array.from({ length: 150 }, (_, i) => ({ idempotencyKey: `${prefix}-${i}`, ...bodyFor(`${prefix}-${i}`) })) });
      const [ra, rb] = await Promise.all([
        http(a.url, 'POST', '/v1/licenses/batch?return=minimal', { key: keys.issuer, json: batch('batch-a') }),
        http(b.url, 'POST', '/v1/licenses/batch?return=minimal', { key: keys.issuer, json: batch('batch-b') }),
      ]);
      expect([ra.status, rb.status]).toEqual([200, 200]);
      expect(ra.body.summary).toEqual({ created: 150, replayed: 0, failed: 0 });
      expect(rb.body.summary).toEqual({ created: 150, replayed: 0, failed: 0 });
      const ids = [...ra.body.results, ...rb.body.results].map((r: { identifier: string }) => r.identifier);
      expect(new Set(ids).size).toBe(300);
      await assertNothingHalfWritten(region);
      await auditIntact(a, keys);
      await auditIntact(b, keys);
    });

    it('a revocation through one process is seen by verification through the other', async () => {
      const issued = await issue(a, keys, 'to-revoke');
      expect(issued.status).toBe(201);
      const before = await verify(b, issued.text);
      expect(before.status).toBe(200);
      expect(before.body.result).toBe('accepted');
      const id = issued.body.license.certificateIdentifier as string;
      const revoked = await http(a.url, 'POST', `/v1/licenses/${encodeURIComponent(id)}/revoke`, { key: keys.admin, json: { reason: 'scale-out test' } });
      expect(revoked.status).toBe(200);
      const after = await verify(b, issued.text);
      expect(after.status).toBe(200);
      expect(after.body.result).toBe('rejected');
      expect(after.body.reasons).toContain('LICENSE_REVOKED');
      // And the status history is one, whichever process is asked.
      const events = await http(b.url, 'GET', `/v1/licenses/${encodeURIComponent(id)}/events`, { key: keys.admin });
      expect(events.body.events.map((e: { to: string }) => e.to)).toEqual(['valid', 'revoked']);
      await auditIntact(b, keys);
    });

    it('rate limits are shared: the processes count one client together', async () => {
      const client = '203.0.113.7';
      const hit = (node: ChildNode) => http(node.url, 'GET', '/healthz', { headers: { 'x-forwarded-for': client } }).then((r) => r.status);
      const run = async (node: ChildNode, n: number) => {
        const statuses: number[] = [];
        for (let i = 0; i < n; i++) statuses.push(await hit(node));
        return statuses;
      };
      const onA = await run(a, 60);
      expect(onA.every((s) => s === 200)).toBe(true);
      // Past one flush interval (200 ms): A's count is in the database.
      await new Promise((r) => setTimeout(r, 600));
      const onB = await run(b, 60);
      expect(onB.filter((s) => s === 200)).toHaveLength(40);
      await new Promise((r) => setTimeout(r, 600));
      expect(await run(a, 5)).toEqual([429, 429, 429, 429, 429]);
      const limited = await http(a.url, 'GET', '/healthz', { headers: { 'x-forwarded-for': client } });
      expect(limited.body.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Another client is not affected.
      expect(await http(b.url, 'GET', '/healthz', { headers: { 'x-forwarded-for': '203.0.113.8' } }).then((r) => r.status)).toBe(200);
    });
  });

  describe('a node killed in the middle of a batch', () => {
    let region: Region;
    let dir: string;
    let node: ChildNode;
    let keys: Keys;
    const N = 1000;
    const batch = { records: Array.from({ length: N }, (_, i) => ({ idempotencyKey: `crash-${i}`, ...bodyFor(`crash-${i}`) })) };

    beforeAll(async () => {
      region = await Region.create();
      dir = region.dataDir();
      node = await region.start(dir);
      keys = keysOf(region, dir);
    }, 180_000);
    afterAll(() => region?.close(), 60_000);

    it('leaves whole chunks only, and a re-run with the same keys completes it without duplicates', async () => {
      const [before] = await region.query<{ n: string }>('SELECT count(*) AS n FROM licences');
      expect(Number(before!.n)).toBe(0);
      const pending = http(node.url, 'POST', '/v1/licenses/batch?return=minimal', { key: keys.issuer, json: batch }).then(
        (r) => r.status,
        () => 'connection lost',
      );
      // Kill it once some chunks have committed, and before the batch is done.
      let committed = 0;
      const deadline = Date.now() + 60_000;
      while (committed === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
        committed = Number((await region.query<{ n: string }>('SELECT count(*) AS n FROM licences'))[0]!.n);
      }
      await node.kill();
      expect(await pending).toBe('connection lost');
      const survived = await assertNothingHalfWritten(region);
      expect(survived).toBeGreaterThan(0);
      expect(survived).toBeLessThan(N);
      // Every licence that survived has its completed idempotency record and its audit entry.
      const [keysDone] = await region.query<{ n: string }>("SELECT count(*) AS n FROM idempotency_keys WHERE key LIKE 'crash-%' AND completed_at IS NOT NULL AND licence_identifier IS NOT NULL");
      expect(Number(keysDone!.n)).toBe(survived);

      node = await region.start(dir);
      await auditIntact(node, keys);
      const rerun = await http(node.url, 'POST', '/v1/licenses/batch?return=minimal', { key: keys.issuer, json: batch });
      expect(rerun.status).toBe(200);
      expect(rerun.body.summary).toEqual({ created: N - survived, replayed: survived, failed: 0 });
      expect(await assertNothingHalfWritten(region)).toBe(N);
      await auditIntact(node, keys);
    });
  });

  describe('one node started with ELICENSE_PROCESSES=2 (node:cluster: a primary and two node processes on one port)', () => {
    let region: Region;
    let node: ChildNode;
    let dir: string;
    let keys: Keys;
    const log = () => readFileSync(join(dir, 'node.log'), 'utf8');
    const children = (pid: number) =>
      readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    const waitForLog = async (pattern: RegExp) => {
      const deadline = Date.now() + 60_000;
      while (!pattern.test(log())) {
        if (Date.now() > deadline) throw new Error(`not in the node's log within 60 s: ${pattern}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    /** pids of the node processes that logged a request (pino's base pid). */
    const servingPids = () => new Set(log().split('\n').filter((l) => l.includes('"msg":"request"')).map((l) => (JSON.parse(l) as { pid: number }).pid));

    beforeAll(async () => {
      region = await Region.create();
      dir = region.dataDir();
      node = await region.start(dir, { ELICENSE_PROCESSES: '2', ELICENSE_PUBLIC_RATE_LIMIT: '1000' });
      keys = keysOf(region, dir);
      // /readyz answers once the first process listens; the second starts after it.
      await waitForLog(/2 node processes share port/);
    }, 180_000);
    afterAll(() => region?.close(), 60_000);

    it('starts the first process (it sets up the region), then the second; one banner; both serve requests', async () => {
      expect(children(node.process.pid!)).toHaveLength(2);
      expect(log().match(/elicense node ready/g)).toHaveLength(1);
      expect(log()).toContain('2 node processes share port');
      // New connections are handed to the processes in turn.
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => http(node.url, 'POST', '/v1/licenses', { key: keys.issuer, json: bodyFor(`cluster-${i}`), headers: { 'idempotency-key': `cluster-${i}`, connection: 'close' } })));
      for (const r of results) expect(r.status).toBe(201);
      const verified = await verify(node, results[0]!.text);
      expect(verified.body.result).toBe('accepted');
      const pids = servingPids();
      for (const c of children(node.process.pid!)) expect(pids.has(c)).toBe(true);
      await assertNothingHalfWritten(region);
    });

    it('a node process that dies is started again, and the node keeps answering', async () => {
      const [victim] = children(node.process.pid!);
      process.kill(victim!, 'SIGKILL');
      await waitForLog(/node process \d is back/);
      expect(children(node.process.pid!)).toHaveLength(2);
      expect(children(node.process.pid!)).not.toContain(victim);
      expect(log()).toMatch(new RegExp(`node process \\d \\(pid ${victim}\\) exited \\(SIGKILL\\); starting it again`));
      for (let i = 0; i < 6; i++) expect((await http(node.url, 'GET', '/readyz', { headers: { connection: 'close', 'x-forwarded-for': '192.0.2.250' } })).status).toBe(200);
    });

    it('SIGTERM stops every node process gracefully, then the primary (exit 0)', async () => {
      const before = children(node.process.pid!);
      expect(await node.stop()).toBe(0);
      for (const pid of before) expect(existsSync(`/proc/${pid}`)).toBe(false);
      expect(log()).toContain('SIGTERM, shutting down every node process');
    });
  });
});
