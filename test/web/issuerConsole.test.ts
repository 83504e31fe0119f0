/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * The issuer console in headless Chromium against a real node: sign-in with
 * an API key, the form generated from the type standard (validation messages
 * by the fields, the server's 422 mapped back), issuing, the PDF preview and
 * downloads, then the licence verified on the verifier page, revoked from the
 * console with a reason, and the verifier page saying so.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { startTestNode, type TestNode } from '../node/helpers/startTestNode';
import { expectCleanPage, launchBrowser, openPage, screenshot, verdictOf, waitForFlag, type PageWatch } from './helpers/browser';
import { BUSINESS_LICENSE_TYPE } from '../typeCodes';

const A = '11350100DM00000133'; // business licences and food business permits

let node: TestNode;
let browser: Browser;
let page: Page;
let watch: PageWatch;
const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
const holderCode = sample.draft.holder.code;

beforeAll(async () => {
  node = await startTestNode({ env: { ELICENSE_PUBLIC_RATE_LIMIT: '100000' } });
  browser = await launchBrowser();
  ({ page, watch } = await openPage(browser, node.url, { viewport: { width: 1280, height: 900 } }));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
}, 60_000);

afterEach(() => expectCleanPage(watch));

const field = (name: string, control = 'input') => `[data-field="${name}"] ${control}`;

let identifier: string;

describe('the issuer console', () => {
  it('signs in with an issuer key only: a wrong key and a non-issuer key are refused with a message', async () => {
    await page.goto('/console');
    await waitForFlag(page);
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('api-key');
    await screenshot(page, 'console-signin');
    await page.fill('#api-key', 'elk_not-a-key');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#signin-error:not([hidden])');
    expect(await page.textContent('#signin-error')).toContain('API 密钥无效');
    await page.fill('#api-key', node.keys.auditor);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /发证部门的密钥/.test((globalThis as any).document.getElementById('signin-error').textContent));
    await page.fill('#api-key', node.keys.issuerOf(A));
    await page.keyboard.press('Enter');
    await waitForFlag(page, 'signedIn');
    expect(await page.textContent('#department-heading')).toContain(A);
    // The key lives in this tab's sessionStorage, never in the URL or a cookie.
    expect(page.url()).not.toContain('elk_');
    expect(await page.context().cookies()).toEqual([]);
    expect(await page.evaluate<string | null>(`sessionStorage.getItem('elicense.apiKey.console')`)).toBe(node.keys.issuerOf(A));
  });

  it('generates the form from the type standard and shows each problem by its field before anything is sent', async () => {
    const labels = await page.evaluate<string[]>(`[...document.querySelectorAll('#form-fields label')].map((l) => l.textContent.trim())`);
    for (const label of ['持证主体 *', '统一社会信用代码 *', '经营范围 *', '注册资本', '营业期限至']) expect(labels).toContain(label);
    let posted = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/v1/licenses')) posted++;
    });
    await page.fill(field('extendInfo.unifiedSocialCreditCode'), 'not-a-code');
    await page.fill(field('effectiveDate'), '2024-02-30');
    await page.click('#issue-submit');
    await page.waitForSelector('#issue-error:not([hidden])');
    expect(await page.textContent('[data-field="holder.name"] .field-error')).toBe('必填。');
    expect(await page.getAttribute(field('holder.name'), 'aria-invalid')).toBe('true');
    expect(await page.textContent('[data-field="extendInfo.unifiedSocialCreditCode"] .field-error')).toContain('格式不正确');
    expect(await page.evaluate<string>('document.activeElement?.closest("[data-field]")?.dataset.field')).toBe('holder.name');
    expect(posted).toBe(0);
    await screenshot(page, 'console-validation');
  });

  it("maps the server's 422 problem details back to the fields", async () => {
    // The page checks each field on its own; that the licence ends before it begins is the server's finding (VALIDITY_PERIOD_INVALID).
    await fillSample(page);
    const effective = sample.draft.effectiveDate;
    const before = new Date(Date.parse(`${effective}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await page.fill(field('expiringDate'), before);
    const answered = page.waitForResponse((r) => r.url().endsWith('/v1/licenses') && r.request().method() === 'POST');
    await page.click('#issue-submit');
    expect((await answered).status()).toBe(422);
    await page.waitForSelector('[data-field="expiringDate"] .field-error:not([hidden])');
    expect(await page.textContent('[data-field="expiringDate"] .field-error')).toMatch(/before the effective date/);
    expect(await page.isVisible('#issue-error')).toBe(true);
    await page.fill(field('expiringDate'), '');
  });

  it('issues the licence, previews the PDF and offers the downloads', async () => {
    await page.click('#issue-submit');
    await page.waitForSelector('#issued-identifier');
    identifier = (await page.textContent('#issued-identifier'))!;
    expect(identifier.startsWith(`1.2.156.3005.2.${BUSINESS_LICENSE_TYPE}.11350100DM00000133.`)).toBe(true);
    await page.waitForSelector('#issue-result iframe.pdf-frame');
    expect(await page.getAttribute('#issue-result iframe.pdf-frame', 'src')).toMatch(/^blob:/);
    await page.waitForTimeout(1500); // let the PDF viewer draw the page before the screenshot
    await screenshot(page, 'console-issued');
  });

  it('the downloaded JSON and QR image verify on the verifier page', async () => {
    const json = await downloadFrom(page, '#issue-result .act-json');
    const png = await downloadFrom(page, '#issue-result .act-qr');
    const pdf = await downloadFrom(page, '#issue-result .act-pdf');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const verifier = await page.context().newPage();
    await verifier.goto('/verify');
    await waitForFlag(verifier);
    await verifier.fill('#paste-input', json.toString('utf8'));
    await verifier.click('#paste-submit');
    expect(await verdictOf(verifier)).toBe('accepted');
    expect(await verifier.textContent('[data-section="licence"]')).toContain(identifier);
    await verifier.evaluate(`delete document.getElementById('verdict').dataset.result`);
    await verifier.setInputFiles('#upload-input', { name: 'qr.png', mimeType: 'image/png', buffer: png });
    expect(await verdictOf(verifier)).toBe('accepted');
    await verifier.close();
  });

  it('lists and searches the department\'s licences and revokes one with a reason; the verifier page then says it is revoked', async () => {
    await page.click('#tab-licences');
    await page.waitForSelector(`#licence-table tr[data-identifier="${identifier}"]`);
    await page.fill('#search-holder', holderCode);
    await page.click('#search-form button[type="submit"]');
    await page.waitForFunction((id) => (globalThis as any).document.querySelector(`#licence-table tr[data-identifier="${id}"]`) !== null, identifier);
    await page.click(`#licence-table tr[data-identifier="${identifier}"] .act-open`);
    await page.waitForSelector('#licence-detail .act-revoke');
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('licence-detail');
    await screenshot(page, 'console-licences');
    // Taken before the revocation: afterwards the node gives out no QR or PDF of it (410, docs/adr/0004).
    const qr = await downloadFrom(page, '#licence-detail .act-qr');
    await page.click('#licence-detail .act-revoke');
    await page.waitForSelector('#reason-dialog[open]');
    // A reason is required.
    await page.click('#reason-confirm');
    expect(await page.textContent('#reason-error')).toBe('请填写原因。');
    await page.keyboard.type('持证主体申请注销（测试）');
    await page.click('#reason-confirm');
    await page.waitForSelector('#reason-dialog:not([open])', { state: 'attached' });
    await page.waitForSelector(`#licence-table tr[data-identifier="${identifier}"] [data-status="revoked"]`);
    expect(await page.textContent('#licence-detail')).toContain('持证主体申请注销（测试）');
    await screenshot(page, 'console-revoked');
    // A revoked licence offers no PDF or QR (the node answers 410), only its JSON record, and says why.
    expect(await page.$$eval('#licence-detail .licence-actions button', (bs) => bs.map((b) => b.className))).toEqual(['act-json']);
    expect(await page.textContent('#licence-detail .licence-actions .hint')).toContain('已被撤销');
    expect(await page.textContent('#licence-detail')).not.toContain('null');

    const verifier = await page.context().newPage();
    await verifier.goto('/verify');
    await waitForFlag(verifier);
    await verifier.setInputFiles('#upload-input', { name: 'qr.png', mimeType: 'image/png', buffer: qr });
    expect(await verdictOf(verifier)).toBe('rejected');
    expect(await verifier.getAttribute('[data-section="problems"] [data-code]', 'data-code')).toBe('LICENSE_REVOKED');
    expect(await verifier.textContent('#verdict')).toContain('证照已被发证机构撤销');
    await screenshot(verifier, 'verify-revoked-from-console');
    await verifier.close();
  });

  it('switches to English, keeping what was typed', async () => {
    await page.click('#tab-issue');
    await page.click('#issue-next');
    await page.fill(field('holder.name'), '测试主体');
    await page.click('#lang-toggle');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('#tab-issue')).toBe('Issue');
    expect(await page.textContent('#form-fields legend')).toBe('Holder');
    expect(await page.inputValue(field('holder.name'))).toBe('测试主体');
    await screenshot(page, 'console-english');
    await page.click('#lang-toggle');
  });

  it('data a verifier would flag (a pilot-era USCC): the fields say why, and the issuer may confirm and issue anyway', async () => {
    const pilot = `${holderCode.slice(0, 17)}${holderCode[17] === 'E' ? 'F' : 'E'}`; // a wrong check character
    await fillSample(page);
    await page.fill(field('holder.code'), pilot);
    await page.fill(field('extendInfo.unifiedSocialCreditCode'), pilot);
    await page.fill(field('certificateNumber'), `${sample.draft.certificateNumber}-P`);
    const refused = page.waitForResponse((r) => r.url().endsWith('/v1/licenses') && r.request().method() === 'POST');
    await page.click('#issue-submit');
    expect((await refused).status()).toBe(422);
    await page.waitForSelector('#issue-ack:not([hidden])');
    expect(await page.textContent('#issue-ack')).toContain('USCC_CHECK_CHARACTER_MISMATCH');
    expect(await page.textContent('[data-field="holder.code"] .field-error')).toContain('check character');
    await screenshot(page, 'console-acknowledge-warning');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'console-acknowledge-warning-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.check('#issue-ack-box');
    const issued = page.waitForResponse((r) => r.url().endsWith('/v1/licenses') && r.request().method() === 'POST');
    await page.click('#issue-submit');
    const answer = await issued;
    expect(answer.status()).toBe(201);
    expect(answer.headers()['elicense-warnings']).toBe('USCC_CHECK_CHARACTER_MISMATCH');
    await page.waitForSelector('#issued-identifier');
    expect(await page.isHidden('#issue-ack')).toBe(true);
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'console-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});

async function fillSample(p: Page): Promise<void> {
  const d = sample.draft;
  await p.fill(field('holder.name'), d.holder.name);
  await p.selectOption(field('holder.typeCode', 'select'), d.holder.typeCode);
  await p.fill(field('holder.code'), d.holder.code);
  await p.fill(field('certificateNumber'), d.certificateNumber);
  await p.fill(field('effectiveDate'), d.effectiveDate);
  for (const [k, v] of Object.entries(d.extendInfo)) {
    const name = `extendInfo.${k}`;
    const tag = await p.evaluate<string>(`document.querySelector('[data-field="${name}"] input, [data-field="${name}"] textarea, [data-field="${name}"] select').tagName`);
    if (tag === 'SELECT') await p.selectOption(`[data-field="${name}"] select`, String(v));
    else await p.fill(`[data-field="${name}"] ${tag.toLowerCase()}`, String(v));
  }
}

async function downloadFrom(p: Page, selector: string): Promise<Buffer> {
  const [download] = await Promise.all([p.waitForEvent('download'), p.click(selector)]);
  return readFileSync((await download.path())!);
}
