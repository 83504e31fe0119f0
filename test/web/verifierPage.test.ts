/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * The public verifier page in headless Chromium against a real node: a USB
 * scanner's typed text + Enter, an uploaded QR image and PDF, pasted JSON,
 * keyboard-only use, the language switch, a phone-sized screen. The licence
 * forms come from the node itself (GET /v1/licenses/{id}.qr.txt|.qr.png|.pdf).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { http } from '../node/helpers/http';
import { startTestNode, type TestNode } from '../node/helpers/startTestNode';
import { expectCleanPage, launchBrowser, openPage, screenshot, verdictOf, waitForFlag, type PageWatch } from './helpers/browser';
import { y4mShowing } from './helpers/fakeCamera';

let node: TestNode;
let browser: Browser;
let identifier: string;
let qrText: string;
let qrPng: Buffer;
let pdf: Buffer;
let fullForm: string;

async function licenseForm(path: string, key: string): Promise<Buffer> {
  const res = await fetch(node.url + path, { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
  node = await startTestNode({ env: { ELICENSE_PUBLIC_RATE_LIMIT: '100000' } });
  browser = await launchBrowser();
  const key = node.keys.issuerOf('business-licence');
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
  const issued = await http(node.url, 'POST', '/v1/licenses', { key, json: { type: 'business-licence', data: sample.draft } });
  expect(issued.status).toBe(201);
  fullForm = issued.text;
  identifier = issued.body.license.certificateIdentifier;
  const id = encodeURIComponent(identifier);
  qrText = (await licenseForm(`/v1/licenses/${id}.qr.txt`, key)).toString('utf8').trim();
  qrPng = await licenseForm(`/v1/licenses/${id}.qr.png`, key);
  pdf = await licenseForm(`/v1/licenses/${id}.pdf`, key);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
}, 60_000);

let page: Page;
let watch: PageWatch;

beforeEach(async () => {
  ({ page, watch } = await openPage(browser, node.url));
  await page.goto('/verify');
  await waitForFlag(page);
});

afterEach(async () => {
  expectCleanPage(watch);
  await page.context().close();
});

async function clearVerdict(): Promise<void> {
  await page.evaluate(`delete document.getElementById('verdict').dataset.result`);
}

describe('the verifier page', () => {
  it('opens in Chinese with the scanner field focused, a live verdict region and the camera allowed for this page only', async () => {
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('h1')).toBe('证照核验');
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('scan-input');
    expect(await page.getAttribute('#verdict', 'role')).toBe('status');
    expect(await page.getAttribute('#verdict', 'aria-live')).toBe('polite');
    // Every input has a label.
    const unlabelled = await page.evaluate<string[]>(`[...document.querySelectorAll('input, textarea')].filter((e) => !e.labels?.length).map((e) => e.id)`);
    expect(unlabelled).toEqual([]);
    const res = await http(node.url, 'GET', '/verify');
    expect(res.headers.get('permissions-policy')).toMatch(/camera=\(self\)/);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe-inline[^;]*;.*script|script-src[^;]*unsafe-inline/);
    expect((await http(node.url, 'GET', '/console')).headers.get('permissions-policy')).toMatch(/camera=\(\)/);
    await screenshot(page, 'verify-idle');
  });

  it('verifies what a USB scanner types (the QR text, then Enter) at once, and clears the field for the next scan', async () => {
    await page.keyboard.type(qrText);
    await page.keyboard.press('Enter');
    expect(await verdictOf(page)).toBe('accepted');
    expect(await page.textContent('#verdict .verdict-title')).toBe('核验通过');
    expect(await page.textContent('#verdict')).toContain('福州榕信软件科技有限公司');
    expect(await page.inputValue('#scan-input')).toBe('');
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('scan-input');
    // Face data with the labels of the type standard; issuer; trust freshness; every check.
    const license = await page.textContent('[data-section="licence"]');
    expect(license).toContain('统一社会信用代码');
    expect(license).toContain('91350102EL0000017D');
    expect(await page.textContent('[data-section="issuer"]')).toContain('福建省福州市');
    expect(await page.textContent('[data-section="freshness"]')).toContain('可信数据来源');
    expect(await page.evaluate<string[]>(`[...document.querySelectorAll('[data-section="checks"] li')].map((l) => l.dataset.check)`)).toEqual([
      'format',
      'schema',
      'identifier',
      'signature',
      'attachments',
      'chain',
      'issuer',
      'validity',
      'status',
      'recognition',
    ]);
    await screenshot(page, 'verify-accepted-scanner');
  });

  it('verifies an uploaded QR image and an uploaded PDF (the PDF shows the full licence)', async () => {
    await page.setInputFiles('#upload-input', { name: 'licence-qr.png', mimeType: 'image/png', buffer: qrPng });
    expect(await verdictOf(page)).toBe('accepted');
    expect(await page.textContent('[data-section="checks"]')).toContain('二维码图片（PNG）');
    await clearVerdict();
    await page.setInputFiles('#upload-input', { name: 'licence.pdf', mimeType: 'application/pdf', buffer: pdf });
    expect(await verdictOf(page)).toBe('accepted');
    const license = await page.textContent('[data-section="licence"]');
    expect(license).toContain('福州市市场监督管理局');
    expect(license).toContain('经营范围');
    await screenshot(page, 'verify-accepted-pdf');
  });

  it('verifies pasted full-form JSON', async () => {
    await page.fill('#paste-input', fullForm);
    await page.click('#paste-submit');
    expect(await verdictOf(page)).toBe('accepted');
    expect(await page.textContent('[data-section="licence"]')).toContain(identifier);
  });

  it('explains a rejection in plain words, and says when the input is no licence at all', async () => {
    // One character of the signed payload changed.
    const i = qrText.length - 10;
    const tampered = qrText.slice(0, i) + (qrText[i] === 'A' ? 'B' : 'A') + qrText.slice(i + 1);
    await page.keyboard.type(tampered);
    await page.keyboard.press('Enter');
    expect(await verdictOf(page)).toBe('rejected');
    expect(await page.textContent('#verdict .verdict-title')).toBe('核验未通过');
    const problems = await page.textContent('[data-section="problems"]');
    expect(problems).toMatch(/[\u4e00-\u9fff]{6,}/);
    await clearVerdict();
    await page.keyboard.type('hello, not a licence');
    await page.keyboard.press('Enter');
    expect(await verdictOf(page)).toBe('error');
    expect(await page.textContent('#verdict')).toContain('这不是电子证照');
  });

  it('is usable with the keyboard alone: Tab order, Enter on each control, the language switch', async () => {
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate<string>(`document.activeElement?.id ?? ''`));
    }
    expect(order).toEqual(['scan-submit', 'camera-toggle', 'upload-input', 'paste-input', 'paste-submit']);
    // Back to the paste field, type, Tab to its button, Enter.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type(qrText);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await verdictOf(page)).toBe('accepted');
    // Before the scan field: the language switch, reached by Shift+Tab and pressed with Enter.
    await page.focus('#scan-input');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('lang-toggle');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('h1')).toBe('Verify a licence');
    expect(await page.textContent('#verdict .verdict-title')).toBe('Accepted');
    // Before it: the page links, the brand and first of all the skip link, which leads to the scan field.
    const back: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Shift+Tab');
      back.push(await page.evaluate<string>("`${document.activeElement?.className}:${document.activeElement?.getAttribute('href')}`"));
    }
    expect(back).toEqual([':/operator', ':/console', ':/verify', 'brand:/verify', 'skip-link:#scan-input']);
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('scan-input');
  });

  it('switches to English and back, remembering the choice', async () => {
    await page.keyboard.type(qrText);
    await page.keyboard.press('Enter');
    await verdictOf(page);
    await page.click('#lang-toggle');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('[data-section="licence"]')).toContain('Unified social credit code');
    expect(await page.textContent('#lang-toggle')).toBe('中文');
    await screenshot(page, 'verify-accepted-english');
    await page.reload();
    await waitForFlag(page);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('label[for="scan-input"]')).toBe('USB scanner / keyboard');
    await page.click('#lang-toggle');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.keyboard.type(qrText);
    await page.keyboard.press('Enter');
    expect(await verdictOf(page)).toBe('accepted');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'verify-phone');
  });

  it('scans the QR with the camera (a fake camera showing the licence QR), decoding frames in the browser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elicense-camera-'));
    const video = join(dir, 'qr.y4m');
    writeFileSync(video, y4mShowing(qrPng));
    const camBrowser = await launchBrowser(['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`, '--use-fake-ui-for-media-stream']);
    try {
      const cam = await openPage(camBrowser, node.url, { permissions: ['camera'] });
      await cam.page.goto('/verify');
      await waitForFlag(cam.page);
      await cam.page.click('#camera-toggle');
      await cam.page.waitForFunction(() => (globalThis as any).document.getElementById('verdict').dataset.result !== undefined, undefined, { timeout: 30_000 });
      expect(await cam.page.getAttribute('#camera-toggle', 'aria-expanded')).toBe('true');
      expect(await cam.page.getAttribute('#verdict', 'data-result')).toBe('accepted');
      expect(await cam.page.textContent('[data-section="checks"]')).toContain('二维码文本');
      await screenshot(cam.page, 'verify-camera');
      await cam.page.click('#camera-toggle');
      expect(await cam.page.isVisible('#camera-box')).toBe(false);
      expectCleanPage(cam.watch);
    } finally {
      await camBrowser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when the licence has been revoked', async () => {
    const revoked = await http(node.url, 'POST', `/v1/licenses/${encodeURIComponent(identifier)}/revoke`, { key: node.keys.admin, json: { reason: 'test: revoked' } });
    expect(revoked.status).toBe(200);
    await page.keyboard.type(qrText);
    await page.keyboard.press('Enter');
    expect(await verdictOf(page)).toBe('rejected');
    expect(await page.textContent('#verdict')).toContain('证照已被发证机构撤销');
    expect(await page.getAttribute('[data-section="problems"] [data-code]', 'data-code')).toBe('LICENSE_REVOKED');
    await screenshot(page, 'verify-revoked');
  });
});
