/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Every page at phone width (390×844) and desktop width (1280×800), in
 * Chinese: the verifier page with an accepted licence, a rejected one (one
 * character of the QR changed), a damaged LC1: QR and a revoked licence; the
 * issuer console and the operator dashboard signed in with the demo
 * credentials. Asserted: the verdict is brought into view after a scan, no
 * page scrolls sideways, no English word shows on a zh-CN page (beyond a short
 * allow-list of codes, algorithm names and identifiers), regions are named,
 * the signing time says where it comes from, the revoked licence's history has
 * no "null". Screenshots go to test-artifacts/pages/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { repoPath } from '../../src/repoPath';
import { http } from '../node/helpers/http';
import { startTestNode, type TestNode } from '../node/helpers/startTestNode';
import { expectCleanPage, launchBrowser, openPage, verdictOf, waitForFlag, type PageWatch } from './helpers/browser';
import { englishWords } from './helpers/englishWords';

const PAGES_DIR = repoPath('test-artifacts', 'pages');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const WIDTHS = [
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const;
const A = '11350100DM00000133'; // the demo's market regulation department (business licences)

let node: TestNode;
let browser: Browser;
let qrText: string;
let identifier: string;
let fullForm: string;

beforeAll(async () => {
  mkdirSync(PAGES_DIR, { recursive: true });
  node = await startTestNode({ env: { ELICENSE_PUBLIC_RATE_LIMIT: '100000' } });
  browser = await launchBrowser();
  const key = node.keys.issuerOf(A);
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
  for (const n of ['', '2']) {
    const issued = await http(node.url, 'POST', '/v1/licenses', { key, json: { type: 'business-licence', data: { ...sample.draft, certificateNumber: `${sample.draft.certificateNumber}${n}` } } });
    if (issued.status !== 201) throw new Error(`issuance: ${issued.status} ${issued.text}`);
    if (n === '') {
      identifier = issued.body.license.certificateIdentifier;
      fullForm = issued.text;
    }
  }
  const res = await fetch(`${node.url}/v1/licenses/${encodeURIComponent(identifier)}.qr.txt`, { headers: { authorization: `Bearer ${key}` } });
  qrText = (await res.text()).trim();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
}, 60_000);

let page: Page;
let watch: PageWatch;

afterEach(async () => {
  if (page) {
    expectCleanPage(watch);
    await page.context().close();
  }
});

async function open(path: string, viewport: { width: number; height: number }): Promise<void> {
  ({ page, watch } = await openPage(browser, node.url, { viewport }));
  await page.goto(path);
  await waitForFlag(page);
}

/** A full-page screenshot, and with `view` also what the screen shows (name-view.png). */
async function shot(name: string, view = false): Promise<void> {
  await page.screenshot({ path: join(PAGES_DIR, `${name}.png`), fullPage: true });
  if (view) await page.screenshot({ path: join(PAGES_DIR, `${name}-view.png`) });
}

const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
/** The page's visible text, less what it shows as code (<code>: reason codes, key ids, identifiers). */
const visibleText = () =>
  page.evaluate<string>(`(() => {
    let text = document.body.innerText;
    for (const c of document.querySelectorAll('code')) if (c.textContent) text = text.split(c.textContent).join(' ');
    return text;
  })()`);

/** The verdict box lies inside the viewport (top and bottom). */
async function verdictInView(): Promise<boolean> {
  return page.evaluate<boolean>(`(() => {
    const r = document.getElementById('verdict').getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;
  })()`);
}

/** Waits (up to 3 s) for a smooth scroll to bring the verdict into view. */
async function settled(): Promise<void> {
  await page
    .waitForFunction(
      () => {
        const r = (globalThis as any).document.getElementById('verdict').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= (globalThis as any).innerHeight;
      },
      undefined,
      { timeout: 3000 },
    )
    .catch(() => undefined);
}

async function scan(text: string): Promise<string> {
  await page.evaluate(`(() => { const v = document.getElementById('verdict'); delete v.dataset.result; })()`);
  await page.focus('#scan-input');
  await page.keyboard.insertText(text);
  await page.keyboard.press('Enter');
  const outcome = await verdictOf(page);
  // The verdict is scrolled to smoothly: wait until it has settled in view.
  await settled();
  return outcome;
}

function tamper(text: string): string {
  const i = text.length - 10;
  return text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
}

describe.each(WIDTHS)('the verifier page at %s width', (name, viewport) => {
  it('brings an accepted verdict into view and announces it, all in Chinese, regions by name, the signing time by its source', async () => {
    await open('/verify', viewport);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(`verify-idle-${name}`);
    expect(await scan(qrText)).toBe('accepted');
    await shot(`verify-accepted-${name}`, true);
    expect(await verdictInView()).toBe(true);
    expect(await page.getAttribute('#verdict', 'aria-live')).toBe('polite');
    expect(await overflow()).toBeLessThanOrEqual(0);
    const text = await visibleText();
    expect(englishWords(text)).toEqual([]);
    expect(await page.textContent('[data-section="issuer"]')).toContain('福建省 (350000)');
    expect(text).not.toMatch(/地区\s*350000(?!\))/);
    // The demo region's licence says it has no legal effect (answer.demo, from the signer's chain).
    expect(await page.textContent('#verdict .verdict-demo')).toContain('演示样本 · 无法律效力');
    expect(await page.textContent('[data-section="freshness"]')).toContain('本节点的签发记录（福建省 (350000)）');
    // A full form carries a region timestamp: the answer's signingTime (the moment its certificate path was judged at)
    // is then never called "no timestamp".
    await page.evaluate(`(() => { delete document.getElementById('verdict').dataset.result; })()`);
    await page.fill('#paste-input', fullForm);
    await page.click('#paste-submit');
    expect(await verdictOf(page)).toBe('accepted');
    await settled();
    expect(await verdictInView()).toBe(true);
    const signedAt = await page.textContent('[data-field="signedAt"]');
    expect(signedAt).toMatch(/按核验时间检查签名证书|来自地区时间戳/);
    expect(signedAt).not.toContain('无时间戳');
    expect(await page.textContent('[data-section="licence"]')).toContain('福建省福州市 (350100)');
    expect(englishWords(await visibleText())).toEqual([]);
    await shot(`verify-accepted-full-form-${name}`, true);
  });

  it('brings a rejected verdict into view (a changed character, a damaged LC1: QR) with the right reason, in Chinese', async () => {
    await open('/verify', viewport);
    expect(await scan(tamper(qrText))).toBe('rejected');
    await shot(`verify-rejected-${name}`, true);
    expect(await verdictInView()).toBe(true);
    expect(englishWords(await visibleText())).toEqual([]);
    expect(await overflow()).toBeLessThanOrEqual(0);
    // A readable licence whose data was changed after signing: every section shows, still in Chinese.
    await page.evaluate(`(() => { delete document.getElementById('verdict').dataset.result; })()`);
    await page.fill('#paste-input', fullForm.replace('福州榕信软件科技有限公司', '福州榕信软件科技有限公'));
    await page.click('#paste-submit');
    expect(await verdictOf(page)).toBe('rejected');
    await settled();
    expect(await verdictInView()).toBe(true);
    expect(await page.getAttribute('[data-section="problems"] [data-code]', 'data-code')).toBe('SIGNATURE_INVALID');
    expect(englishWords(await visibleText())).toEqual([]);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(`verify-rejected-signature-${name}`, true);
    const damaged = `LC1:${qrText.slice(4, 40)}!!!${qrText.slice(43)}`;
    const outcome = await scan(damaged);
    expect(['rejected', 'error']).toContain(outcome);
    await shot(`verify-damaged-qr-${name}`, true);
    expect(await verdictInView()).toBe(true);
    const text = await visibleText();
    expect(text).not.toContain('本节点尚未配置互认协议');
    expect(text).toMatch(/二维码/);
    expect(englishWords(text)).toEqual([]);
  });

  it('fits a file upload: the verdict of an uploaded QR image comes into view', async () => {
    const key = node.keys.issuerOf(A);
    const png = Buffer.from(await (await fetch(`${node.url}/v1/licenses/${encodeURIComponent(identifier)}.qr.png`, { headers: { authorization: `Bearer ${key}` } })).arrayBuffer());
    await open('/verify', viewport);
    await page.setInputFiles('#upload-input', { name: 'licence-qr.png', mimeType: 'image/png', buffer: png });
    expect(await verdictOf(page)).toBe('accepted');
    await settled();
    expect(await verdictInView()).toBe(true);
  });
});

describe.each(WIDTHS)('the issuer console at %s width', (name, viewport) => {
  it('shows the licence list whole, in Chinese, and a revoked licence with its history (no "null")', async () => {
    await open('/console', viewport);
    await page.fill('#api-key', node.keys.issuerOf(A));
    await page.keyboard.press('Enter');
    await waitForFlag(page, 'signedIn');
    // A demo region says so beside the role (whoami's demo flag, from the region's record).
    expect(await page.textContent('#session-box .session-demo')).toBe('演示地区');
    await shot(`console-issue-${name}`);
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(englishWords(await visibleText())).toEqual([]);
    await page.click('#tab-licences');
    await page.waitForSelector('#licence-table tbody tr');
    await shot(`console-list-${name}`);
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(englishWords(await visibleText())).toEqual([]);
    // The list's table is not cut off: its right edge is within its scroll box or the viewport.
    const clipped = await page.evaluate<number>(`(() => {
      const t = document.getElementById('licence-table');
      return t.getBoundingClientRect().right - document.documentElement.clientWidth;
    })()`);
    expect(clipped).toBeLessThanOrEqual(0);
  });
});

describe('the issuer console after a revoke', () => {
  it('lists the status history without a literal null', async () => {
    const key = node.keys.issuerOf(A);
    const list = await http(node.url, 'GET', '/v1/licenses?limit=10', { key });
    const second = (list.body.items as { identifier: string }[]).find((i) => i.identifier !== identifier)!.identifier;
    await open('/console', PHONE);
    await page.fill('#api-key', key);
    await page.keyboard.press('Enter');
    await waitForFlag(page, 'signedIn');
    await page.click('#tab-licences');
    await page.waitForSelector(`tr[data-identifier="${second}"] .act-open`);
    await page.click(`tr[data-identifier="${second}"] .act-open`);
    await page.waitForSelector('#lifecycle-actions .act-revoke');
    await page.click('#lifecycle-actions .act-revoke');
    await page.fill('#reason-input', '测试：撤销');
    await page.click('#reason-confirm');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#licence-detail .history li').length >= 2);
    await shot('console-revoked-phone');
    await page.setViewportSize(DESKTOP);
    await shot('console-revoked-desktop');
    await page.setViewportSize(PHONE);
    const history = await page.textContent('#licence-detail .history');
    expect(history).not.toContain('null');
    expect(history).toContain('测试：撤销');
    expect(englishWords(await visibleText())).toEqual([]);
    expect(await overflow()).toBeLessThanOrEqual(0);
  });
});

describe.each(WIDTHS)('the operator dashboard at %s width', (name, viewport) => {
  it('shows departments with whole names, in Chinese, without sideways scrolling', async () => {
    await open('/operator', viewport);
    await page.fill('#api-key', node.keys.admin);
    await page.keyboard.press('Enter');
    await waitForFlag(page, 'signedIn');
    await page.waitForFunction(() => (globalThis as any).document.body.innerText.includes('福州市市场监督管理局'));
    await shot(`operator-signed-in-${name}`);
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(englishWords(await visibleText())).toEqual([]);
    // A department name is at most a few lines tall (it broke after every 1–3 characters at phone width).
    const narrowest = await page.evaluate<number>(`(() => {
      const cells = [...document.querySelectorAll('td, dd, li, p, span')].filter((e) => e.childElementCount === 0 && /市场监督管理局$/.test(e.textContent.trim()));
      return Math.min(...cells.map((e) => e.getBoundingClientRect().width));
    })()`);
    expect(narrowest).toBeGreaterThanOrEqual(5 * 14);
  });
});

describe('the interactive API page', () => {
  it('opens without console warnings, and its example of a verification runs with "Try it out"', async () => {
    ({ page, watch } = await openPage(browser, node.url, { viewport: DESKTOP }));
    const messages: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning' || m.type() === 'error') messages.push(`${m.type()}: ${m.text()}`);
    });
    await page.goto('/docs');
    await page.waitForSelector('.opblock');
    const op = page.locator('#operations-verifications-post_v1_verifications, .opblock-post:has([data-path="/v1/verifications"])').first();
    await op.locator('.opblock-summary').first().click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();
    await op.locator('.live-responses-table tbody .response-col_status').first().waitFor();
    const status = (await op.locator('.live-responses-table tbody .response-col_status').first().textContent())!.trim();
    expect(status).toBe('200');
    await shot('docs-try-it-out-desktop');
    expect(messages).toEqual([]);
  });
});
