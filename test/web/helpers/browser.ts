/**
 * Headless Chromium for the web page tests: Debian's chromium driven by
 * playwright-core (no browser download). Every request the pages make must
 * go to the test node on loopback; anything else is aborted and reported, so
 * a page that reached for a CDN fails its test.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoPath } from '../../../src/repoPath';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Where the tests write their screenshots (gitignored). */
export const SCREENSHOT_DIR = repoPath('test-artifacts', 'screenshots');

export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', ...extraArgs],
  });
}

export interface PageWatch {
  /** Requests to anything but the node (should stay empty). */
  offsite: string[];
  /** Uncaught errors in the page, and CSP violations reported to the console. */
  errors: string[];
}

/** A new context + page confined to `baseUrl`, with offsite requests and page errors collected. */
export async function openPage(browser: Browser, baseUrl: string, options: { viewport?: { width: number; height: number }; permissions?: string[] } = {}): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, baseURL: baseUrl, ...(options.permissions ? { permissions: options.permissions } : {}) });
  const watch: PageWatch = { offsite: [], errors: [] };
  const origin = new URL(baseUrl).origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    // The browser's own PDF viewer (chrome: and chrome-extension: URLs) is not the network.
    if (url.startsWith(origin) || /^(blob|data|chrome|chrome-extension):/.test(url)) return route.continue();
    watch.offsite.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => watch.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) watch.errors.push(`csp: ${m.text()}`);
  });
  return { context, page, watch };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Waits until the page has set `<html data-{flag}="true">` (the pages set "ready", then "signedIn"). */
export async function waitForFlag(page: Page, flag = 'ready'): Promise<void> {
  await page.waitForFunction((f) => (globalThis as any).document.documentElement.dataset[f] === 'true', flag);
}

/** Waits for a verdict on the verifier page (one that is not idle or busy) and returns its outcome: accepted | rejected | error. */
export async function verdictOf(page: Page): Promise<string> {
  await page.waitForFunction(() => {
    const v = (globalThis as any).document.getElementById('verdict');
    return v !== null && v.getAttribute('aria-busy') !== 'true' && v.dataset.result !== undefined;
  });
  return (await page.getAttribute('#verdict', 'data-result'))!;
}

/** The page made no request off the node and raised no error (each test file checks this after every test). */
export function expectCleanPage(watch: PageWatch): void {
  expect(watch.offsite).toEqual([]);
  expect(watch.errors).toEqual([]);
}
