import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { keyIdForCertificate } from '../../src/crypto/keyIdForCertificate';
import { SignerCache, VARIANTS_PER_KID, type SignerLookup } from '../../src/verify/SignerCache';

interface TestKey {
  certificate: Uint8Array;
}

/** A self-signed P-256 certificate with a key usage (the parser refuses a certificate with no extensions). */
async function testKey(name: string): Promise<TestKey> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: '01', name, notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2044-01-01T00:00:00Z'), keys, signingAlgorithm: alg, extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)] },
    webcrypto as never,
  );
  return { certificate: new Uint8Array(cert.rawData) };
}

const b64 = (der: Uint8Array) => Buffer.from(der).toString('base64');

/** A detached JWS whose protected header names these; the signature is random (the cache does not verify). */
function jwsOf(header: Record<string, unknown>): string {
  return `${Buffer.from(JSON.stringify(header)).toString('base64url')}..${randomBytes(64).toString('base64url')}`;
}

function header(key: TestKey, x5c: string[], sigT = '2026-01-01T00:00:00Z'): Record<string, unknown> {
  return { alg: 'ES256', kid: keyIdForCertificate(key.certificate), x5c, typ: 'elicense+jws', sigT };
}

function entryOf(r: SignerLookup) {
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`);
  return r.entry;
}

let keys: TestKey[];
beforeAll(async () => {
  keys = await Promise.all(Array.from({ length: VARIANTS_PER_KID + 3 }, (_, i) => testKey(`CN=signer cache ${i}`)));
});

describe('SignerCache', () => {
  it('answers every licence of a signer from what the first one built, with its own signing time', () => {
    const cache = new SignerCache();
    const [a] = keys as [TestKey];
    const first = cache.lookup(jwsOf(header(a, [b64(a.certificate)], '2026-01-01T00:00:00Z')));
    const second = cache.lookup(jwsOf(header(a, [b64(a.certificate)], '2026-02-01T00:00:00Z')));
    expect(entryOf(second)).toBe(entryOf(first));
    expect(second.ok && second.signingTime.toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(cache.size).toBe(1);
  });

  it('does not answer a header with the same alg and kid but another chain from the cache', () => {
    const cache = new SignerCache();
    const [a, b, c] = keys as [TestKey, TestKey, TestKey];
    const genuine = entryOf(cache.lookup(jwsOf(header(a, [b64(a.certificate)]))));
    // Another certificate under the signer's kid: refused as a fresh header would be, not served the genuine entry.
    const forged = cache.lookup(jwsOf(header(a, [b64(b.certificate)])));
    expect(forged).toMatchObject({ ok: false, code: 'KEY_ID_MISMATCH' });
    // The same leaf with one more certificate is another chain: built on its own and held beside the first.
    const longer = entryOf(cache.lookup(jwsOf(header(a, [b64(a.certificate), b64(c.certificate)]))));
    expect(longer).not.toBe(genuine);
    expect(longer.intermediates).toHaveLength(1);
    expect(entryOf(cache.lookup(jwsOf(header(a, [b64(a.certificate)]))))).toBe(genuine);
    expect(cache.size).toBe(2);
    // A prefix of a held chain is not that chain.
    expect(entryOf(cache.lookup(jwsOf(header(a, [b64(a.certificate), b64(c.certificate), b64(b.certificate)]))))).not.toBe(longer);
  });

  it('refuses a non-string kid or x5c entry without holding anything', () => {
    const cache = new SignerCache();
    const [a] = keys as [TestKey];
    expect(cache.lookup(jwsOf({ ...header(a, [b64(a.certificate)]), kid: 7 }))).toMatchObject({ ok: false, code: 'JWS_MALFORMED' });
    expect(cache.lookup(jwsOf(header(a, [b64(a.certificate), 5 as never])))).toMatchObject({ ok: false, code: 'JWS_MALFORMED' });
    expect(cache.size).toBe(0);
  });

  it('holds at most its capacity, the signer inserted first dropped first', () => {
    const cache = new SignerCache(2);
    const [a, b, c] = keys as [TestKey, TestKey, TestKey];
    const ea = entryOf(cache.lookup(jwsOf(header(a, [b64(a.certificate)]))));
    const eb = entryOf(cache.lookup(jwsOf(header(b, [b64(b.certificate)]))));
    entryOf(cache.lookup(jwsOf(header(c, [b64(c.certificate)]))));
    expect(cache.size).toBe(2);
    expect(entryOf(cache.lookup(jwsOf(header(b, [b64(b.certificate)]))))).toBe(eb);
    expect(entryOf(cache.lookup(jwsOf(header(a, [b64(a.certificate)]))))).not.toBe(ea);
    expect(cache.size).toBe(2);
  });

  it(`keeps at most ${VARIANTS_PER_KID} chains under one kid, so variants cannot fill the cache`, () => {
    const cache = new SignerCache();
    const [a, ...others] = keys as [TestKey, ...TestKey[]];
    const variants = others.map((o) => [b64(a.certificate), b64(o.certificate)]);
    const built = variants.map((x5c) => entryOf(cache.lookup(jwsOf(header(a, x5c)))));
    expect(cache.size).toBe(VARIANTS_PER_KID);
    // The newest are held, the oldest were dropped.
    const last = variants.length - 1;
    expect(entryOf(cache.lookup(jwsOf(header(a, variants[last]!))))).toBe(built[last]);
    expect(entryOf(cache.lookup(jwsOf(header(a, variants[0]!))))).not.toBe(built[0]);
    expect(cache.size).toBe(VARIANTS_PER_KID);
  });
});
