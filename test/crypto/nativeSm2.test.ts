import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ecdsaDerToP1363 } from '../../src/crypto/ecdsaDerToP1363';
import { ecdsaP1363ToDer } from '../../src/crypto/ecdsaP1363ToDer';
import { loadNativeSm2 } from '../../src/crypto/sm2/nativeSm2';

/** The order n of the SM2 curve (GB/T 32918.5). */
const SM2_ORDER = Buffer.from('FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123', 'hex');
const DEFAULT_ID = Buffer.from('1234567812345678', 'utf8');
const EMPTY_ID = new Uint8Array(0);

const native = loadNativeSm2();
if (native === null) console.warn('native SM2 addon not built (npm run build:native): its tests are skipped');
const describeNative = native === null ? describe.skip : describe;

describeNative('native SM2 (OpenSSL inside Node)', () => {
  const sm2 = native!;
  let dir: string;
  let pkcs8: Buffer;
  let spki: Buffer;
  /** About the size of a licence's signing input. */
  const message = Buffer.from(JSON.stringify({ payload: randomBytes(1100).toString('hex') }), 'utf8');

  const openssl = (...args: string[]): string => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const opensslVerifies = (signatureDer: Uint8Array, distid: string | undefined): boolean => {
    writeFileSync(join(dir, 'sig.der'), signatureDer);
    const idOption = distid === undefined ? [] : ['-pkeyopt', `distid:${distid}`];
    try {
      openssl('pkeyutl', '-verify', '-rawin', '-digest', 'sm3', ...idOption, '-pubin', '-keyform', 'DER', '-inkey', 'pub.der', '-in', 'msg', '-sigfile', 'sig.der');
      return true;
    } catch {
      return false;
    }
  };
  const opensslSigns = (distid: string | undefined): Buffer => {
    const idOption = distid === undefined ? [] : ['-pkeyopt', `distid:${distid}`];
    openssl('pkeyutl', '-sign', '-rawin', '-digest', 'sm3', ...idOption, '-inkey', 'key.pem', '-in', 'msg', '-out', 'sig.der');
    const rs = ecdsaDerToP1363(readFileSync(join(dir, 'sig.der')));
    if (rs === undefined) throw new Error('OpenSSL made a signature that is not a DER ECDSA-Sig-Value');
    return rs;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'elicense-sm2-'));
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'key.pem');
    openssl('pkcs8', '-topk8', '-nocrypt', '-in', 'key.pem', '-outform', 'DER', '-out', 'key.der');
    openssl('pkey', '-in', 'key.pem', '-pubout', '-outform', 'DER', '-out', 'pub.der');
    pkcs8 = readFileSync(join(dir, 'key.der'));
    spki = readFileSync(join(dir, 'pub.der'));
    writeFileSync(join(dir, 'msg'), message);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('signs in r‖s form that OpenSSL verifies with the default ID, and not with the empty ID', () => {
    const signature = sm2.sign(pkcs8, message, DEFAULT_ID);
    expect(signature).toHaveLength(64);
    expect(opensslVerifies(ecdsaP1363ToDer(signature), '1234567812345678')).toBe(true);
    expect(opensslVerifies(ecdsaP1363ToDer(signature), undefined)).toBe(false);
    expect(sm2.verify(spki, message, signature, DEFAULT_ID)).toBe(true);
  });

  it("verifies OpenSSL's signature made with the default ID", () => {
    const signature = opensslSigns('1234567812345678');
    expect(sm2.verify(spki, message, signature, DEFAULT_ID)).toBe(true);
    expect(sm2.verify(spki, Buffer.concat([message, Buffer.of(0x20)]), signature, DEFAULT_ID)).toBe(false);
  });

  it('refuses a signature made under another ID (the empty ID that Node crypto.sign and OpenSSL 3.0 use by default)', () => {
    const emptyIdSignature = opensslSigns(undefined);
    expect(sm2.verify(spki, message, emptyIdSignature, DEFAULT_ID)).toBe(false);
    expect(sm2.verify(spki, message, emptyIdSignature, EMPTY_ID)).toBe(true);
    expect(sm2.verify(spki, message, opensslSigns('ALICE123@YAHOO.COM'), DEFAULT_ID)).toBe(false);
  });

  it('refuses r or s of 0, n or above n, and any length but 64', () => {
    const good = sm2.sign(pkcs8, message, DEFAULT_ID);
    const r = good.subarray(0, 32);
    const s = good.subarray(32);
    const zero = Buffer.alloc(32);
    const above = Buffer.from(SM2_ORDER);
    above[31]! += 1;
    for (const bad of [zero, SM2_ORDER, above, Buffer.alloc(32, 0xff)]) {
      expect(sm2.verify(spki, message, Buffer.concat([bad, s]), DEFAULT_ID)).toBe(false);
      expect(sm2.verify(spki, message, Buffer.concat([r, bad]), DEFAULT_ID)).toBe(false);
    }
    for (const length of [0, 32, 63, 65, 72]) {
      const wrong = Buffer.alloc(length);
      wrong.set(good.subarray(0, Math.min(64, length)));
      expect(sm2.verify(spki, message, wrong, DEFAULT_ID)).toBe(false);
    }
    expect(sm2.verify(spki, message, ecdsaP1363ToDer(good), DEFAULT_ID)).toBe(false); // DER is not the r‖s this takes
    expect(sm2.verify(spki, message, good, DEFAULT_ID)).toBe(true);
  });

  it('refuses a P-256 key, for signing and for verifying', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const p256Spki = p256.publicKey.export({ type: 'spki', format: 'der' });
    const p256Pkcs8 = p256.privateKey.export({ type: 'pkcs8', format: 'der' });
    expect(() => sm2.verify(p256Spki, message, Buffer.alloc(64, 1), DEFAULT_ID)).toThrow(expect.objectContaining({ code: 'SM2_KEY_NOT_SM2' }));
    expect(() => sm2.sign(p256Pkcs8, message, DEFAULT_ID)).toThrow(expect.objectContaining({ code: 'SM2_KEY_NOT_SM2' }));
    expect(() => sm2.verify(Buffer.from('not a key'), message, Buffer.alloc(64, 1), DEFAULT_ID)).toThrow(expect.objectContaining({ code: 'SM2_KEY_NOT_SM2' }));
  });

  it('takes keys that node:crypto generates on the SM2 curve, and keeps verifying right as its key cache turns over', () => {
    const keys = Array.from({ length: 70 }, () => {
      const pair = generateKeyPairSync('ec', { namedCurve: 'SM2' });
      return { pkcs8: pair.privateKey.export({ type: 'pkcs8', format: 'der' }), spki: pair.publicKey.export({ type: 'spki', format: 'der' }) };
    });
    const short = Buffer.from('a short message', 'utf8');
    const signatures = keys.map((key) => sm2.sign(key.pkcs8, short, DEFAULT_ID));
    keys.forEach((key, i) => expect(sm2.verify(key.spki, short, signatures[i]!, DEFAULT_ID)).toBe(true));
    keys.forEach((key, i) => expect(sm2.verify(key.spki, short, signatures[(i + 1) % keys.length]!, DEFAULT_ID)).toBe(false));
    expect(sm2.verify(keys[0]!.spki, short, signatures[0]!, DEFAULT_ID)).toBe(true);
  });
});

describe('native SM2 switch', () => {
  it('ELICENSE_SM2_NATIVE=0 gives no native binding', () => {
    const before = process.env.ELICENSE_SM2_NATIVE;
    process.env.ELICENSE_SM2_NATIVE = '0';
    try {
      expect(loadNativeSm2()).toBeNull();
    } finally {
      if (before === undefined) delete process.env.ELICENSE_SM2_NATIVE;
      else process.env.ELICENSE_SM2_NATIVE = before;
    }
    expect(loadNativeSm2()).toBe(native);
  });
});
