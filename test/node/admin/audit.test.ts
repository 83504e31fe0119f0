/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import type { AuditTampering } from '../../../src/store/verifyAuditChain';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { endTampering, restoreAuditLog, snapshotAuditLog, TAMPERINGS } from './auditTampering';

let node: TestNode;
const audit = (path: string, key = node.keys.auditor) => http(node.url, 'GET', path, { key });

beforeAll(async () => {
  node = await startTestNode();
  // Some administration on top of the bootstrap's entries.
  for (let i = 0; i < 3; i++) {
    const r = await http(node.url, 'POST', '/v1/api-keys', { key: node.keys.admin, json: { role: 'auditor', label: `auditor ${i}` } });
    expect(r.status).toBe(201);
  }
}, 180_000);
afterAll(() => node?.close(), 60_000);

describe('GET /v1/audit', () => {
  it('pages through the entries in order with after and limit', async () => {
    const first = await audit('/v1/audit?limit=5');
    expect(first.status).toBe(200);
    expect(first.body.entries.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(first.body.next).toBe(5);
    expect(first.body.entries[0]).toMatchObject({ seq: 1, actor: expect.any(String), action: expect.any(String), prevHash: '0'.repeat(64), entryHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const second = await audit(`/v1/audit?after=${first.body.next}&limit=5`);
    expect(second.body.entries[0].seq).toBe(6);
    expect(second.body.entries[0].prevHash).toBe(first.body.entries[4].entryHash);
    const all = await audit('/v1/audit?limit=1000');
    expect(all.body.next).toBeNull();
    expect(all.body.entries.slice(-3).map((e: { action: string }) => e.action)).toEqual(['api_key.create', 'api_key.create', 'api_key.create']);
  });

  it('bad paging parameters → 400', async () => {
    for (const q of ['limit=0', 'limit=1001', 'after=-1', 'after=abc', 'limit=1&limit=2']) {
      const r = await audit(`/v1/audit?${q}`);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('INPUT_MALFORMED');
    }
  });

  it('region admin and auditor read it; issuers and anonymous callers do not', async () => {
    expect((await audit('/v1/audit', node.keys.admin)).status).toBe(200);
    expect((await audit('/v1/audit', node.keys.issuerOf('11350100DM00000133'))).status).toBe(403);
    expect((await http(node.url, 'GET', '/v1/audit/verify')).status).toBe(401);
  });
});

describe('GET /v1/audit/verify', () => {
  it('an intact chain → ok with the count and head', async () => {
    const r = await audit('/v1/audit/verify');
    expect(r.status).toBe(200);
    const head = await node.services.stores.audit.head(node.services.db);
    expect(r.body).toMatchObject({ ok: true, count: head.seq, head });
  });

  describe('detects tampering done in the database', () => {
    let seqs: { mid: number; last: number };
    beforeAll(async () => {
      const head = await node.services.stores.audit.head(node.services.db);
      seqs = { mid: Math.floor(head.seq / 2), last: head.seq };
      await snapshotAuditLog(node.services.db);
    });
    afterAll(() => endTampering(node.services.db));

    const cases: Array<[string, (s: { mid: number; last: number }) => number, AuditTampering, (s: { mid: number; last: number }) => number]> = [
      ['changed', (s) => s.mid, 'changed', (s) => s.mid],
      ['changed and rehashed', (s) => s.mid, 'changed', (s) => s.mid],
      ['removed', (s) => s.mid, 'removed', (s) => s.mid],
      ['removed at the end', () => 0, 'removed', (s) => s.last],
      ['reordered', (s) => s.mid, 'reordered', (s) => s.mid],
      ['inserted', (s) => s.mid, 'inserted', (s) => s.mid],
      ['inserted at the end', () => 0, 'inserted', (s) => s.last + 1],
    ];
    it.each(cases)('%s', async (name, at, problem, firstBad) => {
      await restoreAuditLog(node.services.db);
      await TAMPERINGS[name]!(node.services.db, at(seqs));
      const r = await audit('/v1/audit/verify');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: false, problem, firstBadSeq: firstBad(seqs), message: expect.any(String) });
    });

    it('restored → ok again', async () => {
      await restoreAuditLog(node.services.db);
      expect((await audit('/v1/audit/verify')).body.ok).toBe(true);
    });
  });
});
