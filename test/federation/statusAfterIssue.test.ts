/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Issue 10, item 4: whatever a node has issued before a peer's sync verifies
 * on that peer after it. A department's first licence opens a status list,
 * and so does the first licence once a list is full: the next sync must bring
 * a trust list that announces the new list, and the list itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { repoPath } from '../../src/repoPath';
import { http } from '../node/helpers/http';
import { startTestNode, type TestNode } from '../node/helpers/startTestNode';
import { BUSINESS_LICENSE_TYPE } from '../typeCodes';

const BUSINESS = BUSINESS_LICENSE_TYPE;
const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;

let home: TestNode;
let peer: TestNode;

let issued = 0;
async function issue(): Promise<{ fullForm: unknown; listId: string }> {
  // Each its own certificate number: a second valid licence for the same number is refused.
  const data = { ...sample.draft, certificateNumber: `SAI-${++issued}` };
  const r = await http(home.url, 'POST', '/v1/licenses', { key: home.keys.issuerOf('business-licence'), json: { type: 'business-licence', data } });
  expect(r.status).toBe(201);
  return { fullForm: JSON.parse(r.text), listId: String(r.body.license.statusEntry.listId) };
}

async function syncPeer(): Promise<void> {
  const r = await http(peer.url, 'POST', '/v1/federation/sync', { key: peer.keys.admin, json: {} });
  expect(r.status).toBe(200);
  expect(r.body.peers[0]).toMatchObject({ ok: true, errors: [] });
}

const verifyOnPeer = async (fullForm: unknown) => {
  const r = await http(peer.url, 'POST', '/v1/verifications', { json: fullForm });
  return { result: r.body.result as string, reasons: r.body.reasons as string[], status: r.body.status?.value as string | undefined };
};

beforeAll(async () => {
  home = await startTestNode();
  const region = await home.services.stores.region.get(home.services.db);
  const rootSha256 = parseCertificate(region!.rootCertificate).fingerprint;
  const file = join(home.dataDir, 'federation-peer.json');
  writeFileSync(
    file,
    JSON.stringify({
      peers: [{ baseUrl: home.url, rootSha256, label: 'Fujian' }],
      recognition: [{ peerRegion: '350000', peerTypeCode: BUSINESS, localTypeCode: BUSINESS, maxStatusAgeSeconds: 3600 }],
      requestTimeoutMs: 3000,
      autoSync: false,
    }),
  );
  peer = await startTestNode({ env: { ELICENSE_FEDERATION_FILE: file, ELICENSE_DEMO_CEREMONY: repoPath('fixtures', 'ceremony', 'demo-region-guangdong.json') } });
}, 240_000);

afterAll(async () => {
  await peer?.close();
  await home?.close();
}, 60_000);

describe('a licence issued before a peer syncs verifies on the peer after one sync', () => {
  it("a department's first licence (its first status list opened after the peer last fetched the trust list)", async () => {
    // The peer holds the home region's trust list from before the department had any list.
    await syncPeer();
    expect(await home.services.stores.federation.statusLists(home.services.db)).toEqual([]);
    const first = await issue();
    await syncPeer();
    expect(await verifyOnPeer(first.fullForm)).toEqual({ result: 'accepted', reasons: [], status: 'valid' });
  });

  it('the first licence on a new status list of a department that has one already', async () => {
    const before = await issue();
    await syncPeer();
    expect(await verifyOnPeer(before.fullForm)).toMatchObject({ result: 'accepted' });
    // Fill the department's current list, as a year of issuance would.
    await home.services.db.query('UPDATE status_lists SET next_index = capacity WHERE list_id = $1', [before.listId]);
    const next = await issue();
    expect(next.listId).not.toBe(before.listId);
    await syncPeer();
    expect(await verifyOnPeer(next.fullForm)).toEqual({ result: 'accepted', reasons: [], status: 'valid' });
    // The earlier licences still verify.
    expect(await verifyOnPeer(before.fullForm)).toEqual({ result: 'accepted', reasons: [], status: 'valid' });
  });
});
