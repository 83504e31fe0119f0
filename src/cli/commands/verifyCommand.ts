import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { verifyAnyForm, type AnyFormResult } from '../../verify/forms/verifyAnyForm';
import { parsePin, trustFromBundle } from '../../trust/peer/bundleTrust';
import { loadFederationConfig, withSuccessionRules } from '../../trust/peer/FederationConfig';
import { parseStrictJson } from '../../json/parseStrictJson';
import { loadLocalTrustFile } from '../../trust/local/loadLocalTrustFile';
import type { TrustInputs } from '../../trust/TrustInputs';
import { REASON_CODES } from '../../format/reasonCodes';
import type { CliContext } from '../CliContext';
import { PRESENTATION_QR_PREFIX } from '../../forms/detectForm';
import { CliExit, EXIT } from '../exitCodes';
import { formatResult } from '../formatResult';
import { parseAt, readInput } from '../readInput';

export const TRUST_FILE_NAME = 'trust.json';

/** Terminal lines for what is particular to the presented form (the PDF's own checks). */
function formLines(result: AnyFormResult): string {
  const lines = [`  form:    ${result.form}`];
  if (result.pdf) lines.push(`  pdf:     ${JSON.stringify(result.pdf)}`);
  return lines.join('\n');
}

/** 0 accepted; 2 when the input could not be read as a licence at all; 1 otherwise. */
export function exitCodeOf(result: AnyFormResult): number {
  if (result.result === 'accepted') return EXIT.ACCEPTED;
  return result.reasons.some((r) => REASON_CODES[r] === 'format') ? EXIT.UNREADABLE : EXIT.REJECTED;
}

function localTrust(dir: string): TrustInputs {
  const trustPath = join(dir, TRUST_FILE_NAME);
  if (!existsSync(trustPath)) throw new CliExit(EXIT.UNREADABLE, missingTrust(trustPath));
  try {
    return loadLocalTrustFile(readInput(trustPath), trustPath);
  } catch (e) {
    throw new CliExit(EXIT.UNREADABLE, (e as Error).message);
  }
}

/** No trust material where --trust points (by default ./trust): say what is missing and how to get it. */
function missingTrust(trustPath: string): string {
  return [
    `no trust material: ${trustPath} does not exist (--trust DIR names the directory holding ${TRUST_FILE_NAME}; default ./trust).`,
    '  A licence is verified against the pinned region roots and departments of its region:',
    '  - licences of `elicense demo --out demo-out`: --trust demo-out/trust',
    '  - licences of a node: export its trust bundle (GET /v1/federation/export with a region admin or auditor key, or',
    '    `elicense trust export --out bundle.json` on the node\'s machine), then --bundle bundle.json --pin <SHA-256 of the region root>',
  ].join('\n');
}

/** Trust from a bundle: only the pinned regions' documents, each checked; refusals are reported on stderr. */
function bundleTrust(file: string, pins: string[], federationFile: string | undefined, at: Date, ctx: CliContext): TrustInputs {
  if (pins.length === 0 || !pins.every((p) => parsePin(p) !== null)) {
    throw new CliExit(EXIT.UNREADABLE, '--bundle needs at least one --pin <sha256 of a region root, 64 hex digits>[:<region code>]');
  }
  try {
    // The node's own rules: as configured, completed by the type code succession of this catalogue (docs/adr/0011).
    const recognition = federationFile !== undefined ? withSuccessionRules(loadFederationConfig(federationFile).recognition, ctx.catalog()) : undefined;
    const bundle = parseStrictJson(readInput(file), { maxBytes: 256 * 1024 * 1024, maxDepth: 8 });
    const { trust, refused } = trustFromBundle(bundle, { pins, at, ...(recognition ? { recognition } : {}) });
    for (const r of refused) ctx.err(`trust bundle: refused ${r.kind} ${r.docId}: ${r.code} ${r.message}`);
    if (trust.peers.length === 0) throw new CliExit(EXIT.UNREADABLE, `${file} holds no acceptable trust list under the pinned root(s)`);
    return trust.asTrustInputs({ source: `trust bundle ${file} (${trust.peers.map((p) => p.region.code).join(', ')})`, at: () => at, judgeRecognition: recognition !== undefined });
  } catch (e) {
    if (e instanceof CliExit) throw e;
    throw new CliExit(EXIT.UNREADABLE, `${file}: ${(e as Error).message}`);
  }
}

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description('verify a licence offline in any form: full-form JSON, QR text (LC1:...), a PNG or JPEG image of the QR, or the licence PDF (detected from the content)')
    .argument('<file>', 'licence file, or - for standard input')
    .option('--trust <dir>', `directory holding ${TRUST_FILE_NAME} (pinned roots and departments)`, 'trust')
    .option('--bundle <file>', 'verify from a trust bundle (elicense trust export) instead: signed trust lists and status lists of other regions')
    .option('--pin <sha256>', "with --bundle: SHA-256 of a region root to trust, optionally :<region code> it must speak for (repeat for several regions)", (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--federation <file>', 'with --bundle: a federation configuration whose recognition rules to apply (else recognition is not checked)')
    .option('--at <iso-time>', 'verify as of this time instead of now')
    .option('--json', 'print the verification result as JSON')
    .addHelpText('after', '\nExit codes: 0 accepted, 1 rejected, 2 input or trust material unreadable.')
    .action(async (file: string, opts: { trust: string; bundle?: string; pin: string[]; federation?: string; at?: string; json?: boolean }) => {
      const at = parseAt(opts.at, ctx.clock.now());
      const trust = opts.bundle !== undefined ? bundleTrust(opts.bundle, opts.pin, opts.federation, at, ctx) : localTrust(opts.trust);
      const input = readInput(file);
      // A holder's presentation QR is a single-use pointer, not a licence: only a node can resolve it (docs/adr/0012).
      if (Buffer.from(input.subarray(0, 16)).toString('latin1').trimStart().toUpperCase().startsWith(PRESENTATION_QR_PREFIX)) {
        throw new CliExit(EXIT.UNREADABLE, `${file}: a presentation QR (${PRESENTATION_QR_PREFIX}…) points to a licence held by the holder's region's node and works once; it cannot be verified offline. Scan it on a node's /verify page, or POST it to /v1/verifications`);
      }
      const result = await verifyAnyForm(input, { trust, catalog: ctx.catalog(), at });
      ctx.out(opts.json ? JSON.stringify(result, null, 2) : `${formatResult(result, file)}\n${formLines(result)}`);
      ctx.exitCode = exitCodeOf(result);
    });
}
