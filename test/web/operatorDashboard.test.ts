/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * The operator dashboard in headless Chromium against a real node: region
 * admin and auditor sign in (an issuer key is refused), the departments with
 * their types and certificates, the federation peers (a real second region's
 * node and an unreachable one: never synced, then "sync now" from the page
 * makes one ok and one failing; a node without peers says so), and statistics
 * with charts whose numbers match what was issued and verified.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { repoPath } from '../../src/repoPath';
import type { Browser, Page } from 'playwright-core';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { http } from '../node/helpers/http';
import { startTestNode, type TestNode } from '../node/helpers/startTestNode';
import { expectCleanPage, launchBrowser, openPage, screenshot, waitForFlag, type PageWatch } from './helpers/browser';

let node: TestNode;
/** A second region (Guangdong) whose node the dashboard's node follows. */
let peer: TestNode;
let browser: Browser;
let page: Page;
let watch: PageWatch;

beforeAll(async () => {
  peer = await startTestNode({ env: { ELICENSE_DEMO_CEREMONY: repoPath('fixtures', 'ceremony', 'demo-region-guangdong.json') } });
  const peerRoot = parseCertificate((await peer.services.stores.region.get(peer.services.db))!.rootCertificate).fingerprint;
  const federationFile = join(peer.dataDir, 'federation-of-dashboard-node.json');
  writeFileSync(
    federationFile,
    JSON.stringify({
      peers: [
        { baseUrl: peer.url, rootSha256: peerRoot, label: '广东省' },
        { baseUrl: 'http://127.0.0.1:9', rootSha256: 'cd'.repeat(32), label: 'unreachable' },
      ],
      autoSync: false,
      requestTimeoutMs: 2000,
    }),
  );
  node = await startTestNode({ env: { ELICENSE_PUBLIC_RATE_LIMIT: '100000', ELICENSE_FEDERATION_FILE: federationFile } });
  browser = await launchBrowser();
  // Two licences issued, three verifications accepted and one rejected.
  const key = node.keys.issuerOf('business-licence');
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
  const forms: string[] = [];
  for (const n of ['1', '2']) {
    const r = await http(node.url, 'POST', '/v1/licenses', { key, json: { type: 'business-licence', data: { ...sample.draft, certificateNumber: `${sample.draft.certificateNumber}${n}` } } });
    expect(r.status).toBe(201);
    forms.push(r.text);
  }
  for (const f of [forms[0]!, forms[0]!, forms[1]!]) expect((await http(node.url, 'POST', '/v1/verifications', { raw: f })).body.result).toBe('accepted');
  const tampered = forms[1]!.replace('福州榕信软件科技有限公司', '福州榕信软件科技有限公')!;
  expect((await http(node.url, 'POST', '/v1/verifications', { raw: tampered })).body.result).toBe('rejected');
  // A consuming department (the civil-affairs bureau) queries the first licence twice, with a cause (issue 16).
  const CIVIL = '11350100DM0000021X';
  expect((await http(node.url, 'PUT', `/v1/consumers/350000/${CIVIL}/types/${JSON.parse(forms[0]!).license.certificateTypeCode}`, { key: node.keys.admin })).status).toBe(200);
  const consumer = await http(node.url, 'POST', '/v1/api-keys', { key: node.keys.admin, json: { role: 'consumer', uscc: CIVIL, label: '民政局用证窗口' } });
  expect(consumer.status).toBe(201);
  for (let i = 0; i < 2; i++) {
    const q = await http(node.url, 'POST', '/v1/consumer/licenses/query', {
      key: consumer.body.secret,
      json: { cause: '办理婚姻登记，核对企业信息', serviceItem: { name: '婚姻登记' }, identifier: JSON.parse(forms[0]!).license.certificateIdentifier },
    });
    expect(q.status).toBe(200);
  }
  ({ page, watch } = await openPage(browser, node.url));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
  await peer?.close();
}, 60_000);

afterEach(() => expectCleanPage(watch));

async function signIn(key: string): Promise<void> {
  await page.goto('/operator');
  await waitForFlag(page, 'ready');
  await page.fill('#api-key', key);
  await page.keyboard.press('Enter');
}

const kpi = (id: string) => page.textContent(`#${id} .kpi-value`);

describe('the operator dashboard', () => {
  it('refuses an issuer key', async () => {
    await signIn(node.keys.issuerOf('business-licence'));
    await page.waitForFunction(() => /地区管理员或审计员/.test((globalThis as any).document.getElementById('signin-error').textContent));
  });

  it('shows the statistics: issued and verified counts with charts and their numbers', async () => {
    await signIn(node.keys.admin);
    await waitForFlag(page, 'signedIn');
    expect(await kpi('kpi-issued')).toBe('2');
    expect(await kpi('kpi-verified')).toBe('4');
    expect(await kpi('kpi-accepted')).toBe('75.0%');
    expect(await kpi('kpi-rejected')).toBe('1');
    expect(await page.getAttribute('#chart-issuance', 'data-total')).toBe('2');
    expect(await page.getAttribute('#chart-verifications', 'data-total')).toBe('4');
    expect(await page.getAttribute('#chart-verifications svg', 'role')).toBe('img');
    expect(await page.textContent('#chart-issuance .legend')).toContain('营业执照 (2)');
    await screenshot(page, 'operator-statistics');

    // Split by result: accepted and rejected verifications; issued licences by their status.
    const before = await page.getAttribute('html', 'data-stats-loaded');
    await page.selectOption('#stats-by', 'result');
    await page.waitForFunction((b) => (globalThis as any).document.documentElement.dataset.statsLoaded !== b, before);
    expect(await page.textContent('#stats-verification-totals')).toContain('核验通过');
    expect(await page.textContent('#stats-verification-totals [data-key="accepted"] .num')).toBe('3');
    expect(await page.textContent('#stats-verification-totals [data-key="rejected"] .num')).toBe('1');
    expect(await page.textContent('#stats-issuance-totals [data-key="valid"] .num')).toBe('2');

    const byDepartment = await page.getAttribute('html', 'data-stats-loaded');
    await page.selectOption('#stats-by', 'department');
    await page.waitForFunction((b) => (globalThis as any).document.documentElement.dataset.statsLoaded !== b, byDepartment);
    expect(await page.textContent('#stats-issuance-totals')).toContain('福州市市场监督管理局');
    // The rejected (tampered) licence's issuer is not taken on trust.
    expect(await page.textContent('#stats-verification-totals')).toContain('无法确认');

    const hourly = await page.getAttribute('html', 'data-stats-loaded');
    await page.selectOption('#stats-range', '24h');
    await page.waitForFunction((b) => (globalThis as any).document.documentElement.dataset.statsLoaded !== b, hourly);
    expect(await page.getAttribute('#chart-verifications', 'data-total')).toBe('4');
  });

  it("shows the consuming departments' uses per licence type and per department (issue 16)", async () => {
    await page.click('a[href="#uses"]');
    await page.waitForSelector('#uses-by-consumer [data-key] .num');
    expect(await page.textContent('#uses-by-type')).toContain('营业执照');
    expect(await page.textContent('#uses-by-consumer')).toContain('福州市民政局');
    expect(await page.textContent('#uses-by-consumer [data-key="350000:11350100DM0000021X"] .num')).toBe('2');
    await screenshot(page, 'operator-uses');
  });

  it('lists the departments with their authorised types and signing certificates', async () => {
    const rows = await page.evaluate<number>(`document.querySelectorAll('#departments-table tbody tr').length`);
    expect(rows).toBeGreaterThanOrEqual(7);
    const a = await page.textContent('#departments-table tr[data-uscc="11350100DM00000133"]');
    expect(a).toContain('福州市市场监督管理局');
    expect(a).toContain('营业执照');
    expect(a).toContain('食品经营许可证');
    expect(a).toMatch(/ES256 · \S+/);
    expect(a).toContain('使用中');
    await screenshot(page, 'operator-departments');
  });

  it('renders each peer with its state and the freshness of its documents: never synced, then ok and failing after "sync now"', async () => {
    await page.waitForSelector('#peers-table');
    expect(await page.textContent('#peers-table')).toContain('尚未同步');
    expect(await page.isVisible('#peers-sync')).toBe(true);
    await page.click('#peers-sync');
    await page.waitForSelector('#peers-table tr[data-region="440000"]');
    const ok = await page.textContent('#peers-table tr[data-region="440000"]');
    expect(ok).toContain('正常');
    expect(ok).toMatch(/#\d+/);
    await page.waitForFunction(() => /PEER_UNREACHABLE/.test((globalThis as any).document.getElementById('peers-table').textContent));
    expect(await page.textContent('#peers-table')).toContain('同步失败');
    await page.locator('#peers').screenshot({ path: `${(await screenshot(page, 'operator-dashboard')).replace(/operator-dashboard\.png$/, 'operator-peers.png')}` });
    await page.click('#lang-toggle');
    expect(await page.textContent('#peers-table')).toContain('Failing');
    expect(await page.textContent('#stats-heading')).toBe('Issuance and verification');
    await screenshot(page, 'operator-english');
    await page.click('#lang-toggle');
  });

  it('says when no peers are configured (the second region\'s node has none)', async () => {
    const other = await openPage(browser, peer.url);
    try {
      await other.page.goto('/operator');
      await waitForFlag(other.page);
      await other.page.fill('#api-key', peer.keys.admin);
      await other.page.keyboard.press('Enter');
      await other.page.waitForSelector('#peers-none');
      expect(await other.page.textContent('#peers-none')).toContain('未配置互认地区');
      expect(other.watch.offsite).toEqual([]);
    } finally {
      await other.context.close();
    }
  });

  it('lets the auditor in too (read-only: no sync button)', async () => {
    const before = await page.getAttribute('html', 'data-stats-loaded');
    await page.click('#sign-out');
    await page.fill('#api-key', node.keys.auditor);
    await page.keyboard.press('Enter');
    await page.waitForFunction((b) => (globalThis as any).document.documentElement.dataset.statsLoaded !== b, before);
    // The role in the page's language; the key's own label ("DEMO auditor") as its tooltip.
    expect(await page.textContent('#session-label')).toBe('审计员');
    expect(await page.getAttribute('#session-label', 'title')).toContain('auditor');
    expect(await kpi('kpi-verified')).toBe('4');
    expect(await page.isVisible('#peers-sync')).toBe(false);
  });
});
