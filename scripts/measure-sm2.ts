/**
 * SM2 verifications per second of the native binding against `openssl speed
 * -seconds 3 sm2` on the same machine, in the same run.
 *
 *   npm run build && node dist/scripts/measure-sm2.js [seconds]
 *
 * One key, warm (its parsed form cached by the binding, as in service), the
 * default ID, messages of about a licence's signing input (3 KB) and of 100 B.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { loadNativeSm2 } from '../src/crypto/sm2/nativeSm2';

const ID = Buffer.from('1234567812345678', 'utf8');

function opensslVerifiesPerSecond(seconds: number): number | undefined {
  try {
    const output = execFileSync('openssl', ['speed', '-seconds', String(seconds), 'sm2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const line = output.split('\n').find((l) => /SM2/.test(l) && /\d+\.\d+\s*$/.test(l));
    const numbers = line?.trim().split(/\s+/).map(Number).filter((n) => Number.isFinite(n));
    return numbers && numbers.length > 0 ? numbers[numbers.length - 1] : undefined;
  } catch {
    return undefined;
  }
}

function perSecond(seconds: number, operation: () => void): number {
  for (let i = 0; i < 200; i++) operation();
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  let count = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 50; i++) operation();
    count += 50;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - start) / 1e9);
}

function main(): void {
  const seconds = Number(process.argv[2] ?? 3);
  const sm2 = loadNativeSm2();
  if (sm2 === null) {
    console.log('sm2 native binding: not available (not built, or ELICENSE_SM2_NATIVE=0)');
    process.exitCode = 1;
    return;
  }
  const pair = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const pkcs8 = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const openssl = opensslVerifiesPerSecond(seconds);
  console.log(`sm2 verify openssl speed: ${openssl === undefined ? 'n/a' : openssl.toFixed(0)}/s (openssl speed -seconds ${seconds} sm2)`);
  for (const size of [3072, 100]) {
    const message = randomBytes(size);
    const signature = sm2.sign(pkcs8, message, ID);
    if (!sm2.verify(spki, message, signature, ID)) throw new Error('native SM2 does not verify its own signature');
    const verify = perSecond(seconds, () => void sm2.verify(spki, message, signature, ID));
    const sign = perSecond(seconds / 3, () => void sm2.sign(pkcs8, message, ID));
    const ratio = openssl === undefined ? 'n/a' : `${(verify / openssl).toFixed(2)}x`;
    console.log(`sm2 native ${size} B: verify ${verify.toFixed(0)}/s (${ratio} openssl speed), sign ${sign.toFixed(0)}/s`);
  }
}

main();
