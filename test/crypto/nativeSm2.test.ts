import { execFileSync } from 'node:child_process';
import { createECDH, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ecdsaDerToP1363 } from '../../src/crypto/ecdsaDerToP1363';
import { ecdsaP1363ToDer } from '../../src/crypto/ecdsaP1363ToDer';
import { jsSm2Backend } from '../../src/crypto/sm2/jsSm2Backend';
import { loadNativeSm2, loadNativeSm2Paths } from '../../src/crypto/sm2/nativeSm2';
import { SM2_CURVE, bytesToBigint, scalarBytes } from '../../src/crypto/sm2/sm2Curve';
import { sm2PublicFromSpki } from '../../src/crypto/sm2/sm2KeyMaterial';

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

const jsKeys = new Map<string, ReturnType<typeof sm2PublicFromSpki>>();
/** The pure-JS judgement with the same strict input checks as the native paths (keys read once, as in service). */
function jsVerifies(spki: Uint8Array, data: Uint8Array, signature: Uint8Array, id: Uint8Array): boolean {
  if (signature.byteLength !== 64) return false;
  const r = bytesToBigint(signature.subarray(0, 32));
  const s = bytesToBigint(signature.subarray(32));
  if (r < 1n || r >= SM2_CURVE.n || s < 1n || s >= SM2_CURVE.n) return false;
  const cacheKey = Buffer.from(spki).toString('hex');
  let key = jsKeys.get(cacheKey);
  if (key === undefined) jsKeys.set(cacheKey, (key = sm2PublicFromSpki(spki)));
  return jsSm2Backend.verify(key, data, signature, id);
}

const paths = loadNativeSm2Paths();
const describeFast = paths === null || paths.fast === null ? describe.skip : describe;

describeFast('native SM2 fast verification agrees with EVP_DigestVerify and with the pure-JS backend', () => {
  const fast = paths?.fast!; // the body runs even when skipped: no dereference here
  const reference = paths?.reference!;

  it('is the path loadNativeSm2 hands out', () => {
    expect(loadNativeSm2()).toBe(fast);
  });

  it('gives the same answer on 3000 random (key, message, signature, ID) cases, valid and altered', () => {
    const keys = Array.from({ length: 24 }, () => {
      const pair = generateKeyPairSync('ec', { namedCurve: 'SM2' });
      return { pkcs8: pair.privateKey.export({ type: 'pkcs8', format: 'der' }), spki: pair.publicKey.export({ type: 'spki', format: 'der' }) };
    });
    const ids = [DEFAULT_ID, EMPTY_ID, Buffer.from('ALICE123@YAHOO.COM', 'utf8'), randomBytes(40)];
    const n = SM2_CURVE.n;
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const key = keys[i % keys.length]!;
      const id = ids[i % ids.length]!;
      const message = randomBytes(i % 7 === 0 ? 0 : 1 + ((i * 131) % 2000));
      const good = Buffer.from(reference.sign(key.pkcs8, message, id));
      const r = bytesToBigint(good.subarray(0, 32));
      const s = bytesToBigint(good.subarray(32));
      let spki: Uint8Array = key.spki;
      let data: Uint8Array = message;
      let signature: Uint8Array = good;
      let useId: Uint8Array = id;
      switch (i % 10) {
        case 0:
        case 1:
        case 2:
          break; // valid
        case 3:
          signature = Buffer.from(good);
          signature[i % 64]! ^= 1 << i % 8;
          break;
        case 4:
          data = Buffer.concat([message, Buffer.of(i & 0xff)]);
          break;
        case 5:
          useId = ids[(i + 1) % ids.length]!;
          break;
        case 6:
          spki = keys[(i + 1) % keys.length]!.spki;
          break;
        case 7:
          signature = Buffer.concat([scalarBytes(r), scalarBytes(n - r)]); // t = (r + s) mod n = 0
          break;
        case 8:
          signature = Buffer.concat([scalarBytes((r + 1n) % n), scalarBytes(s)]);
          break;
        default:
          signature = randomBytes(64);
      }
      const expected = reference.verify(spki, data, signature, useId);
      expect([i, fast.verify(spki, data, signature, useId)]).toEqual([i, expected]);
      expect([i, jsVerifies(spki, data, signature, useId)]).toEqual([i, expected]);
      if (expected) accepted++;
    }
    expect(accepted).toBeGreaterThanOrEqual(900);
  }, 120_000);

  it('gives the same answer for keys that collide with the generator table: P = G, P = −G, P = 2G (doubling inside an addition, P + (−P), a sum at infinity)', () => {
    const n = SM2_CURVE.n;
    const special = [1n, n - 1n, 2n, 3n].map((d) => {
      const ecdh = createECDH('SM2');
      ecdh.setPrivateKey(scalarBytes(d));
      const point = ecdh.getPublicKey();
      const pkcs8 = Buffer.concat([Buffer.from('308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420', 'hex'), scalarBytes(d), Buffer.from('a144034200', 'hex'), point]);
      const spki = Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex'), point]);
      return { d, pkcs8, spki };
    });
    let accepted = 0;
    for (const key of special) {
      for (let i = 0; i < 150; i++) {
        const message = randomBytes(1 + (i % 50));
        // d = n − 1 cannot sign (1 + d is not invertible): its cases are the made-up ones only
        const good = key.d === n - 1n ? randomBytes(64) : Buffer.from(reference.sign(key.pkcs8, message, DEFAULT_ID));
        const r = bytesToBigint(good.subarray(0, 32));
        let signature: Uint8Array = good;
        if (i % 3 === 1) {
          // s and t = (r + s) mod n with the same leading nibbles: the first additions meet the same table entry
          const t = (BigInt('0x' + randomBytes(32).toString('hex')) % (n >> 8n)) + (BigInt(i % 15) << 248n) + (1n << 248n);
          const sValue = (BigInt(i % 15) << 248n) + (1n << 248n) + (t % (1n << 240n));
          signature = Buffer.concat([scalarBytes((t - sValue + n) % n || 1n), scalarBytes(sValue % n)]);
        } else if (i % 3 === 2) {
          // r = −2s mod n: with P = G the sum [s]G + [r + s]G is at infinity
          const sValue = 1n + (BigInt('0x' + randomBytes(32).toString('hex')) % (n - 1n));
          const rValue = (n - ((2n * sValue) % n)) % n;
          if (rValue === 0n) continue;
          signature = Buffer.concat([scalarBytes(rValue), scalarBytes(sValue)]);
        }
        const expected = reference.verify(key.spki, message, signature, DEFAULT_ID);
        expect([key.d, i, fast.verify(key.spki, message, signature, DEFAULT_ID)]).toEqual([key.d, i, expected]);
        expect([key.d, i, jsVerifies(key.spki, message, signature, DEFAULT_ID)]).toEqual([key.d, i, expected]);
        if (i % 3 === 0 && key.d !== n - 1n) expect(expected).toBe(true);
        if (expected) accepted++;
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(150);
  }, 120_000);

  it('gives the same answer on every malformed signature: r or s of 0, n, n+1, all 0xFF, wrong lengths, r‖s swapped', () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const pkcs8 = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
    const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
    const message = randomBytes(600);
    const good = Buffer.from(reference.sign(pkcs8, message, DEFAULT_ID));
    const r = good.subarray(0, 32);
    const s = good.subarray(32);
    const above = Buffer.from(SM2_ORDER);
    above[31]! += 1;
    const bads = [Buffer.alloc(32), SM2_ORDER, above, Buffer.alloc(32, 0xff), scalarBytes(1n), scalarBytes(SM2_CURVE.n - 1n)];
    const cases: Uint8Array[] = [good, Buffer.concat([s, r]), ecdsaP1363ToDer(good)];
    for (const bad of bads) cases.push(Buffer.concat([bad, s]), Buffer.concat([r, bad]), Buffer.concat([bad, bad]));
    for (const length of [0, 1, 32, 63, 65, 72, 128]) {
      const wrong = Buffer.alloc(length);
      wrong.set(good.subarray(0, Math.min(64, length)));
      cases.push(wrong);
    }
    for (const signature of cases) {
      for (const [data, id] of [
        [message, DEFAULT_ID],
        [message, EMPTY_ID],
        [Buffer.concat([message, Buffer.of(0)]), DEFAULT_ID],
      ] as const) {
        const expected = reference.verify(spki, data, signature, id);
        expect(fast.verify(spki, data, signature, id)).toBe(expected);
        expect(jsVerifies(spki, data, signature, id)).toBe(expected);
      }
    }
    expect(fast.verify(spki, message, good, DEFAULT_ID)).toBe(true);
    expect(() => fast.verify(Buffer.from('not a key'), message, good, DEFAULT_ID)).toThrow(expect.objectContaining({ code: 'SM2_KEY_NOT_SM2' }));
  });
});

describe('native SM2 switch', () => {
  it('ELICENSE_SM2_NATIVE=0 gives no native binding', () => {
    const before = process.env.ELICENSE_SM2_NATIVE;
    process.env.ELICENSE_SM2_NATIVE = '0';
    try {
      expect(loadNativeSm2()).toBeNull();
      expect(loadNativeSm2Paths()).toBeNull();
    } finally {
      if (before === undefined) delete process.env.ELICENSE_SM2_NATIVE;
      else process.env.ELICENSE_SM2_NATIVE = before;
    }
    expect(loadNativeSm2()).toBe(native);
  });
});
