import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoLicense, DemoRegion } from '../../../src/demo/buildDemoRegion';
import { buildDemoWithEdDsaDepartment, type DemoWithEdDsa } from '../../demo/legacyEdDsaDepartment';
import { LicenseFonts } from '../../../src/forms/pdf/LicenseFonts';
import { renderLicensePdf } from '../../../src/forms/pdf/renderLicensePdf';
import { repoPath } from '../../../src/repoPath';
import { StandardsCatalog } from '../../../src/standards/StandardsCatalog';
import type { VerifyContext } from '../../../src/verify/VerifyContext';

export const NOW = new Date('2026-11-26T08:00:00Z');
export const catalog = StandardsCatalog.load();
export const fonts = LicenseFonts.load();
export const sealPng = new Uint8Array(readFileSync(repoPath('fixtures', 'seals', 'demo-seal.png')));
/** Any text will do here: the compact QR encoder is tested on its own. */
export const qrTextFor = (lic: DemoLicense) => `LC1:TEST${lic.slug.toUpperCase()}`;

/** The demo region (ES256 and PS256 departments) plus a department whose key is EdDSA, certified before that stopped. */
export async function demoRegion(): Promise<DemoWithEdDsa> {
  return buildDemoWithEdDsaDepartment({ catalog, now: NOW });
}

export function contextOf(demo: DemoRegion): VerifyContext {
  return { trust: demo.trust, catalog, at: NOW };
}

export async function signedPdf(demo: DemoRegion, lic: DemoLicense): Promise<Uint8Array> {
  return renderLicensePdf(lic.form, { standard: lic.standard, qrText: qrTextFor(lic), sealPng, signer: demo.signerOf(lic.department), at: NOW, fonts });
}

const workDir = mkdtempSync(join(tmpdir(), 'elicense-pdf-'));

/** Runs a poppler/zbar tool on the PDF (written to a temp file); stdout, or stdout+stderr when it exits non-zero. */
export function tool(cmd: string, args: string[], pdf: Uint8Array, name = 'licence.pdf'): string {
  const file = join(workDir, name);
  writeFileSync(file, pdf);
  try {
    return execFileSync(cmd, [...args.map((a) => a.replace('{}', file))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
}

export function toolAvailable(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export { workDir };
