/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 */
/**
 * The holder's side, the whole story in a real browser against a real node (issue 15, "done when"): a demo
 * holder signs in on /wallet, presents a licence that a clerk scans on the verifier page (once: a second scan
 * is refused), grants a department use of it for a case, the department's API exchanges the code, the holder
 * makes an annotated copy for a purpose, the verifier page accepts the copy and, with the node's clock moved
 * past its expiry, rejects it (ANNOTATION_EXPIRED); the holder's usage log shows each use. At phone width.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { repoPath } from '../../src/repoPath';
import { http } from '../node/helpers/http';
import { startTestNode, type TestNode } from '../node/helpers/startTestNode';
import { expectCleanPage, launchBrowser, openPage, verdictOf, waitForFlag, type PageWatch } from './helpers/browser';
import { englishWords } from './helpers/englishWords';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const overflow = (p: Page) => p.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
/** Visible text less what is shown as code (identifiers, grant codes). */
const visibleText = (p: Page) =>
  p.evaluate<string>(`(() => {
    let text = document.body.innerText;
    for (const c of document.querySelectorAll('code')) if (c.textContent) text = text.split(c.textContent).join(' ');
    return text;
  })()`);
const SHOTS = repoPath('test-artifacts', 'pages');
const MARKET = '11350100DM00000133'; // the demo's market regulation department: the department the holder grants
const DAY = 86_400_000;

let node: TestNode;
let browser: Browser;
let offset = 0;
const clock = { now: () => new Date(Date.now() + offset) };
const sample = loadSampleLicenses().find((s) => s.name === 'driving-licence')!;
const holderCode = sample.draft.holder.code;
let identifier: string;

const pages: Array<{ page: Page; watch: PageWatch }> = [];
async function open(path: string, viewport = PHONE): Promise<Page> {
  const opened = await openPage(browser, node.url, { viewport });
  pages.push(opened);
  await opened.page.goto(path);
  await waitForFlag(opened.page);
  return opened.page;
}

beforeAll(async () => {
  node = await startTestNode({ clock, env: { ELICENSE_PUBLIC_RATE_LIMIT: '100000' } });
  browser = await launchBrowser();
  const issued = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('driving-licence'), json: { type: 'driving-licence', data: sample.draft } });
  if (issued.status !== 201) throw new Error(`issuance: ${issued.status} ${issued.text.slice(0, 300)}`);
  identifier = issued.body.license.certificateIdentifier;
}, 180_000);

afterAll(async () => {
  for (const p of pages) expectCleanPage(p.watch);
  await browser?.close();
  await node?.close();
}, 60_000);

async function scanAtWindow(verifier: Page, text: string): Promise<string> {
  await verifier.evaluate(`(() => { delete document.getElementById('verdict').dataset.result; })()`);
  await verifier.focus('#scan-input');
  await verifier.keyboard.insertText(text);
  await verifier.keyboard.press('Enter');
  return verdictOf(verifier);
}

async function pasteAtWindow(verifier: Page, text: string): Promise<string> {
  await verifier.evaluate(`(() => { delete document.getElementById('verdict').dataset.result; })()`);
  await verifier.fill('#paste-input', text);
  await verifier.click('#paste-submit');
  return verdictOf(verifier);
}

describe('the holder\'s side, from sign-in to an expired annotated copy', () => {
  let wallet: Page;
  let verifier: Page;
  let copyJson: string;

  it('a demo holder signs in on /wallet and sees the licence, labelled DEMO', async () => {
    wallet = await open('/wallet');
    expect(await wallet.isVisible('#demo-signin-form')).toBe(true);
    await wallet.selectOption('#demo-holder', holderCode);
    await wallet.click('#demo-signin-form button[type="submit"]');
    await waitForFlag(wallet, 'signedIn');
    expect(await wallet.isVisible('#demo-identity')).toBe(true);
    await wallet.waitForSelector(`li[data-identifier="${identifier}"]`);
    expect(await wallet.textContent('#holder-heading')).toContain(sample.draft.holder.name);
    await wallet.screenshot({ path: join(SHOTS, 'wallet-licences-phone.png'), fullPage: true });
  });

  it('presents it: the QR and its expiry show; the clerk\'s scan verifies it once, a second scan is refused', async () => {
    await wallet.click(`li[data-identifier="${identifier}"] button.primary`);
    await wallet.waitForSelector('#present-dialog[open] #present-qr img');
    expect(await wallet.textContent('#present-expiry')).toMatch(/\d+ 秒/);
    await wallet.screenshot({ path: join(SHOTS, 'wallet-present-phone.png') });
    const presentation = await wallet.inputValue('#present-text');
    expect(presentation).toMatch(/^LP1:/);
    await wallet.click('#present-close');

    verifier = await open('/verify');
    expect(await scanAtWindow(verifier, presentation)).toBe('accepted');
    expect(await verifier.textContent('[data-section="presentation"]')).toContain('亮证');
    expect(await verifier.textContent('[data-section="licence"]')).toContain(sample.draft.holder.name);
    await verifier.screenshot({ path: join(SHOTS, 'verify-presentation-phone.png'), fullPage: true });
    expect(await scanAtWindow(verifier, presentation)).not.toBe('accepted');
    expect(await verifier.textContent('#verdict')).toMatch(/已使用|PRESENTATION_USED/);
  });

  it('grants the market regulation department use for a case; the department exchanges the code with its API key', async () => {
    await wallet.click(`li[data-identifier="${identifier}"] .wallet-actions button:nth-child(2)`);
    await wallet.waitForSelector('#grant-dialog[open]');
    await wallet.selectOption('#grant-department', MARKET);
    await wallet.fill('#grant-item', '个体工商户设立登记');
    await wallet.fill('#grant-case', 'FZ-2026-000123');
    await wallet.click('#grant-submit');
    await wallet.waitForSelector('#grant-result:not([hidden]) #grant-qr img');
    const code = (await wallet.textContent('#grant-code'))!.trim();
    expect(code).toMatch(/^350000-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await wallet.click('#grant-done');

    const redeemed = await http(node.url, 'POST', '/v1/grants/redeem', { key: node.keys.issuerOf(MARKET), json: { code } });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body.licenseIdentifiers).toEqual([identifier]);
    expect(redeemed.body).toMatchObject({ caseNumber: 'FZ-2026-000123' });
    const checked = await http(node.url, 'POST', '/v1/verifications', { json: redeemed.body.licenses[0] });
    expect(checked.body.result).toBe('accepted');
    // The code is one-time.
    const again = await http(node.url, 'POST', '/v1/grants/redeem', { key: node.keys.issuerOf(MARKET), json: { code } });
    expect(again.body.code).toBe('GRANT_ALREADY_REDEEMED');
  });

  it('makes an annotated copy for a purpose; the verifier page accepts it with its purpose and user department', async () => {
    await wallet.click(`li[data-identifier="${identifier}"] .wallet-actions button:nth-child(3)`);
    await wallet.waitForSelector('#copy-dialog[open]');
    await wallet.fill('#copy-purpose', '办理个体工商户设立登记');
    await wallet.selectOption('#copy-department', MARKET);
    await wallet.fill('#copy-days', '30');
    await wallet.click('#copy-submit');
    await wallet.waitForSelector('#copy-result:not([hidden])');
    expect(await wallet.textContent('#copy-made')).toContain('办理个体工商户设立登记');
    const [download] = await Promise.all([wallet.waitForEvent('download'), wallet.click('#copy-json')]);
    copyJson = readFileSync((await download.path())!, 'utf8');
    expect(JSON.parse(copyJson).annotatedCopy.purpose).toBe('办理个体工商户设立登记');
    await wallet.click('#copy-done');

    expect(await pasteAtWindow(verifier, copyJson)).toBe('accepted');
    const text = await verifier.textContent('#result-details');
    expect(text).toContain('办理个体工商户设立登记');
    expect(text).toContain('福州市市场监督管理局');
    await verifier.screenshot({ path: join(SHOTS, 'verify-annotated-copy-phone.png'), fullPage: true });
  });

  it('the holder\'s usage log shows the presentation, the exchange and the annotated copy', async () => {
    await wallet.reload();
    await waitForFlag(wallet, 'signedIn');
    await wallet.click('#tab-usage');
    await wallet.waitForSelector('#usage-table tbody tr');
    const kinds = await wallet.evaluate<string[]>(`[...document.querySelectorAll('#usage-table tbody tr')].map((tr) => tr.dataset.kind)`);
    expect(new Set(kinds)).toEqual(new Set(['presentation', 'exchange', 'annotated_copy']));
    const log = (await wallet.textContent('#usage-table'))!;
    expect(log).toContain('FZ-2026-000123');
    expect(log).toContain('个体工商户设立登记');
    expect(log).toContain('福州市市场监督管理局');
    await wallet.screenshot({ path: join(SHOTS, 'wallet-usage-phone.png'), fullPage: true });
    expect(englishWords(await visibleText(wallet))).toEqual([]);
    expect(await overflow(wallet)).toBeLessThanOrEqual(0);
    await wallet.click('#tab-grants');
    expect(await wallet.getAttribute('#grants-table tbody tr', 'data-state')).toBe('redeemed');
  });

  it('the wallet fits a desktop too, in Chinese and in English (no sideways scrolling; no English words on the zh page)', async () => {
    const desk = await open('/wallet', DESKTOP);
    // A new browser context has its own sessionStorage: sign in again.
    await desk.selectOption('#demo-holder', holderCode);
    await desk.click('#demo-signin-form button[type="submit"]');
    await waitForFlag(desk, 'signedIn');
    await desk.waitForSelector(`li[data-identifier="${identifier}"]`);
    expect(await overflow(desk)).toBeLessThanOrEqual(0);
    expect(englishWords(await visibleText(desk))).toEqual([]);
    await desk.screenshot({ path: join(SHOTS, 'wallet-licences-desktop.png'), fullPage: true });
    await desk.click('#lang-toggle');
    expect(await desk.textContent('#tab-usage')).toBe('Uses');
    await desk.click('#tab-usage');
    await desk.screenshot({ path: join(SHOTS, 'wallet-usage-desktop-en.png'), fullPage: true });
    expect(await overflow(desk)).toBeLessThanOrEqual(0);
  });

  it('with the node\'s clock moved past the copy\'s expiry, the verifier page rejects it: ANNOTATION_EXPIRED', async () => {
    offset = 31 * DAY;
    expect(await pasteAtWindow(verifier, copyJson)).toBe('rejected');
    expect(await verifier.getAttribute('[data-section="problems"] [data-code]', 'data-code')).toBe('ANNOTATION_EXPIRED');
    await verifier.screenshot({ path: join(SHOTS, 'verify-annotated-copy-expired-phone.png'), fullPage: true });
  });
});
