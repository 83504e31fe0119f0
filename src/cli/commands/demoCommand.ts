import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildDemoRegion } from '../../demo/buildDemoRegion';
import { issueAllForms } from '../../issue/issueAllForms';
import { LicenseFonts } from '../../forms/pdf/LicenseFonts';
import { drawDemoSealPng } from '../../region/departments/demoSeal';
import { demoTrustBundle } from '../../demo/demoTrustBundle';
import { trustFromBundle } from '../../trust/peer/bundleTrust';
import { verifyAnyForm } from '../../verify/forms/verifyAnyForm';
import { repoPath } from '../../repoPath';
import { tamperedVariants } from '../../demo/tamperedVariants';
import { loadLocalTrustFile } from '../../trust/local/loadLocalTrustFile';
import { createVerifierCaches, verifyLicense } from '../../verify/verifyLicense';
import type { CliContext } from '../CliContext';
import { EXIT } from '../exitCodes';
import { writeRegionPki } from '../regionPkiFiles';
import { writeLicenseForms } from './issueCommand';
import { TRUST_FILE_NAME } from './verifyCommand';

/** The geometric test seal (fixtures/seals/generateSeal.js: ring and star, no name); `elicense demo` draws each department's demo seal instead. */
export const DEMO_SEAL_FILE = repoPath('fixtures', 'seals', 'demo-seal.png');

/** Demo key files are protected with this passphrase, written next to them: demo data only. */
export const DEMO_PASSPHRASE = 'elicense-demo-only';

function write(path: string, data: string | Uint8Array): void {
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, data);
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('build a DEMO region, issue a licence of every type, write them with the trust material, and verify them')
    .option('--out <dir>', 'output directory', 'demo-out')
    .addHelpText('after', '\nEverything written is demo data: fictional departments, people and firms, and keys whose passphrase is in the output.')
    .action(async (opts: { out: string }) => {
      const now = ctx.clock.now();
      const catalog = ctx.catalog();
      const out = resolve(opts.out);
      const demo = await buildDemoRegion({ catalog, now });

      // Trust material for verifiers, and the region's PKI for the issuer side.
      write(join(out, 'trust', TRUST_FILE_NAME), JSON.stringify(demo.trustFile, null, 2));
      write(join(out, 'trust', 'anchors.pem'), demo.pki.root.certificate.pem);
      // The region's signed trust bundle: what another region's verifier takes, pinned by the root's SHA-256.
      const { bundle, rootSha256 } = await demoTrustBundle(demo, now);
      write(join(out, 'trust', 'bundle.json'), `${JSON.stringify(bundle)}\n`);
      write(join(out, 'trust', 'root.sha256'), `${rootSha256}\n`);
      // Demo keys use a low PBKDF2 count so the demo runs in seconds; `ca init` uses the full default.
      writeRegionPki(join(out, 'pki'), demo.pki, DEMO_PASSPHRASE, { iterations: 10_000 });
      write(join(out, 'pki', 'DEMO-PASSPHRASE.txt'), `${DEMO_PASSPHRASE}\n`);

      // Verify what was written, from the files, as an outside verifier would.
      const trust = loadLocalTrustFile(readFileSync(join(out, 'trust', TRUST_FILE_NAME)), join(opts.out, 'trust', TRUST_FILE_NAME));
      const caches = createVerifierCaches();
      let ok = true;
      ctx.out(`elicense demo — DEMO region ${demo.pki.region.name} (${demo.pki.region.code}); all data fictional\n`);
      ctx.out('Licences (full form):');
      for (const lic of demo.licenses) {
        const file = join(out, 'licences', `${lic.sample}.elic.json`);
        write(file, JSON.stringify(lic.form, null, 2));
        const r = verifyLicense(readFileSync(file), { trust, catalog, at: now, caches });
        ok &&= r.result === 'accepted';
        ctx.out(`  ${r.result.padEnd(8)} ${lic.standard.nameZh} (${lic.standard.nameEn})  ${String(lic.form.license['certificateIdentifier'])}`);
      }

      // The forms people use, signed by the same department key, verified from the written files.
      ctx.out('\nForms (QR text, QR image, PDF), each verified from its file:');
      const fonts = LicenseFonts.load();
      // Each department's demo seal, drawn from its name with 样章 (never a real seal); the PDFs carry the DEMO mark
      // because the demo ceremony's certificates carry the demo-region policy (issueAllForms reads it from the signer).
      const seals = new Map<string, Uint8Array>();
      const sealOf = (name: string): Uint8Array => seals.get(name) ?? seals.set(name, drawDemoSealPng(name, fonts)).get(name)!;
      for (const lic of demo.licenses) {
        const forms = await issueAllForms(lic.form, { standard: lic.standard, signer: demo.signerOf(lic.department), at: now, fonts, sealPng: sealOf(lic.department.name) });
        const files = writeLicenseForms(join(out, 'forms', lic.sample), forms);
        const outcomes: string[] = [];
        for (const [label, file] of [['qr-text', files.qrText], ['qr-png', files.qrPng], ['pdf', files.pdf]] as const) {
          const r = await verifyAnyForm(readFileSync(file), { trust, catalog, at: now, caches });
          ok &&= r.result === 'accepted';
          outcomes.push(`${label} ${r.result}${r.reasons.length ? ` ${r.reasons.join(',')}` : ''}`);
        }
        const { version, mode } = forms.qrSymbol;
        ctx.out(`  ${lic.sample.padEnd(26)} QR version ${String(version).padStart(2)} (level Q, ${mode}, ${forms.qrText.length} chars)  PDF ${(forms.pdf.length / 1024).toFixed(1)} KB  ${outcomes.join(' · ')}`);
      }

      // As another region sees them: the signed bundle under the pinned root, status from its status lists.
      ctx.out('\nAs another region verifies them (signed trust bundle, root pinned by its SHA-256, status checked):');
      const fromBundle = trustFromBundle(JSON.parse(readFileSync(join(out, 'trust', 'bundle.json'), 'utf8')), { pins: [rootSha256], at: now });
      ok &&= fromBundle.refused.length === 0;
      const bundleTrust = fromBundle.trust.asTrustInputs({ source: 'demo trust bundle', at: () => now, judgeRecognition: false });
      for (const lic of demo.licenses) {
        const r = verifyLicense(readFileSync(join(out, 'licences', `${lic.sample}.elic.json`)), { trust: bundleTrust, catalog, at: now, caches });
        const status = r.checks.find((c) => c.check === 'status')?.status;
        ok &&= r.result === 'accepted' && status === 'passed';
        ctx.out(`  ${r.result.padEnd(8)} status ${String(status).padEnd(7)} ${lic.sample}`);
      }

      ctx.out('\nTampered and bad variants (each must be rejected with its reason):');
      const expected: Record<string, { expected: string; description: string; at?: string }> = {};
      for (const t of await tamperedVariants(demo, catalog, now)) {
        const file = join(out, 'tampered', `${t.name}.elic.json`);
        write(file, t.bytes);
        expected[t.name] = { expected: t.expected, description: t.description, ...(t.at ? { at: t.at } : {}) };
        const r = verifyLicense(t.bytes, { trust, catalog, at: t.at ? new Date(t.at) : now, caches });
        const good = r.result === 'rejected' && r.reasons.includes(t.expected);
        ok &&= good;
        ctx.out(`  ${good ? 'ok  ' : 'FAIL'} ${t.name.padEnd(28)} ${r.result} ${r.reasons.join(',')}`);
      }
      write(join(out, 'tampered', 'expected.json'), JSON.stringify(expected, null, 2));

      ctx.out(`\nWritten to ${out}:`);
      ctx.out(`  licences/*.elic.json   forms/*.{pdf,qr.png,qr.svg,qr.txt}   trust/${TRUST_FILE_NAME}   trust/anchors.pem   trust/bundle.json   trust/root.sha256   pki/   tampered/ (+ expected.json)`);
      ctx.out(`Verify one:  elicense verify ${join(opts.out, 'licences', `${demo.licenses[0]?.sample ?? 'business-licence'}.elic.json`)} --trust ${join(opts.out, 'trust')}`);
      ctx.out(`Verify any form the same way:  elicense verify ${join(opts.out, 'forms', `${demo.licenses[0]?.sample ?? 'business-licence'}.pdf`)} --trust ${join(opts.out, 'trust')}`);
      ctx.out(`As another region would:  elicense verify ${join(opts.out, 'forms', `${demo.licenses[0]?.sample ?? 'business-licence'}.qr.txt`)} --bundle ${join(opts.out, 'trust', 'bundle.json')} --pin ${rootSha256}`);
      ctx.exitCode = ok ? EXIT.ACCEPTED : EXIT.REJECTED;
    });
}
