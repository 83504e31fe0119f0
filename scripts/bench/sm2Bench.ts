import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateSerial } from '../../src/codes/licenseIdentifier';
import { loadOptionalNativeSm2, nativeSm2Backend, sm2Backend } from '../../src/crypto/sm2/chooseSm2Backend';
import { buildDemoRegion } from '../../src/demo/buildDemoRegion';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { issueLicense } from '../../src/issue/issueLicense';
import { repoPath } from '../../src/repoPath';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { createVerifierCaches, verifyLicense } from '../../src/verify/verifyLicense';
import { jsSm2Backend } from '../../src/crypto/sm2/jsSm2Backend';
import type { Sm2Backend } from '../../src/crypto/sm2/Sm2Backend';
import { sm2Sign } from '../../src/crypto/sm2/sm2Sign';
import { sm2Verify } from '../../src/crypto/sm2/sm2Verify';
import { compare, type BenchCase, type CaseResult } from './measure';

export interface OpenSslSm2Speed {
  signPerSecond: number;
  verifyPerSecond: number;
}

export interface Sm2BenchResult {
  /** `openssl speed -seconds N sm2` in this run, or why it is missing. */
  openssl: OpenSslSm2Speed | { missing: string };
  opensslSeconds: number;
  cases: CaseResult[];
  /** Each backend's sm2Verify rate / OpenSSL's SM2 verify rate (issue 12 targets ≥ 0.5). */
  ratios: { backend: string; ratioToOpenSsl: number }[];
  /** Full-form verification (verifyLicense, warm caches) of SM2 licences of the Shanghai demo region / OpenSSL's SM2 verify rate. */
  fullForm?: { caseName: string; backend: string; ratioToOpenSsl: number | null };
}

/** The name of the full-form case, with the backend verifyLicense uses in this process. */
export const sm2FullFormCaseName = (backend: string) => `elicense verifyLicense, SM2 full form, warm caches (${backend})`;

/**
 * Distinct business licences of the all-SM2 Shanghai demo region (SM2 department key,
 * SM2 region timestamp, SM3withSM2 chain), as the verifier sees them: JSON text.
 */
async function sm2FullForms(count: number): Promise<{ inputs: Buffer[]; verify: (input: Buffer) => boolean }> {
  const now = new Date();
  const catalog = StandardsCatalog.load();
  const ceremony = JSON.parse(readFileSync(repoPath('fixtures', 'ceremony', 'demo-region-shanghai.json'), 'utf8'));
  const demo = await buildDemoRegion({ catalog, now: new Date(now.getTime() - 3_600_000), ceremony });
  const sample = loadSampleLicenses().find((x) => x.slug === 'business-licence')!;
  const standard = catalog.getTypeBySlug('business-licence')!;
  const dept = demo.pki.departments.find((d) => d.licenseTypes.includes(standard.typeCode))!;
  const inputs: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const form = await issueLicense(
      { typeCode: standard.typeCode, ...sample.draft },
      {
        catalog,
        trust: demo.trust,
        department: { name: dept.name, uscc: dept.uscc, divisionCode: dept.divisionCode, signer: demo.signerOf(dept) },
        timestampAuthority: demo.timestampAuthority,
        serial: generateSerial((k) => new Uint8Array(randomBytes(k))),
        at: new Date(now.getTime() - i * 1000),
      },
    );
    inputs.push(Buffer.from(JSON.stringify(form)));
  }
  const ctx = { trust: demo.trust, catalog, at: now, caches: createVerifierCaches() };
  return { inputs, verify: (input) => verifyLicense(input, ctx).result === 'accepted' };
}

/** The sign/s and verify/s figures of `openssl speed sm2`'s summary line, e.g. ` 256 bits SM2 (CurveSM2)   0.0003s   0.0003s   2994.3   3347.8`. */
export function parseOpenSslSpeedSm2(output: string): OpenSslSm2Speed | undefined {
  const line = output.split('\n').find((l) => /\bbits SM2\b/.test(l));
  const nums = line?.trim().split(/\s+/).slice(-2).map(Number);
  if (!nums || nums.length !== 2 || !nums.every((x) => Number.isFinite(x) && x > 0)) return undefined;
  return { signPerSecond: nums[0]!, verifyPerSecond: nums[1]! };
}

function opensslSpeed(seconds: number): OpenSslSm2Speed | { missing: string } {
  const r = spawnSync('openssl', ['speed', '-seconds', String(seconds), 'sm2'], { encoding: 'utf8' });
  if (r.error) return { missing: `openssl not runnable (${r.error.message})` };
  return parseOpenSslSpeedSm2(`${r.stdout}`) ?? { missing: `openssl speed sm2 gave no SM2 line (exit ${r.status})` };
}

/**
 * SM2-with-SM3 verification (sm2Verify: strict checks, Z_A with the default
 * ID, the backend's check) of distinct messages signed by one key, as a
 * department's licences are, for each backend available, against OpenSSL's
 * own SM2 verify speed measured in the same run (one core, like ours).
 */
export async function sm2Bench(opts: { rounds: number; millis: number; opensslSeconds: number; messages: number }): Promise<Sm2BenchResult> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const messages = Array.from({ length: opts.messages }, () => randomBytes(600));
  const backends: Sm2Backend[] = [jsSm2Backend];
  const native = loadOptionalNativeSm2();
  if (native) backends.push(nativeSm2Backend(native));
  const cases: BenchCase[] = [];
  for (const backend of backends) {
    const signatures = messages.map((m) => sm2Sign(privateKey, m, backend));
    for (let i = 0; i < messages.length; i++) if (!sm2Verify(publicKey, messages[i]!, signatures[i]!, backend)) throw new Error(`${backend.name} SM2 backend does not verify its own signature`);
    cases.push({
      name: `elicense sm2Verify, ${backend.name} backend`,
      run: (i) => {
        const k = i % messages.length;
        if (!sm2Verify(publicKey, messages[k]!, signatures[k]!, backend)) throw new Error('SM2 verification failed');
      },
    });
    cases.push({ name: `elicense sm2Sign, ${backend.name} backend`, run: (i) => sm2Sign(privateKey, messages[i % messages.length]!, backend) });
  }
  const fullForms = await sm2FullForms(opts.messages);
  for (const input of fullForms.inputs) if (!fullForms.verify(input)) throw new Error('an SM2 demo licence does not verify');
  const fullFormCase = sm2FullFormCaseName(sm2Backend().name);
  cases.push({
    name: fullFormCase,
    run: (i) => {
      if (!fullForms.verify(fullForms.inputs[i % fullForms.inputs.length]!)) throw new Error('SM2 full-form verification failed');
    },
  });
  const results = await compare(cases, { rounds: opts.rounds, millis: opts.millis, warmupMillis: 300 });
  const openssl = opensslSpeed(opts.opensslSeconds);
  const ratios =
    'verifyPerSecond' in openssl
      ? backends.map((b) => ({ backend: b.name, ratioToOpenSsl: results.find((c) => c.name === `elicense sm2Verify, ${b.name} backend`)!.opsPerSecond / openssl.verifyPerSecond }))
      : [];
  const fullFormRate = results.find((c) => c.name === fullFormCase)!.opsPerSecond;
  const fullForm = { caseName: fullFormCase, backend: sm2Backend().name, ratioToOpenSsl: 'verifyPerSecond' in openssl ? fullFormRate / openssl.verifyPerSecond : null };
  return { openssl, opensslSeconds: opts.opensslSeconds, cases: results, ratios, fullForm };
}
