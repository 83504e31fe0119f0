import { createPublicKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOptionalNativeSm2, nativeSm2Backend, sm2Backend } from '../../src/crypto/sm2/chooseSm2Backend';
import { jsSm2Backend } from '../../src/crypto/sm2/jsSm2Backend';
import { SM2_CURVE, scalarBytes } from '../../src/crypto/sm2/sm2Curve';
import { sm2Sign } from '../../src/crypto/sm2/sm2Sign';
import { sm2Verify } from '../../src/crypto/sm2/sm2Verify';
import { sm2KeyPair } from './sm2Test';

const native = loadOptionalNativeSm2();
const describeNative = native ? describe : describe.skip;
if (!native) console.warn('the native SM2 binding is not built here: the backend comparison is skipped (pure-JS backend only)');

describe('SM2 backend choice', () => {
  it('is the native binding when it loads, else the pure-JS backend', () => {
    expect(sm2Backend().name).toBe(native ? 'native' : 'js');
  });
});

describeNative('the native and the pure-JS SM2 backends agree', () => {
  const nativeBackend = nativeSm2Backend(native!);
  const backends = [jsSm2Backend, nativeBackend];
  const { privateKey, publicKey } = sm2KeyPair();
  const messages = [Buffer.alloc(0), Buffer.from('abc'), Buffer.alloc(3000, 7)];

  it("each verifies the other's signatures", () => {
    for (const m of messages) {
      for (const signer of backends) {
        const sig = sm2Sign(privateKey, m, signer);
        for (const verifier of backends) expect(sm2Verify(publicKey, m, sig, verifier)).toBe(true);
      }
    }
  });

  it('they give the same answer on the OpenSSL vectors, other-ID, ECDSA, tampered and out-of-range signatures', () => {
    const vectors = (JSON.parse(readFileSync(join(__dirname, 'vectors', 'sm2-openssl.json'), 'utf8')) as {
      vectors: { publicKeyPem: string; messageHex: string; signature: string; emptyIdSignature: string }[];
    }).vectors;
    const cases: { key: ReturnType<typeof createPublicKey>; m: Buffer; sig: Buffer; expected: boolean }[] = [];
    for (const v of vectors) {
      const key = createPublicKey(v.publicKeyPem);
      const m = Buffer.from(v.messageHex, 'hex');
      cases.push({ key, m, sig: Buffer.from(v.signature, 'hex'), expected: true });
      cases.push({ key, m, sig: Buffer.from(v.emptyIdSignature, 'hex'), expected: false });
    }
    const m = Buffer.from('compared');
    const good = sm2Sign(privateKey, m);
    const flipped = Buffer.from(good);
    flipped[10]! ^= 1;
    cases.push(
      { key: publicKey, m, sig: good, expected: true },
      { key: publicKey, m: Buffer.from('other'), sig: good, expected: false },
      { key: publicKey, m, sig: flipped, expected: false },
      { key: publicKey, m, sig: sign('sha256', m, { key: privateKey, dsaEncoding: 'ieee-p1363' }), expected: false },
      { key: publicKey, m, sig: Buffer.concat([scalarBytes(SM2_CURVE.n), good.subarray(32)]), expected: false },
      { key: publicKey, m, sig: Buffer.concat([good.subarray(0, 32), scalarBytes(0n)]), expected: false },
    );
    for (const c of cases) {
      const answers = backends.map((b) => sm2Verify(c.key, c.m, c.sig, b));
      expect(answers).toEqual([c.expected, c.expected]);
    }
  });
});
