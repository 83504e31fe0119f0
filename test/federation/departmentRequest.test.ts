/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Issue 15, item 5: how region A's node knows a department of region B
 * without any secret set by hand (docs/adr/0006, "Departments of peer
 * regions"). Two real nodes, each the other's peer: A (Fujian, 350000) and
 * B (Guangdong, 440000). B's node signs a request for one of its departments
 * with that department's licence-signing key; A checks it under B's pinned
 * root and B's trust list as A holds it, and takes its jti once.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import type { Signer } from '../../src/crypto/Signer';
import { runCeremony, type RegionPki } from '../../src/pki/ca/ceremony';
import { PeerDepartmentClient } from '../../src/region/federation/PeerDepartmentClient';
import { repoPath } from '../../src/repoPath';
import { REQUEST_JWS_TYP, REQUEST_SIGNATURE_HEADER, signDepartmentRequest, type DepartmentRequestToSign } from '../../src/trust/peer/departmentRequest';
import { signCompactJws } from '../../src/crypto/jws';
import { freePort } from '../../scripts/bench/childNode';
import { http } from '../node/helpers/http';
import type { TestNode } from '../node/helpers/startTestNode';
import { A_REGION, B_REGION, startMutualRegions, type MutualRegions } from './mutualRegions';

/** B's departments (fixtures/ceremony/demo-region-guangdong.json). */
const B_MARKET = '11440100DM0440019H';
const B_CIVIL = '11440100DM0440027C';

let regions: MutualRegions;
let portA: number;
let a: TestNode;
let b: TestNode;
let shanghai: RegionPki;
let guangdongImpostor: RegionPki;

const syncA = () => regions.sync(a);

/** B's node's signer for one of its departments (what PeerDepartmentClient uses). */
async function signerOfB(uscc: string): Promise<Signer> {
  const s = b.services;
  return s.signers.departmentSigner(s.db, uscc, s.clock.now(), (await s.trust.current()).version);
}

let nonces = 0;
async function signed(signer: Signer, overrides: Partial<DepartmentRequestToSign> = {}): Promise<string> {
  const nonce = Buffer.alloc(16);
  nonce.writeUInt32BE(++nonces, 12);
  nonce.writeUInt32BE(process.pid, 0);
  return signDepartmentRequest(signer, {
    method: 'GET',
    path: '/v1/federation/caller',
    body: undefined,
    region: B_REGION,
    uscc: B_MARKET,
    audience: A_REGION,
    at: new Date(),
    nonce,
    ...overrides,
  });
}

const askA = (signature: string | undefined, path = '/v1/federation/caller', extra: Record<string, string> = {}) =>
  http(a.url, 'GET', path, { headers: { ...(signature !== undefined ? { [REQUEST_SIGNATURE_HEADER]: signature } : {}), ...extra } });

beforeAll(async () => {
  regions = await startMutualRegions();
  ({ a, b, portA } = regions);
  const yesterday = new Date(Date.now() - 86_400_000);
  shanghai = await runCeremony(JSON.parse(readFileSync(repoPath('fixtures', 'ceremony', 'demo-region-shanghai.json'), 'utf8')), { now: yesterday });
  // Same region, same departments, another root: what a forger with its own CA would make.
  guangdongImpostor = await runCeremony(JSON.parse(readFileSync(repoPath('fixtures', 'ceremony', 'demo-region-guangdong.json'), 'utf8')), { now: yesterday });
}, 300_000);

afterAll(() => regions?.close(), 60_000);

describe('a department of region B calls region A, signed by B’s node', () => {
  it('is accepted, and A knows it as B lists it (region, USCC, name, certificate key id)', async () => {
    // A jti row long past its use: the first request cleans it away.
    await a.services.stores.requestNonces.take(a.services.db, { region: B_REGION, jti: 'stale-row-from-long-ago', uscc: B_MARKET, seenAt: new Date(0), keepUntil: new Date(1000) });
    const answer = await b.services.peerClient.send({ uscc: B_MARKET, peerRegion: A_REGION, method: 'GET', path: '/v1/federation/caller' });
    expect(answer.status).toBe(200);
    const signer = await signerOfB(B_MARKET);
    expect(answer.body).toEqual({ region: B_REGION, regionName: expect.any(String), uscc: B_MARKET, name: '广州市市场监督管理局', keyId: signer.keyId });
    expect(answer.baseUrl).toBe(`http://127.0.0.1:${portA}`);
    const rows = await a.services.db.query<{ jti: string }>('SELECT jti FROM request_nonces');
    expect(rows.map((r) => r.jti)).not.toContain('stale-row-from-long-ago');
    expect(rows).toHaveLength(1);
    // call(): the same, answering the body.
    await expect(b.services.peerClient.call({ uscc: B_MARKET, peerRegion: A_REGION, method: 'GET', path: '/v1/federation/caller' })).resolves.toMatchObject({ uscc: B_MARKET });
  });

  it('the same signed request twice → REQUEST_REPLAYED', async () => {
    const signature = await signed(await signerOfB(B_MARKET));
    expect((await askA(signature)).status).toBe(200);
    const again = await askA(signature);
    expect([again.status, again.body.code]).toEqual([401, 'REQUEST_REPLAYED']);
  });

  it('expired, or signed too far ahead of A’s clock → REQUEST_EXPIRED; B’s node signs for 300 s at most', async () => {
    const signer = await signerOfB(B_MARKET);
    const old = await askA(await signed(signer, { at: new Date(Date.now() - 400_000) }));
    expect([old.status, old.body.code]).toEqual([401, 'REQUEST_EXPIRED']);
    const ahead = await askA(await signed(signer, { at: new Date(Date.now() + 200_000) }));
    expect([ahead.status, ahead.body.code]).toEqual([401, 'REQUEST_EXPIRED']);
    await expect(signed(signer, { lifetimeSeconds: 301 })).rejects.toMatchObject({ code: 'INPUT_MALFORMED' });
  });

  it('a request changed after signing (body, path, method) or made for another region → REQUEST_SIGNATURE_INVALID', async () => {
    const signer = await signerOfB(B_MARKET);
    const withBody = await askA(await signed(signer, { body: { case: 'X' } }));
    expect([withBody.status, withBody.body.code, withBody.body.detail]).toEqual([401, 'REQUEST_SIGNATURE_INVALID', 'the request body is not the one signed']);
    const otherPath = await askA(await signed(signer, { path: '/v1/federation/caller?x=1' }));
    expect([otherPath.status, otherPath.body.code]).toEqual([401, 'REQUEST_SIGNATURE_INVALID']);
    const otherMethod = await askA(await signed(signer, { method: 'POST' }));
    expect([otherMethod.status, otherMethod.body.code]).toEqual([401, 'REQUEST_SIGNATURE_INVALID']);
    const otherRegion = await askA(await signed(signer, { audience: '310000' }));
    expect([otherRegion.status, otherRegion.body.code]).toEqual([401, 'REQUEST_SIGNATURE_INVALID']);
    // A signature whose bytes were altered.
    const good = await signed(signer);
    const [h, p, s] = good.split('.');
    const flipped = `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
    expect((await askA(flipped)).body.code).toBe('REQUEST_SIGNATURE_INVALID');
    // Claiming another department of B with the market regulator's key.
    expect((await askA(await signed(signer, { uscc: B_CIVIL }))).body.code).toBe('REQUEST_SIGNATURE_INVALID');
    expect((await askA('not.a-jws')).body.code).toBe('REQUEST_SIGNATURE_INVALID');
  });

  it('a department of a region A does not federate with → PEER_NOT_RECOGNISED; one claiming A’s own region → PEER_NOT_RECOGNISED', async () => {
    const d = shanghai.departments[0]!;
    const signer = new SoftwareSigner(d.privateKey, d.chain);
    const r = await askA(await signed(signer, { region: '310000', uscc: d.uscc }));
    expect([r.status, r.body.code]).toEqual([403, 'PEER_NOT_RECOGNISED']);
    const own = await askA(await signed(signer, { region: A_REGION, uscc: d.uscc }));
    expect([own.status, own.body.code]).toEqual([403, 'PEER_NOT_RECOGNISED']);
  });

  it('a certificate for a department of B under another root (a forger’s own CA) → REQUEST_SIGNATURE_INVALID', async () => {
    const d = guangdongImpostor.departments.find((x) => x.uscc === B_MARKET)!;
    const r = await askA(await signed(new SoftwareSigner(d.privateKey, d.chain)));
    expect([r.status, r.body.code]).toEqual([401, 'REQUEST_SIGNATURE_INVALID']);
    expect(r.body.detail).toMatch(/no valid path to the pinned root of region 440000/);
  });

  it('unsigned → REQUEST_SIGNATURE_MISSING; an API key of A does not open the route (FORBIDDEN); a bad key is UNAUTHENTICATED', async () => {
    const none = await askA(undefined);
    expect([none.status, none.body.code]).toEqual([401, 'REQUEST_SIGNATURE_MISSING']);
    const key = await http(a.url, 'GET', '/v1/federation/caller', { key: a.keys.admin });
    expect([key.status, key.body.code]).toEqual([403, 'FORBIDDEN']);
    const badKey = await http(a.url, 'GET', '/v1/federation/caller', { key: 'ek_nonsense' });
    expect([badKey.status, badKey.body.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('the OpenAPI document names the route with its signed-request scheme', async () => {
    const doc = (await http(a.url, 'GET', '/openapi.json')).body;
    const op = doc.paths['/v1/federation/caller'].get;
    expect(op['x-permission']).toBe('federation:peer');
    expect(op.security).toEqual([{ peerRequest: [] }]);
    expect(doc.components.securitySchemes.peerRequest).toMatchObject({ type: 'apiKey', in: 'header', name: REQUEST_SIGNATURE_HEADER });
  });

  it('B’s node sends only to the base URL of its configuration, and says so when the peer cannot be reached (PEER_UNREACHABLE)', async () => {
    await expect(b.services.peerClient.send({ uscc: B_MARKET, peerRegion: '310000', method: 'GET', path: '/v1/federation/caller' })).rejects.toMatchObject({ code: 'PEER_NOT_RECOGNISED' });
    const deadPort = await freePort();
    const s = b.services;
    const offline = new PeerDepartmentClient({
      db: s.db,
      clock: s.clock,
      random: s.random,
      signers: s.signers,
      trust: s.trust,
      federation: { config: { ...s.federation.config, peers: [{ baseUrl: `http://127.0.0.1:${deadPort}`, rootSha256: 'f'.repeat(64), regionCode: A_REGION }], requestTimeoutMs: 1000 }, peerTrust: () => s.federation.peerTrust() },
    });
    await expect(offline.send({ uscc: B_MARKET, peerRegion: A_REGION, method: 'GET', path: '/v1/federation/caller' })).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' });
  });

  it('a department withdrawn in B’s trust list is refused once A has synced it (DEPARTMENT_NOT_LISTED); B’s node no longer signs for it', async () => {
    const kept = await signerOfB(B_CIVIL);
    expect((await askA(await signed(kept, { uscc: B_CIVIL }))).status).toBe(200);
    const w = await http(b.url, 'POST', `/v1/departments/${B_CIVIL}/withdraw`, { key: b.keys.admin, json: { reason: 'merged into another department' } });
    expect(w.status).toBe(200);
    // Until A syncs, A judges by the trust list it holds: B's withdrawal reaches A with B's next signed list.
    await syncA();
    const r = await askA(await signed(kept, { uscc: B_CIVIL }));
    expect([r.status, r.body.code]).toEqual([403, 'DEPARTMENT_NOT_LISTED']);
    expect(r.body.detail).toMatch(/withdrawn/);
    await expect(b.services.peerClient.send({ uscc: B_CIVIL, peerRegion: A_REGION, method: 'GET', path: '/v1/federation/caller' })).rejects.toMatchObject({ code: 'DEPARTMENT_NOT_ACTIVE' });
  });

  it('A refused B’s request: B’s call() says PEER_REFUSED with A’s code', async () => {
    const s = b.services;
    // A request A takes as replayed: the same nonce twice.
    const fixed = new PeerDepartmentClient({ db: s.db, clock: s.clock, random: (n) => new Uint8Array(n).fill(7), signers: s.signers, trust: s.trust, federation: s.federation });
    await fixed.call({ uscc: B_MARKET, peerRegion: A_REGION, method: 'GET', path: '/v1/federation/caller' });
    await expect(fixed.call({ uscc: B_MARKET, peerRegion: A_REGION, method: 'GET', path: '/v1/federation/caller' })).rejects.toMatchObject({ code: 'PEER_REFUSED', details: { peerCode: 'REQUEST_REPLAYED' } });
  });

  it('only a licence-signing certificate of the department, in a request-typed JWS of exactly the nine claims, living 300 s at most, will do → REQUEST_SIGNATURE_INVALID otherwise', async () => {
    const s = b.services;
    // B's trust-list signer: under B's root, but without the licence-signing EKU.
    const trustListSigner = await s.signers.trustListSigner(s.db, s.clock.now(), (await s.trust.current()).version);
    const wrongEku = await askA(await signed(trustListSigner));
    expect([wrongEku.status, wrongEku.body.code]).toEqual([401, 'REQUEST_SIGNATURE_INVALID']);
    expect(wrongEku.body.detail).toMatch(/EKU/);
    const signer = await signerOfB(B_MARKET);
    const x5c = signer.certificateChain.map((d) => Buffer.from(d).toString('base64'));
    const claims = JSON.parse(Buffer.from((await signed(signer)).split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const otherTyp = await signCompactJws(signer, Buffer.from(JSON.stringify({ ...claims, jti: 'AAAAAAAAAAAAAAAAAAAAAB' })), { typ: 'elicense-presentation+jws', x5c });
    expect((await askA(otherTyp)).body.code).toBe('REQUEST_SIGNATURE_INVALID');
    const extraClaim = await signCompactJws(signer, Buffer.from(JSON.stringify({ ...claims, jti: 'AAAAAAAAAAAAAAAAAAAAAC', scope: 'all' })), { typ: REQUEST_JWS_TYP, x5c });
    expect((await askA(extraClaim)).body.code).toBe('REQUEST_SIGNATURE_INVALID');
    // A lifetime over 300 s, signed by hand (B's node never signs one).
    const long = await signCompactJws(signer, Buffer.from(JSON.stringify({ ...claims, jti: 'AAAAAAAAAAAAAAAAAAAAAD', exp: (claims['iat'] as number) + 600 })), { typ: REQUEST_JWS_TYP, x5c });
    const tooLong = await askA(long);
    expect([tooLong.body.code, tooLong.body.detail]).toEqual(['REQUEST_SIGNATURE_INVALID', 'a signed request lives 1 to 300 s, this one 600 s']);
  });

  it('B’s node cuts an answer off at the configured size and refuses one that is not JSON (PEER_ANSWER_INVALID)', async () => {
    const answers: Record<string, [string, string]> = {
      '/big': ['application/json', JSON.stringify({ pad: 'x'.repeat(5000) })],
      '/html': ['text/html', '<html>proxy error</html>'],
      '/broken': ['application/json', '{"a":'],
    };
    const server = createServer((req, res) => {
      const [type, body] = answers[req.url ?? ''] ?? ['application/json', '{}'];
      res.writeHead(200, { 'content-type': type }).end(body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const s = b.services;
      const client = new PeerDepartmentClient({
        db: s.db,
        clock: s.clock,
        random: s.random,
        signers: s.signers,
        trust: s.trust,
        federation: {
          config: { ...s.federation.config, peers: [{ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, rootSha256: 'e'.repeat(64), regionCode: A_REGION }], maxDocumentBytes: 1024 },
          peerTrust: () => s.federation.peerTrust(),
        },
      });
      for (const path of Object.keys(answers)) {
        await expect(client.send({ uscc: B_MARKET, peerRegion: A_REGION, method: 'GET', path })).rejects.toMatchObject({ code: 'PEER_ANSWER_INVALID' });
      }
      await expect(client.send({ uscc: B_MARKET, peerRegion: A_REGION, method: 'GET', path: '/small' })).resolves.toMatchObject({ status: 200, body: {} });
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  // Last: it leaves this client throttled at A.
  it('forged signatures count as failed authentications of the client: AUTHENTICATION_THROTTLED once over the limit, a good one included', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 40 && !codes.has('AUTHENTICATION_THROTTLED'); i++) codes.add((await askA('e30.e30.e30')).body.code);
    expect([...codes]).toEqual(['REQUEST_SIGNATURE_INVALID', 'AUTHENTICATION_THROTTLED']);
    const good = await askA(await signed(await signerOfB(B_MARKET)));
    expect([good.status, good.body.code]).toEqual([429, 'AUTHENTICATION_THROTTLED']);
  });
});
