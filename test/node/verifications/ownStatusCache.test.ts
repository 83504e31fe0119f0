/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * The node's in-memory licence states: a valid licence is answered without a
 * database read of its list once the list is held; a status change drops only
 * the list it touched; what is not valid is always read from the database.
 */
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

let node: TestNode;
const forms: Record<string, string> = {};
const loads: string[] = [];
const slotReads: string[] = [];

beforeAll(async () => {
  node = await startTestNode();
  for (const slug of ['business-licence', 'marriage-certificate']) {
    const sample = loadSampleLicenses().find((s) => s.slug === slug)!;
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
  // And the reads of who holds each slot.
  const originalSlots = store.slotIdentifiers.bind(store);
  store.slotIdentifiers = (q, listId, fromIndex) => {
    slotReads.push(`${listId}@${fromIndex ?? 0}`);
    return originalSlots(q, listId, fromIndex);
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

describe('answers bound to the licence issued at the slot', () => {
  const keyOf = (slug: string) => {
    const license = JSON.parse(forms[slug]!).license as { certificateIdentifier: string; certificateIssuingAuthorityCode: string; statusEntry: { listId: string; index: number } };
    return { identifier: license.certificateIdentifier, issuerCode: license.certificateIssuingAuthorityCode, statusEntry: license.statusEntry };
  };

  it('another identifier at a held slot is "not issued" from memory, without a database read; the slot\'s own licence is valid', async () => {
    const key = keyOf('marriage-certificate');
    expect(await node.services.ownStatus.fromMemory(key)).toMatchObject({ kind: 'valid' });
    loads.length = 0;
    slotReads.length = 0;
    const other = `${key.identifier.slice(0, -3)}999`;
    expect(await node.services.ownStatus.fromMemory({ ...key, identifier: other })).toEqual({ kind: 'not_issued' });
    expect(await node.services.ownStatus.fromMemory({ ...key, statusEntry: { ...key.statusEntry, index: -1 } })).toEqual({ kind: 'not_issued' });
    expect({ loads, slotReads }).toEqual({ loads: [], slotReads: [] });
  });

  it('who holds each slot is read once per list: after a status change only the slots issued since are read', async () => {
    const key = keyOf('marriage-certificate');
    const sample = loadSampleLicenses().find((s) => s.slug === 'marriage-certificate')!;
    const second = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('marriage-certificate'), json: { type: 'marriage-certificate', data: { ...sample.draft, certificateNumber: 'CACHE-2' } } });
    expect(second.status).toBe(201);
    const secondEntry = second.body.license.statusEntry as { listId: string; index: number };
    expect(secondEntry.listId).toBe(key.statusEntry.listId);
    const revoked = await http(node.url, 'POST', `/v1/licenses/${encodeURIComponent(key.identifier)}/revoke`, { key: node.keys.issuerOf('marriage-certificate'), json: { reason: 'cache test' } });
    expect(revoked.status).toBe(200);
    slotReads.length = 0;
    const secondKey = { identifier: String(second.body.license.certificateIdentifier), issuerCode: key.issuerCode, statusEntry: secondEntry };
    expect(await node.services.ownStatus.fromMemory(secondKey)).toMatchObject({ kind: 'valid' });
    expect(slotReads).toEqual([`${secondEntry.listId}@${secondEntry.index}`]);
  });

  it('requests arriving together for a list not held yet read it once', async () => {
    const key = keyOf('business-licence');
    // Have the list dropped, as a status change on it does.
    await node.services.db.query('UPDATE status_lists SET version = version + 1 WHERE list_id = $1', [key.statusEntry.listId]);
    await node.services.db.query('UPDATE status_version SET version = version + 1 WHERE singleton');
    node.services.ownStatus.invalidate();
    loads.length = 0;
    await Promise.all(Array.from({ length: 8 }, () => node.services.ownStatus.fromMemory(key)));
    expect(loads).toEqual([key.statusEntry.listId]);
  });
});
