/** @jest-environment ./test/store/pgliteEnvironment.js */
import pino from 'pino';
import { ElicenseError } from '../../../src/errors';
import type { NodeServices } from '../../../src/http/NodeServices';
import { StoreRateLimiter } from '../../../src/http/ops/RateLimiter';
import type { Database } from '../../../src/store/Database';
import { SqlRateLimitStore } from '../../../src/store/RateLimitStore';
import { describeStores } from '../../store/storeBackends';

/** A settable clock, so windows can be crossed without waiting. */
function movableClock(start: Date) {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

/** The slice of the node's services the limiter uses: config, clock, database, rate-limit store, logger. */
function servicesFor(db: Database, clock: { now(): Date }, max: number): NodeServices {
  return {
    config: { publicRateLimit: { windowSeconds: 60, max } },
    clock,
    db,
    logger: pino({ level: 'silent' }),
    stores: { rateLimits: new SqlRateLimitStore() },
  } as unknown as NodeServices;
}

async function admitted(limiter: StoreRateLimiter, client: string, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      await limiter.check(client);
      ok++;
    } catch (e) {
      if (!(e instanceof ElicenseError) || e.code !== 'RATE_LIMITED') throw e;
    }
  }
  return ok;
}

// A long flush interval: the tests flush by hand, so nothing depends on timing.
const MANUAL = { flushIntervalMs: 60_000 };

describeStores('StoreRateLimiter', (h) => {
  let n = 0;
  const client = () => `client-${++n}`;
  const T = new Date('2030-01-01T00:00:10Z');

  it('within one process the limit is exact, and the refusal says when to retry', async () => {
    const clock = movableClock(T);
    const limiter = new StoreRateLimiter(servicesFor(h.db(), clock, 5), 'public', MANUAL);
    const c = client();
    expect(await admitted(limiter, c, 5)).toBe(5);
    const refused = await limiter.check(c).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ElicenseError);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 50 } });
    // Another client has its own budget.
    expect(await admitted(limiter, client(), 5)).toBe(5);
    await limiter.close();
  });

  it('processes share one limit through the database (two limiters on one database)', async () => {
    const clock = movableClock(T);
    const a = new StoreRateLimiter(servicesFor(h.db(), clock, 10), 'public', MANUAL);
    const b = new StoreRateLimiter(servicesFor(h.db(), clock, 10), 'public', MANUAL);
    const c = client();
    expect(await admitted(a, c, 6)).toBe(6);
    await a.flush();
    // b has never seen the client: it reads the shared total before deciding.
    expect(await admitted(b, c, 10)).toBe(4);
    await b.flush();
    await a.flush();
    // a's view now includes b's hits.
    expect(await admitted(a, c, 3)).toBe(0);
    const [row] = await h.db().query<{ hits: unknown }>('SELECT hits FROM rate_limit_buckets WHERE bucket = $1', [`public:${c}`]);
    expect(Number(row!.hits)).toBe(10);
    await Promise.all([a.close(), b.close()]);
  });

  it('an expensive request costs several units, shared across processes like single hits', async () => {
    const clock = movableClock(T);
    const a = new StoreRateLimiter(servicesFor(h.db(), clock, 30), 'public', MANUAL);
    const b = new StoreRateLimiter(servicesFor(h.db(), clock, 30), 'public', MANUAL);
    const c = client();
    await a.check(c, 10);
    await a.check(c, 10);
    await a.flush();
    // 20 of 30 spent (seen by b from the database): 10 more fit, 11 do not.
    await expect(b.check(c, 11)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await b.check(c, 10);
    await expect(b.check(c, 1)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await Promise.all([a.close(), b.close()]);
  });

  it('exceeded() tells whether a client has used up its limit, without counting', async () => {
    const clock = movableClock(T);
    const limiter = new StoreRateLimiter(servicesFor(h.db(), clock, 1000), 'auth-failures', { ...MANUAL, limit: () => ({ windowSeconds: 300, max: 3 }) });
    const c = client();
    for (let i = 0; i < 5; i++) expect(await limiter.exceeded(c)).toBeNull();
    expect(await admitted(limiter, c, 3)).toBe(3);
    // Its own limit (3 in 300 s), not the public one of the services (1000).
    expect(await limiter.exceeded(c)).toBe(290);
    await limiter.close();
  });

  it('a new window starts a new count', async () => {
    const clock = movableClock(T);
    const limiter = new StoreRateLimiter(servicesFor(h.db(), clock, 2), 'public', MANUAL);
    const c = client();
    expect(await admitted(limiter, c, 3)).toBe(2);
    clock.advance(60_000);
    expect(await admitted(limiter, c, 3)).toBe(2);
    await limiter.close();
  });

  it('close() sends the hits still counted locally', async () => {
    const clock = movableClock(T);
    const limiter = new StoreRateLimiter(servicesFor(h.db(), clock, 100), 'public', MANUAL);
    const c = client();
    await admitted(limiter, c, 7);
    await limiter.close();
    const [row] = await h.db().query<{ hits: unknown }>('SELECT hits FROM rate_limit_buckets WHERE bucket = $1', [`public:${c}`]);
    expect(Number(row!.hits)).toBe(7);
  });

  it('flushes in the background without a round trip per request', async () => {
    const clock = movableClock(T);
    let queries = 0;
    const counting: Database = {
      kind: h.db().kind,
      query: (sql, params) => {
        queries++;
        return h.db().query(sql, params);
      },
      transaction: (fn) => h.db().transaction(fn),
      soleWriter: false,
      close: async () => undefined,
    };
    const limiter = new StoreRateLimiter(servicesFor(counting, clock, 1000), 'public', { flushIntervalMs: 50 });
    const c = client();
    expect(await admitted(limiter, c, 200)).toBe(200);
    // One read when the client was first seen; the 200 hits themselves cost nothing yet.
    expect(queries).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    const [row] = await h.db().query<{ hits: unknown }>('SELECT hits FROM rate_limit_buckets WHERE bucket = $1', [`public:${c}`]);
    expect(Number(row!.hits)).toBe(200);
    await limiter.close();
  });

  it("a limiter's clean-up of old windows leaves the counters of other limiters (other scopes, longer windows) alone", async () => {
    const clock = movableClock(T);
    const c = client();
    const hourly = new StoreRateLimiter(servicesFor(h.db(), clock, 5), 'key', { ...MANUAL, limit: () => ({ windowSeconds: 3600, max: 5 }) });
    expect(await admitted(hourly, c, 4)).toBe(4);
    await hourly.flush();
    // Minutes later, still in the same hour: a limiter with a one-minute window cleans up what is older than two of its windows.
    clock.advance(200_000);
    const minutely = new StoreRateLimiter(servicesFor(h.db(), clock, 5), 'public', MANUAL);
    expect(await admitted(minutely, client(), 1)).toBe(1);
    await minutely.flush();
    // The region-wide hourly count still holds 4 of 5: another process reading it admits one more, not three.
    const another = new StoreRateLimiter(servicesFor(h.db(), clock, 5), 'key', { ...MANUAL, limit: () => ({ windowSeconds: 3600, max: 5 }) });
    expect(await admitted(another, c, 3)).toBe(1);
    await Promise.all([hourly.close(), minutely.close(), another.close()]);
  });

  it('a database answer that comes after the seed timeout is taken in for the next requests', async () => {
    const clock = movableClock(T);
    const c = client();
    const first = new StoreRateLimiter(servicesFor(h.db(), clock, 5), 'public', MANUAL);
    expect(await admitted(first, c, 5)).toBe(5);
    await first.close();
    const real = h.db();
    const slow: Database = {
      kind: real.kind,
      query: ((...args: Parameters<Database['query']>) => new Promise((r) => setTimeout(r, 150)).then(() => real.query(...args))) as Database['query'],
      transaction: real.transaction.bind(real) as Database['transaction'],
      soleWriter: real.soleWriter,
      close: async () => undefined,
    };
    const second = new StoreRateLimiter(servicesFor(slow, clock, 5), 'public', { ...MANUAL, seedTimeoutMs: 30 });
    // Decided locally: the database has not answered within 30 ms.
    expect(await admitted(second, c, 1)).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    // Its answer (5 used in this window) has come: nothing more fits.
    expect(await admitted(second, c, 2)).toBe(0);
    await second.close(10);
  });

  it('a client forgotten for idleness keeps its count for the window when the database then does not answer', async () => {
    let hang = false;
    const real = h.db();
    const db: Database = {
      kind: real.kind,
      query: ((...args: Parameters<Database['query']>) => (hang ? new Promise(() => undefined) : real.query(...args))) as Database['query'],
      transaction: ((...args: Parameters<Database['transaction']>) => (hang ? new Promise(() => undefined) : real.transaction(...args))) as Database['transaction'],
      soleWriter: real.soleWriter,
      close: async () => undefined,
    };
    const clock = movableClock(T);
    const limiter = new StoreRateLimiter(servicesFor(db, clock, 5), 'public', { ...MANUAL, seedTimeoutMs: 50 });
    const c = client();
    expect(await admitted(limiter, c, 4)).toBe(4);
    await limiter.flush();
    // Idle past forgetAfterMs: the next flush forgets the client (to re-read it from the database on return).
    clock.advance(6000);
    await limiter.flush();
    // It returns while the database is too slow to answer: 4 of 5 are still used up in this window.
    hang = true;
    expect(await admitted(limiter, c, 3)).toBe(1);
    await limiter.close(10);
  });
});

describe('StoreRateLimiter without a database', () => {
  it('fails open to per-process counting when the database is unavailable', async () => {
    const down: Database = {
      kind: 'postgres',
      query: () => Promise.reject(new ElicenseError('STORE_UNAVAILABLE', 'the postgres database is unavailable')),
      transaction: () => Promise.reject(new ElicenseError('STORE_UNAVAILABLE', 'the postgres database is unavailable')),
      soleWriter: false,
      close: async () => undefined,
    };
    const limiter = new StoreRateLimiter(servicesFor(down, movableClock(new Date('2030-01-01T00:00:00Z')), 3), 'public', MANUAL);
    expect(await admitted(limiter, 'x', 5)).toBe(3);
    await limiter.flush();
    expect(await admitted(limiter, 'x', 1)).toBe(0);
    await limiter.close();
  });

  it('does not wait for a database that does not answer', async () => {
    const hanging: Database = {
      kind: 'postgres',
      query: () => new Promise(() => undefined),
      transaction: () => new Promise(() => undefined),
      soleWriter: false,
      close: async () => undefined,
    };
    const limiter = new StoreRateLimiter(servicesFor(hanging, movableClock(new Date('2030-01-01T00:00:00Z')), 3), 'public', { ...MANUAL, seedTimeoutMs: 50 });
    const start = Date.now();
    await limiter.check('y');
    expect(Date.now() - start).toBeLessThan(1000);
  });
});
