import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoPath } from '../../../repoPath';

/** One file the web pages may load, by the name it has under /web/. */
export interface WebAsset {
  path: string;
  type: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

const extension = (name: string): string => name.slice(name.lastIndexOf('.'));

/** The browser build of the QR decoder (ZXing C++ as WebAssembly), served from node_modules: no CDN. */
function zxingDir(): string {
  // .../zxing-wasm/dist/reader/zxing_reader.wasm is exported by the package; the browser build sits beside it.
  return dirname(dirname(require.resolve('zxing-wasm/reader/zxing_reader.wasm')));
}

/**
 * Every file under /web/: the pages' own files (web/assets), the code lists
 * the issuer form needs (standards/codelists) and the QR decoder. An allow-list
 * built once at start: nothing else on disk can be reached through /web/.
 */
export function webAssets(): ReadonlyMap<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  const dir = repoPath('web', 'assets');
  for (const name of readdirSync(dir)) {
    const type = TYPES[extension(name)];
    if (type !== undefined && /^[a-z0-9][a-z0-9._-]*$/.test(name)) assets.set(name, { path: join(dir, name), type });
  }
  for (const name of ['holder-code-types.json', 'division-codes.json']) assets.set(name, { path: repoPath('standards', 'codelists', name), type: TYPES['.json']! });
  assets.set('zxing-reader.js', { path: join(zxingDir(), 'iife', 'reader', 'index.js'), type: TYPES['.js']! });
  assets.set('zxing_reader.wasm', { path: join(zxingDir(), 'reader', 'zxing_reader.wasm'), type: TYPES['.wasm']! });
  return assets;
}

/** The pages, by path. */
export const WEB_PAGES = {
  '/verify': { file: 'verify.html', camera: true, summary: 'Verifier page (public): scan a QR with the camera or a USB scanner, upload an image or PDF, paste text' },
  '/console': { file: 'console.html', camera: false, summary: "Issuer console (department staff, API-key sign-in): issue, preview, print, search, revoke and suspend the department's licences" },
  '/operator': { file: 'operator.html', camera: false, summary: 'Operator dashboard (region admin, auditor): departments and certificates, peers and their sync freshness, statistics' },
  '/wallet': { file: 'wallet.html', camera: false, summary: "Holder's page (我的证照, holder sign-in through the identity provider; DEMO holders in a demo region): licences, presentation QR, grants, annotated copies, usage log" },
} as const;

export function webPagePath(file: string): string {
  return repoPath('web', file);
}
