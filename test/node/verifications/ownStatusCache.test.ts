/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * The node's in-memory licence states: a valid licence is answered without a
 * database read of its list once the list is held; a status change drops only
 * the list it touched; what is not valid is always read from the database.
 */
import { loadSampleLicences } from '../../../src/demo/sampleDraft';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

let node: TestNode;
const forms: Record<string, string> = {};
const loads: string[] = [];

beforeAll(async () => {
  node = await startTestNode();
  for (const slug of ['business-licence', 'marriage-certificate']) {
    const sample = loadSampleLicences().find((s) => s.slug === slug)!;
    const r = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf(slug), json: { type: slug, data: sample.draft } });
    expect(r.status).toBe(201);
    forms[slug] = r.text;
  }
  // Count the reads of each list's not-valid licences (what building a list in memory costs).
  const store = node.services.stores.federation;
  const original = store.nonValidEntries.bind(store);
  store.nonValidEntries = (q, listId) => {
    loads.push(listId);
    return original(q, listId);
  };
}, 120_000);
afterAll(() => node?.close(), 60_000);

const verify = async (slug: string) => (await http(node.url, 'POST', '/v1/verifications', { raw: forms[slug]! })).body as { reasons: string[]; status: { value: string } };
const listOf = (slug: string) => String(JSON.parse(forms[slug]!).license.statusEntry.listId);

describe('own licence states in memory', () => {
  it('reads a list once, then answers its valid licences from memory', async () => {
    expect((await verify('business-licence')).reasons).toEqual([]);
    expect((await verify('marriage-certificate')).reasons).toEqual([]);
    const after = loads.length;
    for (let i = 0; i < 5; i++) {
      expect((await verify('business-licence')).status.value).toBe('valid');
      expect((await verify('marriage-certificate')).status.value).toBe('valid');
    }
    expect(loads.length).toBe(after);
    expect(new Set(loads)).toEqual(new Set([listOf('business-licence'), listOf('marriage-certificate')]));
  });

  it('a revocation drops only the list it touched; the revoked licence is read from the database', async () => {
    const id = JSON.parse(forms['business-licence']!).license.certificateIdentifier as string;
    const revoked = await http(node.url, 'POST', `/v1/licenses/${encodeURIComponent(id)}/revoke`, { key: node.keys.issuerOf('business-licence'), json: { reason: 'cache test' } });
    expect(revoked.status).toBe(200);
    loads.length = 0;
    expect((await verify('marriage-certificate')).reasons).toEqual([]);
    expect(loads).toEqual([]);
    expect((await verify('business-licence')).reasons).toEqual(['LICENSE_REVOKED']);
    expect(loads).toEqual([listOf('business-licence')]);
  });
});
