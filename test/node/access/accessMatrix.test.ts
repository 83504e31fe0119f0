/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * The access matrix: every route of the node (read from the same feature
 * list the app mounts, so a new route is covered the day it is added) ×
 * every kind of caller. The expected access per permission is written out
 * here, independently of src/region/permissions.ts: a route with a
 * permission this table does not know, or a path parameter it cannot fill,
 * fails the test until someone decides who may call it.
 */
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { nodeFeatures } from '../../../src/http/routes/nodeFeatures';
import type { Permission } from '../../../src/region/permissions';
import type { RouteSpec } from '../../../src/http/RouteSpec';
import { http, type HttpResult } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { MARRIAGE_TYPE } from '../../typeCodes';

type Caller = 'none' | 'region_admin' | 'issuer' | 'auditor' | 'consumer';
const CALLERS: readonly Caller[] = ['none', 'region_admin', 'issuer', 'auditor', 'consumer'];

/** Who may call a route of each permission (the issuer acting for its own department A). */
const MATRIX: Readonly<Record<Permission, readonly Caller[]>> = {
  public: ['none', 'region_admin', 'issuer', 'auditor', 'consumer'],
  'licence:issue': ['issuer'],
  'licence:read': ['region_admin', 'issuer', 'auditor'],
  'licence:lifecycle': ['region_admin', 'issuer'],
  'department:admin': ['region_admin'],
  'department:read': ['region_admin', 'issuer', 'auditor'],
  'apikey:admin': ['region_admin'],
  'audit:read': ['region_admin', 'auditor'],
  'statistics:read': ['region_admin', 'auditor'],
  'federation:read': ['region_admin', 'auditor'],
  'federation:admin': ['region_admin'],
  /** Departments of peer regions only, by a request their node signed (route mode peer-request): no API key. */
  'federation:peer': [],
  /** Holders only, by a holder token (route mode holder-token): no API key (docs/adr/0012). */
  'holder:self': [],
  /** A department's key exchanges holders' authorisation codes and reads within the grant. */
  'grant:redeem': ['issuer'],
  /** A consuming department's key (issue 16): the consumer operations, for the types granted to it. */
  'consumer:use': ['consumer'],
  'consumer:admin': ['region_admin'],
  'consumer:read': ['region_admin', 'auditor'],
};

const A = '11350100DM00000133'; // issues business licences (ES256)
const B = '11350100DM0000021X'; // issues marriage certificates
const UNKNOWN_TYPE = '11100000PH00000199999';

/**
 * A body no route accepts (every request reader refuses unknown fields), so
 * that callers who may use a route get a validation answer and change nothing.
 */
const PROBE = { accessMatrixProbe: true };

let node: TestNode;
const secrets = {} as Record<Exclude<Caller, 'none'>, string>;
let revokedSecret: string;
const own = {} as Record<string, string>;
const other = {} as Record<string, string>;
let routes: RouteSpec[];

let issued = 0;
function issueBody(slug: string) {
  const sample = loadSampleLicenses().find((s) => s.slug === slug)!;
  // One valid licence per certificate number (issue 10): each licence here gets its own.
  return { type: slug, data: { ...sample.draft, certificateNumber: `${sample.draft.certificateNumber}-${++issued}` } };
}

async function issueFor(uscc: string, slug: string): Promise<string> {
  const r = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf(uscc), json: issueBody(slug) });
  if (r.status !== 201) throw new Error(`could not issue a ${slug} for ${uscc}: ${r.status} ${r.text.slice(0, 300)}`);
  return (r.body as { license: { certificateIdentifier: string } }).license.certificateIdentifier;
}

beforeAll(async () => {
  // Revoked and malformed keys on every route: far more failed authentications than a client may make (issue 10 item 9).
  node = await startTestNode({ env: { ELICENSE_AUTH_FAILURE_LIMIT: '100000' } });
  secrets.region_admin = node.keys.admin;
  secrets.auditor = node.keys.auditor;
  secrets.issuer = node.keys.issuerOf(A);
  // A consuming department's key (issue 16), bound to department B.
  const consumerKey = await http(node.url, 'POST', '/v1/api-keys', { key: node.keys.admin, json: { role: 'consumer', uscc: B, label: 'access matrix consumer' } });
  expect(consumerKey.status).toBe(201);
  secrets.consumer = consumerKey.body.secret;
  routes = nodeFeatures(node.services, { isReady: () => true }).flatMap((f) => f.routes);

  const keysOf = async (uscc: string) => (await http(node.url, 'GET', `/v1/departments/${uscc}/keys`, { key: node.keys.admin })).body.keys as Array<{ keyId: string }>;
  own['uscc'] = A;
  own['identifier'] = await issueFor(A, 'business-licence');
  own['keyId'] = 'ak_matrix_absent';
  own['grantId'] = 'gr_matrix_absent';
  own['copyId'] = 'copy_matrix_absent';
  own['typeCode'] = UNKNOWN_TYPE;
  own['listId'] = `${A}-1`;
  own['type'] = 'business-licence';
  own['file'] = 'swagger-ui.css';
  own['asset'] = 'app.css';
  own['region'] = '350000';
  own['peerRegion'] = '440000';
  other['uscc'] = B;
  other['identifier'] = await issueFor(B, 'marriage-certificate');
  other['keyId'] = (await keysOf(B))[0]!.keyId;
  other['typeCode'] = MARRIAGE_TYPE;

  const created = await http(node.url, 'POST', '/v1/api-keys', { key: node.keys.admin, json: { role: 'issuer', uscc: A, label: 'to be revoked' } });
  revokedSecret = created.body.secret;
  expect((await http(node.url, 'DELETE', `/v1/api-keys/${created.body.apiKey.keyId}`, { key: node.keys.admin })).status).toBe(200);
}, 180_000);
afterAll(() => node?.close(), 60_000);

const paramsOf = (route: RouteSpec): string[] => [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
const label = (route: RouteSpec): string => `${route.method.toUpperCase()} ${route.path}`;

function fill(route: RouteSpec, values: Record<string, string>): string {
  return route.path.replace(/:(\w+)/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`the access matrix cannot fill :${name} of ${label(route)}; add a value for it`);
    return encodeURIComponent(v);
  });
}

function call(route: RouteSpec, path: string, key: string | undefined, body: unknown = PROBE): Promise<HttpResult> {
  const withBody = route.method !== 'get' && route.method !== 'delete';
  return http(node.url, route.method.toUpperCase(), path, { ...(key !== undefined ? { key } : {}), ...(withBody ? { json: body } : {}) });
}

describe('the route table', () => {
  it('is the whole API: every feature contributes routes, each with a permission the matrix knows', () => {
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) {
      expect({ route: label(r), knownPermission: Object.hasOwn(MATRIX, r.permission) }).toEqual({ route: label(r), knownPermission: true });
      for (const p of paramsOf(r)) expect({ route: label(r), param: p, fillable: own[p] !== undefined }).toEqual({ route: label(r), param: p, fillable: true });
    }
  });

  it('covers the administration routes of this node', () => {
    const table = new Set(routes.map(label));
    for (const expected of [
      'POST /v1/departments',
      'GET /v1/departments/:uscc/keys',
      'POST /v1/departments/:uscc/keys/:keyId/withdraw',
      'PUT /v1/departments/:uscc/types/:typeCode',
      'DELETE /v1/api-keys/:keyId',
      'GET /v1/audit/verify',
      'POST /v1/licenses',
      'POST /v1/licenses/:identifier/revoke',
    ]) {
      expect(table).toContain(expected);
    }
  });
});

describe('every route × every caller', () => {
  it.each(CALLERS)('caller %s: allowed routes answer, others are 401 (no key) or 403 (wrong role)', async (caller) => {
    const outcomes: string[] = [];
    for (const route of routes) {
      const allowed = MATRIX[route.permission].includes(caller);
      const r = await call(route, fill(route, own), caller === 'none' ? undefined : secrets[caller]);
      const ok = allowed ? r.status !== 401 && r.status !== 403 : r.status === (caller === 'none' ? 401 : 403);
      if (!ok) outcomes.push(`${label(route)} [${route.permission}] → ${r.status} ${typeof r.body === 'object' ? (r.body as { code?: string }).code : ''}`);
      // A peer-request route asks a caller without credentials for the signed request, not for a key.
      if (!allowed) expect((r.body as { code: string }).code).toBe(caller === 'none' ? (route.auth === 'peer-request' ? 'REQUEST_SIGNATURE_MISSING' : 'UNAUTHENTICATED') : 'FORBIDDEN');
    }
    expect(outcomes).toEqual([]);
  });

  it('a revoked key is 401 on every route, public ones included (credentials that do not match are never anonymous)', async () => {
    const outcomes: string[] = [];
    for (const route of routes) {
      const r = await call(route, fill(route, own), revokedSecret);
      if (r.status !== 401) outcomes.push(`${label(route)} → ${r.status}`);
    }
    expect(outcomes).toEqual([]);
  });

  it('a malformed Authorization header is 401 too', async () => {
    const r = await http(node.url, 'GET', '/v1/departments', { headers: { authorization: 'Basic abc' } });
    expect(r.status).toBe(401);
  });
});

describe("an issuer never reaches another department's resources", () => {
  /** A valid request for the route, so that a missing department check would really act (and be caught). */
  function validBody(route: RouteSpec): unknown {
    if (/\/(revoke|suspend|reinstate|withdraw)$/.test(route.path)) return { reason: 'access matrix' };
    if (route.path === '/v1/departments/:uscc/keys' && route.method === 'post') return {};
    if (route.method === 'get' || route.method === 'delete' || route.method === 'put') return undefined;
    throw new Error(`the access matrix has no valid body for ${label(route)}; add one`);
  }

  // A grant's licences are reached through the grant, whatever their department (the grant names its department: test/node/holder).
  const scoped = (): RouteSpec[] =>
    routes.filter((r) => MATRIX[r.permission].includes('issuer') && r.permission !== 'public' && r.permission !== 'grant:redeem' && paramsOf(r).some((p) => p === 'uscc' || p === 'identifier'));

  it('every department-scoped route the issuer may use → 403 for department B, and B is unchanged', async () => {
    const before = {
      license: await node.services.stores.licenses.get(node.services.db, other['identifier']!),
      department: await node.services.stores.departments.get(node.services.db, B),
    };
    const outcomes: string[] = [];
    const checked = scoped();
    expect(checked.length).toBeGreaterThanOrEqual(7);
    for (const route of checked) {
      const r = await call(route, fill(route, other), secrets.issuer, validBody(route));
      if (r.status !== 403) outcomes.push(`${label(route)} → ${r.status} ${r.text.slice(0, 120)}`);
    }
    expect(outcomes).toEqual([]);
    expect((await node.services.stores.licenses.get(node.services.db, other['identifier']!))!.status).toBe(before.license!.status);
    expect(await node.services.stores.departments.get(node.services.db, B)).toEqual(before.department);
  });

  it('the same routes work for its own department (so the 403 above is about the department, not the route)', async () => {
    for (const route of scoped().filter((r) => r.method === 'get')) {
      const r = await call(route, fill(route, own), secrets.issuer);
      expect({ route: label(route), status: r.status }).toEqual({ route: label(route), status: 200 });
    }
  });

  it('lists: ?department=B → 403; its own list holds only its own licences; GET /v1/departments shows only A', async () => {
    const list = await http(node.url, 'GET', `/v1/licenses?department=${B}`, { key: secrets.issuer });
    expect(list.status).toBe(403);
    const mine = await http(node.url, 'GET', '/v1/licenses', { key: secrets.issuer });
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    for (const item of mine.body.items as Array<{ department: string }>) expect(item.department).toBe(A);
    const departments = await http(node.url, 'GET', '/v1/departments', { key: secrets.issuer });
    expect(departments.body.departments.map((d: { uscc: string }) => d.uscc)).toEqual([A]);
  });

  it("issuing: an issuer issues for its own department only — naming B as issuer is refused, B's types are not its to issue", async () => {
    const before = await node.services.db.query<{ n: unknown }>('SELECT count(*) AS n FROM licences WHERE uscc = $1', [B]);
    const asB = issueBody('marriage-certificate');
    const named = await http(node.url, 'POST', '/v1/licenses', { key: secrets.issuer, json: { ...asB, data: { ...asB.data, issuer: { uscc: B } } } });
    expect(named.status).toBe(422);
    const notGranted = await http(node.url, 'POST', '/v1/licenses', { key: secrets.issuer, json: asB });
    expect(notGranted.status).toBe(403);
    const batch = await http(node.url, 'POST', '/v1/licenses/batch', { key: secrets.issuer, json: { records: [asB] } });
    expect(batch.body.results[0].status).toBe('failed');
    const after = await node.services.db.query<{ n: unknown }>('SELECT count(*) AS n FROM licences WHERE uscc = $1', [B]);
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
  });

  it('region-wide callers do reach department B (the rule is about issuers)', async () => {
    for (const key of [secrets.region_admin, secrets.auditor]) {
      expect((await http(node.url, 'GET', `/v1/licenses/${other['identifier']}`, { key })).status).toBe(200);
      expect((await http(node.url, 'GET', `/v1/departments/${B}/keys`, { key })).status).toBe(200);
    }
  });
});
