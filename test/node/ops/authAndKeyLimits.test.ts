/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import { http } from '../helpers/http';
import { clearOfWindowEnd } from '../helpers/rateWindows';
import { startTestNode, type TestNode } from '../helpers/startTestNode';


/**
 * Item 9 of issue 10: failed authentications were never throttled, and any
 * valid key skipped the public rate limit (unlimited requests per key). Each
 * test speaks from its own client address (X-Forwarded-For, one trusted hop).
 */
describe('failed authentications and API keys are rate-limited', () => {
  let node: TestNode;
  let clients = 0;
  const client = () => `203.0.113.${++clients}`;
  beforeAll(async () => {
    node = await startTestNode({
      env: {
        ELICENSE_TRUST_PROXY_HOPS: '1',
        ELICENSE_AUTH_FAILURE_LIMIT: '5',
        ELICENSE_AUTH_FAILURE_WINDOW_SECONDS: '3600',
        ELICENSE_KEY_RATE_LIMIT: '20',
        ELICENSE_KEY_RATE_WINDOW_SECONDS: '3600',
        ELICENSE_PUBLIC_RATE_LIMIT: '1000',
      },
    });
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  const get = (path: string, from: string, key?: string) => http(node.url, 'GET', path, { headers: { 'x-forwarded-for': from }, ...(key !== undefined ? { key } : {}) });

  it('after ELICENSE_AUTH_FAILURE_LIMIT failures a client gets 429 AUTHENTICATION_THROTTLED with Retry-After, even with a valid key; others are unaffected', async () => {
    await clearOfWindowEnd(3600);
    const guesser = client();
    for (let i = 0; i < 5; i++) {
      const r = await get('/v1/departments', guesser, `elk_wrong_guess_${i}`);
      expect([i, r.status, r.body.code]).toEqual([i, 401, 'UNAUTHENTICATED']);
    }
    const malformed = await http(node.url, 'GET', '/healthz', { headers: { 'x-forwarded-for': guesser, authorization: 'Basic abc' } });
    expect(malformed.status).toBe(429);
    const throttled = await get('/v1/departments', guesser, node.keys.admin);
    expect(throttled.status).toBe(429);
    expect(throttled.body).toMatchObject({ code: 'AUTHENTICATION_THROTTLED', status: 429 });
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(throttled.body.retryAfterSeconds).toBe(retryAfter);
    // Without credentials the same client still reaches public routes (the public limit governs those).
    expect((await get('/healthz', guesser)).status).toBe(200);
    // Another client with the valid key is unaffected.
    expect((await get('/v1/departments', client(), node.keys.admin)).status).toBe(200);
    // Counted for the operator.
    const metrics = await get('/metrics', client(), node.keys.auditor);
    expect(metrics.text).toMatch(/^elicense_authentication_failures_total\{outcome="rejected"\} 5$/m);
    expect(metrics.text).toMatch(/^elicense_authentication_failures_total\{outcome="throttled"\} [1-9]\d*$/m);
  });

  it('a valid key has a limit of its own (ELICENSE_KEY_RATE_LIMIT), whatever address it calls from, on public routes too', async () => {
    await clearOfWindowEnd(3600);
    const key = node.keys.issuerOf('business-licence');
    const statuses: number[] = [];
    // Public and keyed routes alike, from changing addresses: one budget, the key's.
    for (let i = 0; i < 22; i++) statuses.push((await get(i % 2 === 0 ? '/healthz' : '/v1/departments', client(), key)).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    const limited = await get('/healthz', client(), key);
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another key, and anonymous callers, keep their own budgets.
    expect((await get('/v1/departments', client(), node.keys.admin)).status).toBe(200);
    expect((await get('/healthz', client())).status).toBe(200);
    const metrics = await get('/metrics', client(), node.keys.auditor);
    expect(metrics.text).toMatch(/^elicense_rate_limited_total\{limit="key"\} 3$/m);
  });
});
