/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../src/http/app';
import { BATCH_RECORD, ISSUE_REQUEST } from '../../../src/http/routes/licenses/licenseSchemas';
import { createOpsFeature } from '../../../src/http/ops/opsFeature';
import { nodeFeatures } from '../../../src/http/routes/nodeFeatures';
import type { NodeServices } from '../../../src/http/NodeServices';
import { StoreRateLimiter } from '../../../src/http/ops/RateLimiter';
import type { Database } from '../../../src/store/Database';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

/** The ops routes on their own app, with services and readiness of the test's choosing. */
async function opsApp(services: NodeServices, ready: () => boolean, scope = 'public'): Promise<{ url: string; close(): Promise<void> }> {
  const limiter = new StoreRateLimiter(services, scope);
  const keyLimiter = new StoreRateLimiter(services, `${scope}-key`, { limit: () => services.config.keyRateLimit });
  const authFailures = new StoreRateLimiter(services, `${scope}-auth`, { limit: () => services.config.authFailureLimit });
  const app = createApp(services, { features: [createOpsFeature(services, { isReady: ready }, () => [])], rateLimiter: limiter, keyRateLimiter: keyLimiter, authFailures });
  const server: Server = await new Promise((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((ok) => {
        server.close(ok);
        server.closeAllConnections();
      });
      await Promise.all([limiter.close(100), keyLimiter.close(100), authFailures.close(100)]);
    },
  };
}

const failingDb = (kind: Database['kind'], query: Database['query']): Database => ({
  kind,
  query,
  transaction: () => query('BEGIN') as never,
  soleWriter: false,
  close: async () => undefined,
});

describe('ops routes', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode({ env: { ELICENSE_BODY_LIMIT_BYTES: String(64 * 1024) } });
  }, 180_000);
  afterAll(() => node?.close(), 60_000);

  describe('health and readiness', () => {
    it('/healthz and /readyz answer 200 on a running node', async () => {
      const health = await http(node.url, 'GET', '/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok' });
      const ready = await http(node.url, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', store: node.kind });
      expect(ready.headers.get('cache-control')).toBe('no-store');
    });

    it('/readyz is 503 NOT_READY while the node starts or stops', async () => {
      const app = await opsApp(node.services, () => false);
      try {
        const r = await http(app.url, 'GET', '/readyz');
        expect(r.status).toBe(503);
        expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(r.body).toMatchObject({ code: 'NOT_READY', status: 503 });
      } finally {
        await app.close();
      }
    });

    it('/readyz is 503 STORE_UNAVAILABLE when the database fails or does not answer; /healthz does not care', async () => {
      for (const query of [() => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), () => new Promise<never>(() => undefined)]) {
        const app = await opsApp({ ...node.services, db: failingDb(node.services.db.kind, query as Database['query']) }, () => true);
        try {
          const started = Date.now();
          const r = await http(app.url, 'GET', '/readyz');
          expect(r.status).toBe(503);
          expect(r.body).toMatchObject({ code: 'STORE_UNAVAILABLE' });
          expect(Date.now() - started).toBeLessThan(3000);
          expect((await http(app.url, 'GET', '/healthz')).status).toBe(200);
        } finally {
          await app.close();
        }
      }
    });
  });

  describe('metrics', () => {
    it('/metrics (per-department counts) needs a key with statistics:read: anonymous 401, an issuer 403', async () => {
      const anonymous = await http(node.url, 'GET', '/metrics');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(anonymous.text).not.toMatch(/elicense_/);
      const issuer = await http(node.url, 'GET', '/metrics', { key: node.keys.issuerOf('business-licence') });
      expect(issuer.status).toBe(403);
      expect((await http(node.url, 'GET', '/metrics', { key: node.keys.admin })).status).toBe(200);
    });

    it('/metrics is Prometheus text with the issuance, verification and latency series', async () => {
      await http(node.url, 'GET', '/healthz');
      const r = await http(node.url, 'GET', '/metrics', { key: node.keys.auditor });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(r.text).toMatch(/^# TYPE elicense_licences_issued_total counter$/m);
      expect(r.text).toMatch(/^# TYPE elicense_verifications_total counter$/m);
      expect(r.text).toMatch(/^# TYPE elicense_http_request_duration_seconds histogram$/m);
      expect(r.text).toMatch(/^elicense_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+$/m);
      expect(r.text).toMatch(/^elicense_process_cpu_seconds_total /m);
    });
  });

  describe('OpenAPI document', () => {
    it('lists every route of the node with its declared permission, tag and summary', async () => {
      const r = await http(node.url, 'GET', '/openapi.json');
      expect(r.status).toBe(200);
      expect(r.body.openapi).toBe('3.1.0');
      const routes = nodeFeatures(node.services, { isReady: () => true }).flatMap((f) => f.routes);
      expect(routes.length).toBeGreaterThan(7);
      let operations = 0;
      for (const p of Object.values(r.body.paths as Record<string, object>)) operations += Object.keys(p).length;
      expect(operations).toBe(routes.length);
      for (const route of routes) {
        const op = r.body.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method];
        expect(op).toBeDefined();
        expect(op['x-permission']).toBe(route.permission);
        expect(op.tags).toEqual([route.tag]);
        expect(op.summary).toBe(route.summary);
        if (route.permission === 'public') expect(op.security).toEqual([]);
        // Departments of peer regions sign their requests instead of sending a key (ADR 0006).
        else if (route.auth === 'peer-request') expect(op.security).toEqual([{ peerRequest: [] }]);
        // Holders send a token of an identity provider, not a key (ADR 0012).
        else if (route.auth === 'holder-token') expect(op.security).toEqual([{ holderToken: [] }]);
        else expect(op.security).toContainEqual({ apiKey: [route.permission] });
      }
      expect(Object.keys(r.body.components.schemas)).toEqual(expect.arrayContaining(['Problem', 'LicenceRecord', 'FullForm', 'VerificationResult']));
      // Request schemas are the very ones the routes validate with.
      expect(r.body.paths['/v1/licenses'].post.requestBody.content['application/json'].schema).toEqual(ISSUE_REQUEST.json);
      expect(r.body.paths['/v1/licenses/batch'].post.requestBody.content['application/json'].schema.properties.records.items).toEqual(BATCH_RECORD.json);
    });

    it('has examples that work as "Try it out" sends them: issue, admit a department, create a key', async () => {
      const doc = (await http(node.url, 'GET', '/openapi.json')).body;
      const example = (path: string) => doc.paths[path].post.requestBody.content['application/json'].example;
      const header = doc.paths['/v1/licenses'].post.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key');
      const issued = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('business-licence'), json: example('/v1/licenses'), headers: { 'idempotency-key': header.example } });
      expect([issued.status, issued.body?.code]).toEqual([201, undefined]);
      // Sent again, as a second click does: the same licence, not a second one.
      const again = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('business-licence'), json: example('/v1/licenses'), headers: { 'idempotency-key': header.example } });
      expect([again.status, again.headers.get('idempotent-replayed'), again.headers.get('location')]).toEqual([201, 'true', issued.headers.get('location')]);
      const admitted = await http(node.url, 'POST', '/v1/departments', { key: node.keys.admin, json: example('/v1/departments') });
      expect([admitted.status, admitted.body?.code]).toEqual([201, undefined]);
      const created = await http(node.url, 'POST', '/v1/api-keys', { key: node.keys.admin, json: example('/v1/api-keys') });
      expect([created.status, created.body?.code]).toEqual([201, undefined]);
    });

    it('refuses a reason over the one documented limit on every route that takes one, each with its own code', async () => {
      const reason = 'x'.repeat(1001);
      const doc = (await http(node.url, 'GET', '/openapi.json')).body;
      expect(doc.paths['/v1/licenses/{identifier}/revoke'].post.requestBody.content['application/json'].schema.properties.reason.maxLength).toBe(1000);
      const identifier = '1.2.156.3005.2.11100000PH00000122901.11350102EL000101X1.0000000000000001.1';
      const revoke = await http(node.url, 'POST', `/v1/licenses/${identifier}/revoke`, { key: node.keys.admin, json: { reason } });
      expect([revoke.status, revoke.body.code, revoke.body.errors?.[0]?.path]).toEqual([400, 'INPUT_MALFORMED', '/reason']);
      const suspend = await http(node.url, 'POST', '/v1/departments/11350100DM00000133/suspend', { key: node.keys.admin, json: { reason } });
      expect([suspend.status, suspend.body.code, suspend.body.errors?.[0]?.path]).toEqual([422, 'SCHEMA_INVALID', '/reason']);
    });
  });

  describe('interactive page', () => {
    it('/docs loads Swagger UI from the node itself, with no inline script and nothing from elsewhere', async () => {
      const page = await http(node.url, 'GET', '/docs');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(page.headers.get('content-security-policy')).not.toMatch(/script-src[^;]*unsafe-inline/);
      const refs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(refs.length).toBeGreaterThanOrEqual(3);
      for (const ref of refs) expect(ref).toMatch(/^\/docs\//);
      // Every <script> is a file (CSP 'self' forbids inline code).
      for (const tag of page.text.match(/<script[^>]*>[\s\S]*?<\/script>/g) ?? []) expect(tag).toMatch(/^<script src="[^"]+"><\/script>$/);
      const types: Record<string, RegExp> = { css: /^text\/css/, js: /javascript/, png: /^image\/png/ };
      for (const ref of refs) {
        const asset = await fetch(node.url + ref);
        const body = await asset.text();
        expect([ref, asset.status]).toEqual([ref, 200]);
        expect(asset.headers.get('content-type')).toMatch(types[ref.split('.').pop()!]!);
        expect(body.length).toBeGreaterThan(10);
      }
      const init = await http(node.url, 'GET', '/docs/init.js');
      expect(init.text).toContain("url: '/openapi.json'");
      expect(init.text).toContain('validatorUrl: null');
      expect(init.text).not.toMatch(/https?:\/\//);
    });

    it('serves only the page’s own Swagger UI files', async () => {
      for (const path of ['/docs/assets/index.html', '/docs/assets/package.json', '/docs/assets/..%2F..%2Fpackage.json', '/docs/assets/swagger-ui.js.map']) {
        const r = await http(node.url, 'GET', path);
        expect([path, r.status]).toEqual([path, 404]);
        expect(r.body).toMatchObject({ code: 'NOT_FOUND' });
      }
    });
  });

  describe('security headers and limits', () => {
    it('sends the security headers on every response, errors included', async () => {
      for (const path of ['/healthz', '/no/such/route']) {
        const r = await http(node.url, 'GET', path);
        expect(r.headers.get('x-content-type-options')).toBe('nosniff');
        expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
        // A node on a plain-HTTP intranet address must keep its own pages working.
        expect(r.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
        expect(r.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
        expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(r.headers.get('referrer-policy')).toBe('no-referrer');
        expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
        expect(r.headers.get('x-powered-by')).toBeNull();
        expect(r.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]+$/);
      }
    });

    it('refuses a body over the limit with 413 INPUT_TOO_LARGE, before any route sees it', async () => {
      const big = JSON.stringify({ qr: 'x'.repeat(100 * 1024) });
      for (const path of ['/v1/verifications', '/v1/licenses']) {
        const r = await http(node.url, 'POST', path, { raw: big });
        expect([path, r.status]).toEqual([path, 413]);
        expect(r.body).toMatchObject({ code: 'INPUT_TOO_LARGE', status: 413 });
      }
    });

    it('rate-limits public routes per client with 429 RATE_LIMITED and Retry-After', async () => {
      const services = { ...node.services, config: { ...node.services.config, publicRateLimit: { windowSeconds: 60, max: 5 } } };
      // A scope of its own: the node's other tests have already counted this client in the shared 'public' counter.
      const app = await opsApp(services, () => true, `rate-test-${Date.now()}`);
      try {
        const statuses: number[] = [];
        let limited;
        for (let i = 0; i < 7; i++) {
          const r = await http(app.url, 'GET', '/healthz');
          statuses.push(r.status);
          if (r.status === 429) limited = r;
        }
        expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
        expect(limited!.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
        const retryAfter = Number(limited!.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(limited!.body.retryAfterSeconds).toBe(retryAfter);
      } finally {
        await app.close();
      }
    });
  });
});
