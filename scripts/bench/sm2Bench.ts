import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { loadOptionalNativeSm2, nativeSm2Backend } from '../../src/crypto/sm2/chooseSm2Backend';
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
  const results = await compare(cases, { rounds: opts.rounds, millis: opts.millis, warmupMillis: 300 });
  const openssl = opensslSpeed(opts.opensslSeconds);
  const ratios =
    'verifyPerSecond' in openssl
      ? backends.map((b) => ({ backend: b.name, ratioToOpenSsl: results.find((c) => c.name === `elicense sm2Verify, ${b.name} backend`)!.opsPerSecond / openssl.verifyPerSecond }))
      : [];
  return { openssl, opensslSeconds: opts.opensslSeconds, cases: results, ratios };
}
