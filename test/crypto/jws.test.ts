import { createHash, createHmac, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { ElicenseError } from '../../src/errors';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import { keyIdForCertificate } from '../../src/crypto/keyIdForCertificate';
import { ecdsaDerToP1363 } from '../../src/crypto/ecdsaDerToP1363';
import { decodeDetachedJws, importJwkPublicKey, signCompactJws, signDetachedJws, verifyCompactJws, verifyDetachedJws } from '../../src/crypto/jws';
import { testKey, type TestKey } from './testKeys';

const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const payload = Buffer.from('{"certificateIdentifier":"X-1","holder":"中文"}', 'utf8');

let es: TestKey;
let ed: TestKey;
let ps: TestKey;
let esSigner: SoftwareSigner;

beforeAll(async () => {
  [es, ed, ps] = await Promise.all([testKey('ES256'), testKey('EdDSA'), testKey('PS256')]);
  esSigner = new SoftwareSigner(es.privateKey, [es.certificate]);
});

async function rejectCode(p: () => unknown): Promise<string | undefined> {
  try {
    await p();
    return undefined;
  } catch (e) {
    return e instanceof ElicenseError ? e.code : 'OTHER';
  }
}

describe('keyIdForCertificate', () => {
  it('is base64url of the first 8 bytes of SHA-256 of the DER', () => {
    const der = Buffer.from('not really a certificate');
    expect(keyIdForCertificate(der)).toBe(createHash('sha256').update(der).digest().subarray(0, 8).toString('base64url'));
    expect(keyIdForCertificate(der)).toHaveLength(11);
  });
});

describe('SoftwareSigner', () => {
  it('takes its algorithm from the key and its key id from the leaf certificate', async () => {
    for (const [k, alg] of [[es, 'ES256'], [ed, 'EdDSA'], [ps, 'PS256']] as const) {
      const s = new SoftwareSigner(k.privateKey, [k.certificate]);
      expect(s.algorithm).toBe(alg);
      expect(s.keyId).toBe(keyIdForCertificate(k.certificate));
      expect(s.certificateChain).toHaveLength(1);
      const sig = await s.sign(payload);
      expect(sig.byteLength).toBe(alg === 'PS256' ? 256 : 64);
    }
  });

  it('refuses a key that is not the leaf certificate key, a wrong algorithm, a public key, an empty chain', async () => {
    expect(await rejectCode(() => new SoftwareSigner(es.privateKey, [ed.certificate]))).toBe('KEY_INVALID');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(await rejectCode(() => new SoftwareSigner(other.privateKey, [es.certificate]))).toBe('KEY_INVALID');
    expect(await rejectCode(() => new SoftwareSigner(es.privateKey, [es.certificate], { algorithm: 'PS256' }))).toBe('ALGORITHM_KEY_MISMATCH');
    expect(await rejectCode(() => new SoftwareSigner(es.privateKey, [es.certificate], { algorithm: 'RS256' as never }))).toBe('ALGORITHM_NOT_ALLOWED');
    expect(await rejectCode(() => new SoftwareSigner(es.publicKey, [es.certificate]))).toBe('KEY_INVALID');
    expect(await rejectCode(() => new SoftwareSigner(es.privateKey, []))).toBe('CERT_MALFORMED');
    expect(await rejectCode(() => new SoftwareSigner(es.privateKey, [Buffer.from('garbage')]))).toBe('CERT_MALFORMED');
  });
});

describe('detached JWS', () => {
  it('round trips for every allowed algorithm with alg, kid, x5c and extras in the protected header', async () => {
    for (const k of [es, ed, ps]) {
      const signer = new SoftwareSigner(k.privateKey, [k.certificate]);
      const jws = await signDetachedJws(signer, payload, { typ: 'elicense+jws', sigT: '2025-01-01T00:00:00Z' });
      expect(jws).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
      const decoded = decodeDetachedJws(jws);
      if (!decoded.ok) throw new Error(decoded.message);
      expect(decoded.header).toEqual({
        alg: signer.algorithm,
        kid: signer.keyId,
        x5c: [Buffer.from(k.certificate).toString('base64')],
        typ: 'elicense+jws',
        sigT: '2025-01-01T00:00:00Z',
      });
      expect(verifyDetachedJws(decoded, payload, k.publicKey)).toEqual({ ok: true });
      expect(verifyDetachedJws(decoded, Buffer.from('other'), k.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    }
  });

  it('signs BASE64URL(header).BASE64URL(payload) (RFC 7515 appendix F)', async () => {
    const jws = await signDetachedJws(esSigner, payload, {});
    const [h, , s] = jws.split('.');
    const { verify } = await import('node:crypto');
    expect(verify('sha256', Buffer.from(`${h}.${b64u(payload)}`), { key: es.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s!, 'base64url'))).toBe(true);
  });

  it('refuses extras that would override alg, kid, x5c, crit or b64', async () => {
    for (const name of ['alg', 'kid', 'x5c', 'crit', 'b64']) {
      expect(await rejectCode(() => signDetachedJws(esSigner, payload, { [name]: 'x' }))).toBe('JWS_MALFORMED');
    }
  });

  it('refuses a signer that returns a DER ECDSA signature', async () => {
    const derSigner = { ...esSigner, algorithm: esSigner.algorithm, keyId: esSigner.keyId, certificateChain: esSigner.certificateChain, sign: async (d: Uint8Array) => nodeSign('sha256', d, es.privateKey) };
    expect(await rejectCode(() => signDetachedJws(derSigner, payload, {}))).toBe('KEY_INVALID');
  });

  it('rejects a signature moved to another payload, and kid or x5c tampering', async () => {
    const a = decodeDetachedJws(await signDetachedJws(esSigner, payload, { typ: 'a' }));
    if (!a.ok) throw new Error(a.message);
    expect(verifyDetachedJws(a, Buffer.concat([payload, Buffer.from(' ')]), es.publicKey).ok).toBe(false);
    const tamper = (change: (h: Record<string, unknown>) => void) => {
      const h = { ...a.header };
      change(h);
      const forged = decodeDetachedJws(`${b64u(JSON.stringify(h))}..${b64u(Buffer.from(a.signature))}`);
      if (!forged.ok) throw new Error(forged.message);
      return verifyDetachedJws(forged, payload, es.publicKey);
    };
    expect(tamper((h) => (h['kid'] = keyIdForCertificate(ed.certificate)))).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(tamper((h) => (h['x5c'] = [Buffer.from(ed.certificate).toString('base64')]))).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(tamper((h) => (h['typ'] = 'b'))).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('answers ALGORITHM_KEY_MISMATCH when the key does not fit the header alg', async () => {
    const d = decodeDetachedJws(await signDetachedJws(esSigner, payload, {}));
    if (!d.ok) throw new Error(d.message);
    expect(verifyDetachedJws(d, payload, ed.publicKey)).toMatchObject({ ok: false, code: 'ALGORITHM_KEY_MISMATCH' });
    expect(verifyDetachedJws(d, payload, ps.publicKey)).toMatchObject({ ok: false, code: 'ALGORITHM_KEY_MISMATCH' });
    // an EdDSA header over an ES256 signature, verified with the P-256 key
    const edHeader = b64u(JSON.stringify({ ...d.header, alg: 'EdDSA' }));
    const forged = decodeDetachedJws(`${edHeader}..${b64u(Buffer.from(d.signature))}`);
    if (!forged.ok) throw new Error(forged.message);
    expect(verifyDetachedJws(forged, payload, es.publicKey)).toMatchObject({ ok: false, code: 'ALGORITHM_KEY_MISMATCH' });
  });

  describe('decodeDetachedJws strictness', () => {
    let good: string;
    let h: string;
    let s: string;
    beforeAll(async () => {
      good = await signDetachedJws(esSigner, payload, {});
      [h, , s] = good.split('.') as [string, string, string];
    });
    const header = (obj: unknown) => b64u(typeof obj === 'string' ? obj : JSON.stringify(obj));

    it.each([
      ['none', 'none'],
      ['NONE', 'NONE'],
      ['None', 'None'],
      ['HS256', 'HS256'],
      ['RS256', 'RS256'],
      ['ES384', 'ES384'],
      ['ES512', 'ES512'],
      ['PS384', 'PS384'],
      ['PS512', 'PS512'],
      ['es256', 'es256'],
      ['a number', 256],
    ])('alg %s is ALGORITHM_NOT_ALLOWED', (_n, alg) => {
      expect(decodeDetachedJws(`${header({ alg, kid: 'k' })}..${s}`)).toMatchObject({ ok: false, code: 'ALGORITHM_NOT_ALLOWED' });
    });

    it.each([
      ['two parts', () => `${h}.${s}`],
      ['attached payload', () => `${h}.${b64u(payload)}.${s}`],
      ['four parts', () => `${h}...${s}`],
      ['empty', () => ''],
      ['empty header', () => `..${s}`],
      ['empty signature', () => `${h}..`],
      ['padding', () => `${h}..${s}=`],
      ['standard base64 alphabet', () => `${h}..${Buffer.from(s, 'base64url').toString('base64').replace(/=+$/, '')}${'+'}`],
      ['whitespace', () => `${h} ..${s}`],
      ['non-canonical trailing bits', () => `${h}..${s.slice(0, -1)}${String.fromCharCode(s.charCodeAt(s.length - 1) ^ 1)}`],
      ['short signature', () => `${h}..${b64u(Buffer.alloc(63))}`],
      ['long signature', () => `${h}..${b64u(Buffer.alloc(65))}`],
      ['header not JSON', () => `${header('{alg:"ES256"}')}..${s}`],
      ['header an array', () => `${header(['ES256'])}..${s}`],
      ['header invalid UTF-8', () => `${b64u(Buffer.from([0x7b, 0xff, 0x7d]))}..${s}`],
      ['duplicate alg', () => `${header('{"alg":"ES256","alg":"ES256"}')}..${s}`],
      ['escaped duplicate alg', () => `${header('{"alg":"ES256","\\u0061lg":"none"}')}..${s}`],
      ['no alg', () => `${header({ kid: 'k' })}..${s}`],
      ['b64 false', () => `${header({ alg: 'ES256', b64: false, crit: ['b64'] })}..${s}`],
      ['b64 true', () => `${header({ alg: 'ES256', b64: true })}..${s}`],
      ['unknown crit', () => `${header({ alg: 'ES256', crit: ['exp'], exp: 1 })}..${s}`],
      ['crit not an array', () => `${header({ alg: 'ES256', crit: 'exp' })}..${s}`],
      ['empty crit', () => `${header({ alg: 'ES256', crit: [] })}..${s}`],
      ['crit names a registered header', () => `${header({ alg: 'ES256', crit: ['kid'], kid: 'k' })}..${s}`],
      ['not a string', () => 42 as unknown as string],
    ])('%s is JWS_MALFORMED', (_n, make) => {
      expect(decodeDetachedJws(make())).toMatchObject({ ok: false, code: 'JWS_MALFORMED' });
    });

    it('accepts crit only for extensions the caller understands and that are present', () => {
      const withCrit = `${header({ alg: 'ES256', crit: ['sigT'], sigT: '2025-01-01T00:00:00Z' })}..${s}`;
      expect(decodeDetachedJws(withCrit)).toMatchObject({ ok: false, code: 'JWS_MALFORMED' });
      expect(decodeDetachedJws(withCrit, { understoodCritical: ['sigT'] }).ok).toBe(true);
      const missing = `${header({ alg: 'ES256', crit: ['sigT'] })}..${s}`;
      expect(decodeDetachedJws(missing, { understoodCritical: ['sigT'] })).toMatchObject({ ok: false, code: 'JWS_MALFORMED' });
    });

    it('keeps the protected header exactly as sent', () => {
      const d = decodeDetachedJws(good);
      expect(d.ok && d.protectedB64).toBe(h);
    });
  });
});

describe('compact JWS', () => {
  it('round trips with kid and no x5c, returning the payload bytes', async () => {
    const jws = await signCompactJws(esSigner, payload, { typ: 'x' });
    const result = verifyCompactJws(jws, (hdr) => (hdr['kid'] === esSigner.keyId ? es.publicKey : undefined));
    expect(result.ok && result.payload.equals(payload)).toBe(true);
    expect(result.ok && result.header).toEqual({ alg: 'ES256', kid: esSigner.keyId, typ: 'x' });
    expect(verifyCompactJws(jws, () => undefined)).toMatchObject({ ok: false, code: 'KEY_UNKNOWN' });
    expect(verifyCompactJws(jws, () => ed.publicKey)).toMatchObject({ ok: false, code: 'ALGORITHM_KEY_MISMATCH' });
  });

  it('verifies an empty payload', async () => {
    const jws = await signCompactJws(esSigner, Buffer.alloc(0), {});
    expect(jws.split('.')[1]).toBe('');
    expect(verifyCompactJws(jws, () => es.publicKey).ok).toBe(true);
  });

  it('rejects alg none in every spelling, with or without a signature', () => {
    for (const alg of ['none', 'NONE', 'None', 'nOnE']) {
      for (const sig of ['', b64u(Buffer.alloc(64))]) {
        const jws = `${b64u(JSON.stringify({ alg }))}.${b64u(payload)}.${sig}`;
        expect(verifyCompactJws(jws, () => es.publicKey)).toMatchObject({ ok: false, code: 'ALGORITHM_NOT_ALLOWED' });
      }
    }
  });

  it('rejects HMAC made with the public key as the secret (key confusion)', () => {
    const spki = es.publicKey.export({ type: 'spki', format: 'pem' });
    const jwk = JSON.stringify(es.publicKey.export({ format: 'jwk' }));
    for (const secret of [spki, jwk, es.publicKey.export({ type: 'spki', format: 'der' })]) {
      const h = b64u(JSON.stringify({ alg: 'HS256', kid: esSigner.keyId }));
      const input = `${h}.${b64u(payload)}`;
      const mac = createHmac('sha256', secret).update(input).digest('base64url');
      expect(verifyCompactJws(`${input}.${mac}`, () => es.publicKey)).toMatchObject({ ok: false, code: 'ALGORITHM_NOT_ALLOWED' });
    }
  });

  it('rejects a header alg that does not match the key, and a moved signature', async () => {
    const edSigner = new SoftwareSigner(ed.privateKey, [ed.certificate]);
    const edJws = await signCompactJws(edSigner, payload, {});
    const [, p, sig] = edJws.split('.');
    const asEs = `${b64u(JSON.stringify({ alg: 'ES256', kid: edSigner.keyId }))}.${p}.${sig}`;
    expect(verifyCompactJws(asEs, () => ed.publicKey)).toMatchObject({ ok: false, code: 'ALGORITHM_KEY_MISMATCH' });
    expect(verifyCompactJws(edJws, () => es.publicKey)).toMatchObject({ ok: false, code: 'ALGORITHM_KEY_MISMATCH' });
    const other = await signCompactJws(edSigner, Buffer.from('other'), {});
    const moved = `${other.split('.')[0]}.${other.split('.')[1]}.${sig}`;
    expect(verifyCompactJws(moved, () => ed.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('rejects a DER-encoded ES256 signature', () => {
    const h = b64u(JSON.stringify({ alg: 'ES256' }));
    const der = nodeSign('sha256', Buffer.from(`${h}.${b64u(payload)}`), es.privateKey);
    expect(verifyCompactJws(`${h}.${b64u(payload)}.${b64u(der)}`, () => es.publicKey).ok).toBe(false);
    // the same signature converted strictly verifies
    const raw = ecdsaDerToP1363(der)!;
    expect(verifyCompactJws(`${h}.${b64u(payload)}.${b64u(raw)}`, () => es.publicKey).ok).toBe(true);
  });
});

describe('importJwkPublicKey', () => {
  const jwk = () => es.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  it('imports a public EC JWK', () => {
    expect(importJwkPublicKey(jwk()).asymmetricKeyType).toBe('ec');
    expect(importJwkPublicKey({ ...jwk(), use: 'sig', key_ops: ['verify'], alg: 'ES256' }, { forAlgorithm: 'ES256' }).type).toBe('public');
  });
  it.each([
    ['oct', () => ({ kty: 'oct', k: 'AAAA' })],
    ['private member', () => es.privateKey.export({ format: 'jwk' })],
    ['use enc', () => ({ ...jwk(), use: 'enc' })],
    ['key_ops without verify', () => ({ ...jwk(), key_ops: ['encrypt'] })],
    ['broken point', () => ({ ...jwk(), x: 'AAAA' })],
    ['not an object', () => 'ES256'],
  ])('refuses %s', (_n, make) => {
    expect(() => importJwkPublicKey(make())).toThrow(ElicenseError);
  });
  it('refuses a JWK meant for another algorithm', () => {
    expect(() => importJwkPublicKey({ ...jwk(), alg: 'ES384' }, { forAlgorithm: 'ES256' })).toThrow(ElicenseError);
  });
});

describe('ecdsaDerToP1363', () => {
  const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
  it('converts minimal DER and pads short integers', () => {
    const out = ecdsaDerToP1363(hex('3006 020101 020102'))!;
    expect(out.toString('hex')).toBe('00'.repeat(31) + '01' + '00'.repeat(31) + '02');
    const big = ecdsaDerToP1363(hex(`3046 022100${'ff'.repeat(32)} 022100${'80'.repeat(32)}`))!;
    expect(big.toString('hex')).toBe('ff'.repeat(32) + '80'.repeat(32));
  });
  it.each([
    ['leading zero not needed', '3007 02020001 020102'],
    ['negative', '3006 020181 020102'],
    ['wrong outer tag', '3106 020101 020102'],
    ['wrong integer tag', '3006 030101 020102'],
    ['trailing byte', '3007 020101 020102 00'],
    ['length too long', '3008 020101 020102'],
    ['long form length not needed', '308106 020101 020102'],
    ['indefinite length', '3080 020101 020102 0000'],
    ['empty integer', '3005 0200 020102'],
    ['integer too wide', `3047 022200${'ff'.repeat(33)} 020102`],
    ['one integer', '3003 020101'],
    ['three integers', '3009 020101 020102 020103'],
    ['empty', ''],
  ])('refuses %s', (_n, h) => {
    expect(ecdsaDerToP1363(hex(h))).toBeUndefined();
  });
});
