import { constants, createSecretKey, generateKeyPairSync, verify } from 'node:crypto';
import { rsaPublicKeyOfBits } from './rsaPublicKeyOfBits';
import { ElicenseError } from '../../src/errors';
import { DEFAULT_JWS_ALGORITHM, algorithmForKey, isAllowedAlgorithm, keyDecision, keyMatchesAlgorithm } from '../../src/crypto/algorithms';
import { signBytes } from '../../src/crypto/signBytes';
import { verifyBytes } from '../../src/crypto/verifyBytes';

const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
const ed25519 = generateKeyPairSync('ed25519');
const ed448 = generateKeyPairSync('ed448');
const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
const pssFree = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
// Node accepts hashAlgorithm/mgf1HashAlgorithm; this @types/node version only types the older names.
const pssWith = (restrictions: object) => generateKeyPairSync('rsa-pss', { modulusLength: 2048, ...restrictions } as { modulusLength: number });
const pss256 = pssWith({ hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 });
const pss384 = pssWith({ hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384', saltLength: 48 });
const pssBigSalt = pssWith({ hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 64 });
const secret = createSecretKey(Buffer.alloc(32, 1));
const rsaAboveCap = rsaPublicKeyOfBits(8200);

const data = Buffer.from('licence bytes');

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof ElicenseError ? e.code : 'OTHER';
  }
}

describe('algorithm allow-list', () => {
  it('allows exactly ES256, EdDSA, PS256 and SM2, case-sensitively; ES256 is the default', () => {
    expect(DEFAULT_JWS_ALGORITHM).toBe('ES256');
    for (const ok of ['ES256', 'EdDSA', 'PS256', 'SM2']) expect(isAllowedAlgorithm(ok)).toBe(true);
    for (const no of ['none', 'NONE', 'None', '', 'HS256', 'HS512', 'RS256', 'ES384', 'ES512', 'PS384', 'PS512', 'es256', 'EDDSA', 'Ed25519', 'ES256K', 'sm2', 'SM2withSM3', 'SM3', undefined, null, 256, ['ES256']]) {
      expect(isAllowedAlgorithm(no)).toBe(false);
    }
  });

  it('picks the one algorithm of each allowed key kind', () => {
    expect(algorithmForKey(p256.privateKey)).toBe('ES256');
    expect(algorithmForKey(p256.publicKey)).toBe('ES256');
    expect(algorithmForKey(ed25519.publicKey)).toBe('EdDSA');
    expect(algorithmForKey(rsa2048.publicKey)).toBe('PS256');
    expect(algorithmForKey(pssFree.publicKey)).toBe('PS256');
    expect(algorithmForKey(pss256.privateKey)).toBe('PS256');
  });

  it.each([
    ['P-384', p384.publicKey, 'ALGORITHM_NOT_ALLOWED'],
    ['secp256k1', secp256k1.publicKey, 'ALGORITHM_NOT_ALLOWED'],
    ['Ed448', ed448.publicKey, 'ALGORITHM_NOT_ALLOWED'],
    ['RSA 1024', rsa1024.publicKey, 'KEY_INVALID'],
    ['RSA above the 8192-bit cap', rsaAboveCap, 'KEY_INVALID'],
    ['RSA-PSS restricted to SHA-384', pss384.publicKey, 'ALGORITHM_NOT_ALLOWED'],
    ['RSA-PSS requiring a 64-byte salt', pssBigSalt.publicKey, 'ALGORITHM_NOT_ALLOWED'],
    ['a secret key', secret, 'KEY_INVALID'],
  ])('refuses %s with %s, the decision as data and as a thrown code', (_name, key, code) => {
    const decision = keyDecision(key);
    expect(decision).toMatchObject({ ok: false, code });
    expect(codeOf(() => algorithmForKey(key))).toBe(code);
    for (const alg of ['ES256', 'EdDSA', 'PS256']) expect(keyMatchesAlgorithm(alg, key)).toBe(false);
  });

  it('decides once per key and gives the exact signature length', () => {
    expect(keyDecision(p256.publicKey)).toEqual({ ok: true, algorithm: 'ES256', signatureLength: 64 });
    expect(keyDecision(rsa2048.privateKey)).toEqual({ ok: true, algorithm: 'PS256', signatureLength: 256 });
    expect(keyDecision(ed25519.publicKey)).toBe(keyDecision(ed25519.publicKey));
  });

  it('matches a key only with its own algorithm', () => {
    expect(keyMatchesAlgorithm('ES256', p256.publicKey)).toBe(true);
    expect(keyMatchesAlgorithm('EdDSA', p256.publicKey)).toBe(false);
    expect(keyMatchesAlgorithm('PS256', p256.publicKey)).toBe(false);
    expect(keyMatchesAlgorithm('ES256', ed25519.publicKey)).toBe(false);
    expect(keyMatchesAlgorithm('ES256', rsa2048.publicKey)).toBe(false);
    expect(keyMatchesAlgorithm('RS256', rsa2048.publicKey)).toBe(false);
    expect(keyMatchesAlgorithm('HS256', secret)).toBe(false);
    expect(keyMatchesAlgorithm('ES256', {} as never)).toBe(false);
  });
});

describe('signBytes and verifyBytes', () => {
  it.each([
    ['ES256', p256, 64],
    ['EdDSA', ed25519, 64],
    ['PS256', rsa2048, 256],
    ['PS256', pssFree, 256],
    ['PS256', pss256, 256],
  ] as const)('%s round trip with exact signature length', (alg, pair, length) => {
    const sig = signBytes(alg, pair.privateKey, data);
    expect(sig).toHaveLength(length);
    expect(verifyBytes(alg, pair.publicKey, data, sig)).toBe(true);
    expect(verifyBytes(alg, pair.publicKey, Buffer.from('other bytes'), sig)).toBe(false);
    const flipped = Buffer.from(sig);
    flipped[5]! ^= 1;
    expect(verifyBytes(alg, pair.publicKey, data, flipped)).toBe(false);
    expect(verifyBytes(alg, pair.publicKey, data, Buffer.concat([sig, Buffer.alloc(1)]))).toBe(false);
    expect(verifyBytes(alg, pair.publicKey, data, sig.subarray(1))).toBe(false);
    expect(verifyBytes(alg, pair.publicKey, data, Buffer.alloc(0))).toBe(false);
  });

  it('ES256 signatures are raw r||s, not DER', () => {
    const sig = signBytes('ES256', p256.privateKey, data);
    expect(sig[0] === 0x30 && sig[1] === sig.length - 2).toBe(false);
  });

  it('PS256 uses a 32-byte salt and MGF1-SHA-256 (checked by a strict verifier)', () => {
    const sig = signBytes('PS256', rsa2048.privateKey, data);
    expect(verify('sha256', data, { key: rsa2048.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig)).toBe(true);
    expect(verify('sha256', data, { key: rsa2048.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }, sig)).toBe(false);
  });

  it('refuses to sign with a wrong algorithm, a public key or a disallowed algorithm', () => {
    expect(codeOf(() => signBytes('EdDSA', p256.privateKey, data))).toBe('ALGORITHM_KEY_MISMATCH');
    expect(codeOf(() => signBytes('ES256', p256.publicKey, data))).toBe('KEY_INVALID');
    expect(codeOf(() => signBytes('RS256' as never, rsa2048.privateKey, data))).toBe('ALGORITHM_NOT_ALLOWED');
    expect(codeOf(() => signBytes('ES256', p384.privateKey, data))).toBe('ALGORITHM_KEY_MISMATCH');
  });

  it('never throws when verifying, and refuses mismatched keys and algorithms', () => {
    const es = signBytes('ES256', p256.privateKey, data);
    expect(verifyBytes('EdDSA', ed25519.publicKey, data, es)).toBe(false);
    expect(verifyBytes('EdDSA', p256.publicKey, data, es)).toBe(false);
    expect(verifyBytes('HS256' as never, secret, data, es)).toBe(false);
    expect(verifyBytes('none' as never, p256.publicKey, data, Buffer.alloc(0))).toBe(false);
    expect(verifyBytes('ES256', {} as never, data, es)).toBe(false);
    expect(verifyBytes('ES256', p256.publicKey, data, Buffer.alloc(64))).toBe(false);
    expect(verifyBytes('PS256', rsa2048.publicKey, data, Buffer.alloc(256, 0xff))).toBe(false);
  });
});
