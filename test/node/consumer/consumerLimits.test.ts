/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Issue 16 on a node configured for it: consuming departments are rate-limited per key (the node's key
 * limiter: one department's calls do not use up another's), an annotated copy as PDF costs what an uploaded
 * PDF does, and the region's configuration can ask the holder's consent for a type whose standard does not
 * (ELICENSE_CONSUMER_CONSENT_TYPES).
 */
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { http, type HttpResult } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';
import { currentTypeCode } from '../../typeCodes';
import { clearOfWindowEnd } from '../helpers/rateWindows';

const REGION = '350000';
const A = '11350100DM00000133';
const B = '11350100DM0000021X';
const BUSINESS = currentTypeCode('business-licence');
const FOOD = currentTypeCode('food-business-permit');
const LIMIT = 12;
const terms = { cause: '核验食品经营许可', serviceItem: { name: '食品经营备案' } };

let node: TestNode;
let food: string;
const code = (r: HttpResult) => (r.body as { code?: string }).code;

async function consumerKey(uscc: string): Promise<string> {
  const r = await http(node.url, 'POST', '/v1/api-keys', { key: node.keys.admin, json: { role: 'consumer', uscc, label: `consumer ${uscc}` } });
  expect(r.status).toBe(201);
  return r.body.secret as string;
}

beforeAll(async () => {
  node = await startTestNode({ env: { ELICENSE_KEY_RATE_LIMIT: String(LIMIT), ELICENSE_KEY_RATE_WINDOW_SECONDS: '3600', ELICENSE_UPLOAD_RATE_COST: '10', ELICENSE_CONSUMER_CONSENT_TYPES: BUSINESS } });
  for (const slug of ['food-business-permit', 'business-licence']) {
    const s = loadSampleLicenses().find((x) => x.slug === slug)!;
    const r = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf(slug), json: { type: slug, data: { ...JSON.parse(JSON.stringify(s.draft)), certificateNumber: `${s.draft.certificateNumber}-L1` } } });
    expect(r.status).toBe(201);
    if (slug === 'food-business-permit') food = r.body.license.certificateIdentifier;
  }
  for (const [uscc, type] of [
    [B, FOOD],
    [B, BUSINESS],
    [A, FOOD],
  ]) {
    expect((await http(node.url, 'PUT', `/v1/consumers/${REGION}/${uscc}/types/${type}`, { key: node.keys.admin })).status).toBe(200);
  }
}, 180_000);
afterAll(() => node?.close(), 60_000);

it("the region's configuration asks the holder's consent for a type its standard leaves free", async () => {
  const key = await consumerKey(B);
  const fields = await http(node.url, 'GET', `/v1/consumer/types/${BUSINESS}/fields`, { key });
  expect(fields.body.consentRequired).toBe(true);
  const foodFields = await http(node.url, 'GET', `/v1/consumer/types/${FOOD}/fields`, { key });
  expect(foodFields.body.consentRequired).toBe(false);
  const business = await http(node.url, 'POST', '/v1/consumer/licenses/query', { key, json: { ...terms, holder: { code: loadSampleLicenses().find((x) => x.slug === 'business-licence')!.draft.holder.code }, typeCode: BUSINESS } });
  // Without the holder's grant the company's business licence is withheld: the query finds nothing it may answer.
  expect([business.status, code(business)]).toEqual([403, 'HOLDER_CONSENT_REQUIRED']);
});

it('a consumer key is limited per key: past the limit 429 RATE_LIMITED, while another department keeps its own; a PDF copy costs the upload cost', async () => {
  // The key's window is a fixed hour: counting across its end would start a new one mid-test (it did, at 10:00 in CI).
  await clearOfWindowEnd(3600);
  const key = await consumerKey(B);
  const other = await consumerKey(A);
  // A PDF copy costs ELICENSE_UPLOAD_RATE_COST (10) of the key's 12, on top of the request's 1.
  const pdf = await http(node.url, 'POST', `/v1/consumer/licenses/${encodeURIComponent(food)}/copies?format=pdf`, { key, json: terms });
  expect(pdf.status).toBe(201);
  const statuses: number[] = [];
  let last: HttpResult | undefined;
  for (let i = 0; i < 3; i++) {
    last = await http(node.url, 'POST', '/v1/consumer/licenses/query', { key, json: { ...terms, identifier: food } });
    statuses.push(last.status);
  }
  expect(statuses).toEqual([200, 429, 429]);
  expect(code(last!)).toBe('RATE_LIMITED');
  expect(last!.headers.get('retry-after')).not.toBeNull();
  const theirs = await http(node.url, 'POST', '/v1/consumer/licenses/query', { key: other, json: { ...terms, identifier: food } });
  expect(theirs.status).toBe(200);
});
