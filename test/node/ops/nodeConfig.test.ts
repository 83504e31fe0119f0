import { loadNodeConfig } from '../../../src/region/NodeConfig';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadNodeConfig(env);
    return [];
  } catch (e) {
    return ((e as { details?: { problems?: string[] } }).details?.problems ?? []) as string[];
  }
};

const limitsOf = (c: ReturnType<typeof loadNodeConfig>) => ({
  serverTimeouts: c.serverTimeouts,
  imageDecoding: c.imageDecoding,
  uploadRateCost: c.uploadRateCost,
  keyRateLimit: c.keyRateLimit,
  authFailureLimit: c.authFailureLimit,
});

describe('node configuration: limits and timeouts', () => {
  it('has documented defaults for the server timeouts, image decoding and the per-key and failed-authentication limits', () => {
    expect(limitsOf(loadNodeConfig({}))).toEqual({
      serverTimeouts: { headersMs: 20_000, requestMs: 120_000, keepAliveMs: 5_000 },
      imageDecoding: { workers: 2, queue: 8, timeoutMs: 15_000 },
      uploadRateCost: 10,
      keyRateLimit: { windowSeconds: 60, max: 6000 },
      authFailureLimit: { windowSeconds: 300, max: 30 },
    });
  });

  it('reads them from the environment', () => {
    const c = loadNodeConfig({
      ELICENSE_HEADERS_TIMEOUT_MS: '1000',
      ELICENSE_REQUEST_TIMEOUT_MS: '2000',
      ELICENSE_KEEP_ALIVE_TIMEOUT_MS: '300',
      ELICENSE_IMAGE_WORKERS: '4',
      ELICENSE_IMAGE_QUEUE: '0',
      ELICENSE_IMAGE_TIMEOUT_MS: '500',
      ELICENSE_UPLOAD_RATE_COST: '3',
      ELICENSE_KEY_RATE_LIMIT: '50',
      ELICENSE_KEY_RATE_WINDOW_SECONDS: '10',
      ELICENSE_AUTH_FAILURE_LIMIT: '7',
      ELICENSE_AUTH_FAILURE_WINDOW_SECONDS: '600',
    });
    expect(limitsOf(c)).toEqual({
      serverTimeouts: { headersMs: 1000, requestMs: 2000, keepAliveMs: 300 },
      imageDecoding: { workers: 4, queue: 0, timeoutMs: 500 },
      uploadRateCost: 3,
      keyRateLimit: { windowSeconds: 10, max: 50 },
      authFailureLimit: { windowSeconds: 600, max: 7 },
    });
  });

  it('ELICENSE_ISSUANCE_WORKERS: 0 self-checks batches on the main thread; a bad value is refused at start-up', () => {
    expect(loadNodeConfig({ ELICENSE_ISSUANCE_WORKERS: '0' }).issuanceWorkers).toBe(0);
    expect(loadNodeConfig({ ELICENSE_ISSUANCE_WORKERS: '3' }).issuanceWorkers).toBe(3);
    expect(loadNodeConfig({}).issuanceWorkers).toBeGreaterThanOrEqual(1);
    for (const bad of ['-1', 'many', '1.5', '65']) expect(problemsOf({ ELICENSE_ISSUANCE_WORKERS: bad }).some((p) => p.startsWith('ELICENSE_ISSUANCE_WORKERS'))).toBe(true);
  });

  it('ELICENSE_PROCESSES: one by default; auto or a count on PostgreSQL; more than one on the embedded store is refused', () => {
    const pg = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' };
    expect(loadNodeConfig({}).processes).toBe(1);
    expect(loadNodeConfig({ ...pg, ELICENSE_PROCESSES: '3' }).processes).toBe(3);
    expect(loadNodeConfig({ ...pg, ELICENSE_PROCESSES: 'auto' }).processes).toBeGreaterThanOrEqual(1);
    expect(loadNodeConfig({ ELICENSE_PROCESSES: '1' }).processes).toBe(1);
    expect(problemsOf({ ELICENSE_PROCESSES: '2' })).toContain('ELICENSE_PROCESSES=2 needs PostgreSQL (DATABASE_URL): the embedded store belongs to one process');
    for (const bad of ['0', '-1', 'many', '1.5', '65']) expect(problemsOf({ ...pg, ELICENSE_PROCESSES: bad }).some((p) => p.startsWith('ELICENSE_PROCESSES'))).toBe(true);
  });

  it('refuses bad values at start-up, all at once (CONFIG_INVALID)', () => {
    const problems = problemsOf({
      ELICENSE_HEADERS_TIMEOUT_MS: '0',
      ELICENSE_KEEP_ALIVE_TIMEOUT_MS: 'soon',
      ELICENSE_IMAGE_WORKERS: '0',
      ELICENSE_UPLOAD_RATE_COST: '-1',
      ELICENSE_KEY_RATE_LIMIT: '1.5',
      ELICENSE_AUTH_FAILURE_LIMIT: '0',
    });
    for (const name of ['ELICENSE_HEADERS_TIMEOUT_MS', 'ELICENSE_KEEP_ALIVE_TIMEOUT_MS', 'ELICENSE_IMAGE_WORKERS', 'ELICENSE_UPLOAD_RATE_COST', 'ELICENSE_KEY_RATE_LIMIT', 'ELICENSE_AUTH_FAILURE_LIMIT']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('a headers timeout longer than the request timeout is refused (Node would refuse it at listen)', () => {
    expect(problemsOf({ ELICENSE_HEADERS_TIMEOUT_MS: '30000', ELICENSE_REQUEST_TIMEOUT_MS: '10000' })).toEqual(['ELICENSE_HEADERS_TIMEOUT_MS must not exceed ELICENSE_REQUEST_TIMEOUT_MS']);
  });
});
