import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { algorithmForKey, keyDecision, keyMatchesAlgorithm } from '../../src/crypto/algorithms';
import { softwareKeySigner } from '../../src/crypto/softwareKeySigner';
import { signBytes } from '../../src/crypto/signBytes';
import { verifyBytes } from '../../src/crypto/verifyBytes';
import { signCompactJws, verifyCompactJws } from '../../src/crypto/jws';
import { jsSm2Backend } from '../../src/crypto/sm2/jsSm2Backend';
import { SM2_CURVE, SM2_DEFAULT_ID, isOnSm2Curve, scalarBytes } from '../../src/crypto/sm2/sm2Curve';
import { sm2PublicFromSpki, sm2PublicMaterial } from '../../src/crypto/sm2/sm2KeyMaterial';
import { sm2Sign } from '../../src/crypto/sm2/sm2Sign';
import { sm2Verify } from '../../src/crypto/sm2/sm2Verify';
import { sm2Za } from '../../src/crypto/sm2/sm2Za';
import { sm3 } from '../../src/crypto/sm2/sm3';
import { generateKeyPair } from '../../src/pki/ca/generateKeyPair';
import { issueCertificate } from '../../src/pki/ca/issueCertificate';
import { encodeSubjectName } from '../../src/pki/ca/subjectName';
import { ecdsaDerToP1363 } from '../../src/crypto/ecdsaDerToP1363';
import { sm2KeyPair } from './sm2Test';

const { privateKey, publicKey } = sm2KeyPair();
const data = Buffer.from('elicense SM2 test message');
const n = SM2_CURVE.n;

function withRs(r: bigint, s: bigint): Buffer {
  return Buffer.concat([scalarBytes(r), scalarBytes(s)]);
}

interface Vector {
  privateKeyPem: string;
  publicKeyPem: string;
  messageHex: string;
  signature: string;
  signatureDerHex: string;
  emptyIdSignature: string;
}
const vectors = (JSON.parse(readFileSync(join(__dirname, 'vectors', 'sm2-openssl.json'), 'utf8')) as { vectors: Vector[] }).vectors;

describe('SM2 curve and profile constants', () => {
  it('the base point is on the curve and the default ID is 1234567812345678', () => {
    expect(isOnSm2Curve(SM2_CURVE.gx, SM2_CURVE.gy)).toBe(true);
    expect(SM2_DEFAULT_ID).toBe('1234567812345678');
  });
});

describe('sm2Sign / sm2Verify', () => {
  it('round trip: 64-byte r‖s that verifies; another message or key does not', () => {
    const sig = sm2Sign(privateKey, data);
    expect(sig.length).toBe(64);
    expect(sm2Verify(publicKey, data, sig)).toBe(true);
    expect(sm2Verify(privateKey, data, sig)).toBe(true); // the public half of a private KeyObject
    expect(sm2Verify(publicKey, Buffer.from('another message'), sig)).toBe(false);
    expect(sm2Verify(sm2KeyPair().publicKey, data, sig)).toBe(false);
    // randomised: two signatures of the same data differ, both verify
    const again = sm2Sign(privateKey, data);
    expect(again.equals(sig)).toBe(false);
    expect(sm2Verify(publicKey, data, again)).toBe(true);
    // the pure-JS backend, whichever backend the process chose
    const js = sm2Sign(privateKey, data, jsSm2Backend);
    expect(sm2Verify(publicKey, data, js, jsSm2Backend)).toBe(true);
    expect(sm2Verify(publicKey, data, js)).toBe(true);
    expect(sm2Verify(publicKey, Buffer.from('x'), js, jsSm2Backend)).toBe(false);
  });

  it('signs e = SM3(Z_A ‖ M) with Z_A of the default ID: the pure-JS check with that ID passes, with another fails', () => {
    const sig = sm2Sign(privateKey, data);
    const m = sm2PublicMaterial(publicKey);
    expect(Buffer.from(m.za).equals(sm2Za(m.x, m.y, Buffer.from('1234567812345678')))).toBe(true);
    expect(jsSm2Backend.verify(m, data, sig, Buffer.from('1234567812345678'))).toBe(true);
    expect(jsSm2Backend.verify(m, data, sig, Buffer.alloc(0))).toBe(false);
    expect(jsSm2Backend.verify(m, data, sig, Buffer.from('ALICE123@YAHOO.COM'))).toBe(false);
  });

  it('verifies the committed OpenSSL vectors and rejects their empty-ID twins', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(3);
    for (const v of vectors) {
      const pub = createPublicKey(v.publicKeyPem);
      expect(algorithmForKey(pub)).toBe('SM2'); // read from PEM, Node gives it no key type
      const msg = Buffer.from(v.messageHex, 'hex');
      const sig = Buffer.from(v.signature, 'hex');
      expect(ecdsaDerToP1363(Buffer.from(v.signatureDerHex, 'hex'))!.equals(sig)).toBe(true);
      expect(sm2Verify(pub, msg, sig)).toBe(true);
      expect(verifyBytes('SM2', pub, msg, sig)).toBe(true);
      expect(sm2Verify(pub, msg, Buffer.from(v.emptyIdSignature, 'hex'))).toBe(false);
      // a real SM2 signature, only under another ID: the empty one
      expect(jsSm2Backend.verify(sm2PublicMaterial(pub), msg, Buffer.from(v.emptyIdSignature, 'hex'), Buffer.alloc(0))).toBe(true);
      // our signature with the vector's private key verifies with its public key
      const priv = createPrivateKey(v.privateKeyPem);
      expect(sm2Verify(pub, msg, sm2Sign(priv, msg))).toBe(true);
    }
  });

  it("rejects node:crypto's own signatures with the SM2 key: ECDSA-SHA256, ECDSA-SM3, and SM2 with the empty ID", () => {
    const ecdsaSha256 = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(sm2Verify(publicKey, data, ecdsaSha256)).toBe(false);
    const ecdsaSm3 = sign('sm3', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(sm2Verify(publicKey, data, ecdsaSm3)).toBe(false);
    const pemKey = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const nodeSm2 = sign('sm3', data, { key: pemKey, dsaEncoding: 'ieee-p1363' });
    expect(sm2Verify(publicKey, data, nodeSm2)).toBe(false);
  });

  it('rejects r or s out of [1, n−1] and signatures of the wrong length', () => {
    const sig = sm2Sign(privateKey, data);
    const r = BigInt('0x' + sig.subarray(0, 32).toString('hex'));
    const s = BigInt('0x' + sig.subarray(32).toString('hex'));
    const top = (1n << 256n) - 1n;
    for (const [rr, ss] of [
      [0n, s],
      [r, 0n],
      [n, s],
      [r, n],
      [n + 1n, s],
      [r, n + 1n],
      [top, s],
      [r, top],
      [0n, 0n],
    ] as const) {
      expect(sm2Verify(publicKey, data, withRs(rr, ss))).toBe(false);
      expect(verifyBytes('SM2', publicKey, data, withRs(rr, ss))).toBe(false);
    }
    // r + n and s + n when they still fit in 32 bytes: the same value mod n, still refused
    if (r + n <= top) expect(sm2Verify(publicKey, data, withRs(r + n, s))).toBe(false);
    if (s + n <= top) expect(sm2Verify(publicKey, data, withRs(r, s + n))).toBe(false);
    expect(sm2Verify(publicKey, data, sig.subarray(0, 63))).toBe(false);
    expect(sm2Verify(publicKey, data, Buffer.concat([sig, Buffer.of(0)]))).toBe(false);
    expect(sm2Verify(publicKey, data, Buffer.concat([Buffer.of(0), sig]))).toBe(false);
    expect(sm2Verify(publicKey, data, Buffer.alloc(0))).toBe(false);
  });

  it('refuses a public point not on the curve (before any arithmetic)', () => {
    const spki = Buffer.from(publicKey.export({ type: 'spki', format: 'der' }));
    const bad = Buffer.from(spki);
    bad[bad.length - 1]! ^= 0x01;
    expect(() => sm2PublicFromSpki(bad)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    // and x = p (coordinates must be below p)
    const xp = Buffer.from(spki);
    scalarBytes(SM2_CURVE.p).copy(xp, 27);
    expect(() => sm2PublicFromSpki(xp)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    // a compressed point or explicit parameters are not our SM2 key form
    expect(() => sm2PublicFromSpki(spki.subarray(0, 60))).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => sm2PublicFromSpki(spki)).not.toThrow();
  });

  it('refuses keys that are not on the SM2 curve: P-256, Ed25519', () => {
    const sig = sm2Sign(privateKey, data);
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(sm2Verify(p256.publicKey, data, sig)).toBe(false);
    expect(() => sm2Sign(p256.privateKey, data)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    const ed = generateKeyPairSync('ed25519');
    expect(sm2Verify(ed.publicKey, data, sig)).toBe(false);
    expect(() => sm2PublicMaterial(p256.publicKey)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});

describe('SM2 in the algorithm policy', () => {
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('an EC key on the SM2 curve is SM2, never ES256; a P-256 key is never SM2', () => {
    expect(algorithmForKey(privateKey)).toBe('SM2');
    expect(algorithmForKey(publicKey)).toBe('SM2');
    expect(keyDecision(publicKey)).toEqual({ ok: true, algorithm: 'SM2', signatureLength: 64 });
    expect(keyMatchesAlgorithm('ES256', publicKey)).toBe(false);
    expect(keyMatchesAlgorithm('SM2', p256.publicKey)).toBe(false);
    expect(keyMatchesAlgorithm('sm2', publicKey)).toBe(false);
  });

  it('signBytes / verifyBytes: SM2 round trip; SM2 with a P-256 key and ES256 with an SM2 key refused', () => {
    const sig = signBytes('SM2', privateKey, data);
    expect(verifyBytes('SM2', publicKey, data, sig)).toBe(true);
    expect(verifyBytes('ES256', publicKey, data, sig)).toBe(false);
    expect(() => signBytes('SM2', p256.privateKey, data)).toThrow(expect.objectContaining({ code: 'ALGORITHM_KEY_MISMATCH' }));
    expect(() => signBytes('ES256', privateKey, data)).toThrow(expect.objectContaining({ code: 'ALGORITHM_KEY_MISMATCH' }));
    const es = signBytes('ES256', p256.privateKey, data);
    expect(verifyBytes('SM2', p256.publicKey, data, es)).toBe(false);
  });

  it('a signer over an SM2 key signs JWS with alg "SM2" that verifies with the key and is refused with a P-256 key', async () => {
    const keySigner = softwareKeySigner(privateKey);
    expect(keySigner.algorithm).toBe('SM2');
    const signer = { ...keySigner, keyId: 'sm2-test', certificateChain: [] };
    const jws = await signCompactJws(signer, Buffer.from('{"a":1}'), {});
    expect(JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'SM2', kid: 'sm2-test' });
    const ok = verifyCompactJws(jws, () => publicKey);
    expect(ok.ok).toBe(true);
    const wrong = verifyCompactJws(jws, () => p256.publicKey);
    expect(wrong).toMatchObject({ ok: false, code: 'ALGORITHM_KEY_MISMATCH' });
    expect(() => softwareKeySigner(privateKey, 'ES256')).toThrow(expect.objectContaining({ code: 'ALGORITHM_KEY_MISMATCH' }));
  });

  it('the CA certifies SM2 keys with SM2 signers only: an SM2 key under a P-256 CA or the reverse is refused (a clear code, nothing half-made)', async () => {
    const p256ca = softwareKeySigner(p256.privateKey);
    const params = { subject: encodeSubjectName({ commonName: 'SM2 test' }), serialNumber: Buffer.of(1), notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2027-01-01T00:00:00Z'), extensions: [] };
    await expect(issueCertificate({ ...params, publicKey, selfSigner: softwareKeySigner(privateKey) })).resolves.toMatchObject({ pem: expect.stringContaining('CERTIFICATE') });
    await expect(issueCertificate({ ...params, publicKey, issuer: { name: params.subject, keyIdentifier: Buffer.alloc(20), signer: p256ca } })).rejects.toMatchObject({ code: 'ALGORITHM_NOT_ALLOWED' });
    await expect(issueCertificate({ ...params, publicKey: p256.publicKey, issuer: { name: params.subject, keyIdentifier: Buffer.alloc(20), signer: softwareKeySigner(privateKey) } })).rejects.toMatchObject({ code: 'ALGORITHM_NOT_ALLOWED' });
  });

  it('generateKeyPair makes SM2 keys with node:crypto', async () => {
    const kp = await generateKeyPair('SM2');
    expect(kp.privateKey.asymmetricKeyDetails?.namedCurve).toBe('SM2');
    expect(sm2Verify(kp.publicKey, data, sm2Sign(kp.privateKey, data))).toBe(true);
  });

  it('the digest helper matches SM3 over Z_A ‖ M', () => {
    const m = sm2PublicMaterial(publicKey);
    expect(sm3(m.za, data).length).toBe(32);
  });
});
