import { createPublicKey, randomBytes } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { buildDemoWithEdDsaDepartment, type DemoWithEdDsa } from '../../demo/legacyEdDsaDepartment';
import { base45Decode, base45Encode } from '../../../src/forms/qr/base45';
import cbor from 'cbor';
import { cborDecoder, cborEncoder, coseSign1ToBeSigned, decodeCoseSign1, encodeCoseSign1, encodeProtectedHeader } from '../../../src/forms/qr/coseSign1';
import { COMPACT_PREFIX, MAX_INFLATED_BYTES, decodeCompactLicense, encodeCompactLicense, fullFormDigest, inflateLimited } from '../../../src/forms/qr/compactLicense';
import { verifyCoseSign1 } from '../../../src/verify/forms/verifyCoseSign1';
import { toLowS } from '../../../src/forms/qr/ecdsaLowS';
import { verifyCompactLicense } from '../../../src/verify/forms/verifyCompactLicense';
import { StandardsCatalog } from '../../../src/standards/StandardsCatalog';
import { loadLocalTrustFile } from '../../../src/trust/local/loadLocalTrustFile';
import { verifyLicense } from '../../../src/verify/verifyLicense';

const NOW = new Date('2026-11-26T08:00:00Z');
const catalog = StandardsCatalog.load();
let demo: DemoWithEdDsa;
const texts = new Map<string, string>();

beforeAll(async () => {
  demo = await buildDemoWithEdDsaDepartment({ catalog, now: NOW });
  for (const lic of demo.licenses) texts.set(lic.sample, await encodeCompactLicense(lic.form, lic.standard, demo.signerOf(lic.department), NOW));
});

const qrVersion = (text: string) => QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'Q' }).version;

describe('compact QR form', () => {
  it('round-trips every type: the claims come back and the department signature verifies', () => {
    for (const lic of demo.licenses) {
      const text = texts.get(lic.sample)!;
      expect(text.startsWith(COMPACT_PREFIX)).toBe(true);
      expect(text).toMatch(/^LC1:[0-9A-Z $%*+\-./:]+$/);
      const { cose, claims } = decodeCompactLicense(text, (t, v) => catalog.getType(t, v)?.qrFields);
      expect(claims.identifier).toBe(lic.form.license['certificateIdentifier']);
      expect(claims.issuerCode).toBe(lic.department.uscc);
      expect(Buffer.from(claims.fullFormDigest)).toEqual(Buffer.from(fullFormDigest(lic.form)));
      const extend = lic.form.license['extendInfo'] as Record<string, unknown>;
      expect(claims.face).toEqual(Object.fromEntries(lic.standard.qrFields.filter((f) => extend[f] !== undefined).map((f) => [f, extend[f]])));
      expect(Buffer.from(cose.kid).toString('base64url')).toBe(demo.signerOf(lic.department).keyId);
      expect(verifyCoseSign1(cose, createPublicKey(lic.department.privateKey))).toEqual({ ok: true });
    }
  });

  it('fits QR version 18 or lower at error-correction level Q for every type signed with ES256 or EdDSA', async () => {
    // The QR's size depends on the data and the signature algorithm, not on who may issue the type.
    const versions: Record<string, Record<string, number>> = {};
    for (const alg of ['ES256', 'EdDSA', 'PS256'] as const) {
      const dept = demo.pki.departments.find((d) => d.algorithm === alg)!;
      for (const lic of demo.licenses) {
        // As issued by a node: with a status entry (the largest index of a default list).
        const issuer = String(lic.form.license['certificateIssuingAuthorityCode']);
        const form = { ...lic.form, license: { ...lic.form.license, statusEntry: { listId: `${issuer}-12`, index: 131_071 } } };
        const text = await encodeCompactLicense(form, lic.standard, demo.signerOf(dept), NOW);
        (versions[alg] ??= {})[lic.slug] = qrVersion(text);
      }
    }
    console.log(`compact QR versions at level Q: ${JSON.stringify(versions)}`);
    for (const v of [...Object.values(versions['ES256']!), ...Object.values(versions['EdDSA']!)]) expect(v).toBeLessThanOrEqual(18);
    // RSA signatures (384 bytes for RSA-3072) do not fit that budget: see docs/adr/0003.
    for (const v of Object.values(versions['PS256']!)) expect(v).toBeGreaterThan(18);
  });

  it('does not put the holder\'s citizen ID number in the QR', () => {
    const marriage = demo.licenses.find((l) => l.slug === 'marriage-certificate')!;
    const { claims } = decodeCompactLicense(texts.get('marriage-certificate')!);
    expect(JSON.stringify(claims)).not.toContain(String(marriage.form.license['certificateHolderCode']));
  });

  it('detects tampered claims (the signature no longer verifies)', () => {
    const lic = demo.licenses[0]!;
    const { cose } = decodeCompactLicense(texts.get(lic.slug)!);
    const payload = Buffer.from(cose.payload);
    payload[payload.length - 1]! ^= 1;
    const forged = COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(cose.protectedBytes, payload, cose.signature)));
    expect(verifyCoseSign1(decodeCompactLicense(forged).cose, createPublicKey(lic.department.privateKey))).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('refuses a key of another algorithm than the header names', () => {
    const lic = demo.licenses.find((l) => l.department.algorithm === 'ES256')!;
    const ed = demo.eddsaLicense;
    const { cose } = decodeCompactLicense(texts.get(lic.slug)!);
    expect(verifyCoseSign1(cose, createPublicKey(ed.department.privateKey))).toMatchObject({ ok: false, code: 'ALGORITHM_KEY_MISMATCH' });
  });
});

describe('compact QR form: bad input gets its code', () => {
  const cose = (protectedBytes = encodeProtectedHeader(-7, Buffer.alloc(8, 1)), payload: Uint8Array = cborEncoder.encode(new Map([[1, 'x']]))) =>
    COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(protectedBytes, payload, Buffer.alloc(64))));

  it.each<[string, () => string, string]>([
    ['a wrong prefix', () => 'HC1:' + texts.get('business-licence')!.slice(4), 'QR_PREFIX_INVALID'],
    ['no prefix', () => texts.get('business-licence')!.slice(4), 'QR_PREFIX_INVALID'],
    ['a character outside base45', () => texts.get('business-licence')! + 'a', 'QR_ENCODING_INVALID'],
    ['a dangling base45 character', () => texts.get('business-licence')! + 'A', 'QR_ENCODING_INVALID'],
    ['a base45 triple above 65535', () => COMPACT_PREFIX + ':::', 'QR_ENCODING_INVALID'],
    ['not a zlib stream', () => COMPACT_PREFIX + base45Encode(Buffer.from('not compressed')), 'QR_ENCODING_INVALID'],
    ['a compression bomb', () => COMPACT_PREFIX + base45Encode(deflateSync(Buffer.alloc(MAX_INFLATED_BYTES * 64), { level: 9 })), 'QR_DECOMPRESSION_LIMIT'],
    ['truncated COSE', () => COMPACT_PREFIX + base45Encode(deflateSync(Buffer.from(decodeCoseSign1Bytes().subarray(0, 40)))), 'COSE_MALFORMED'],
    ['a COSE array of three elements', () => COMPACT_PREFIX + base45Encode(deflateSync(cborEncoder.encode([Buffer.alloc(1), new Map(), Buffer.alloc(1)]))), 'COSE_MALFORMED'],
    ['a map repeating a key', () => cose(Buffer.from('a301260448010101010101010101', 'hex').subarray(0, 14)), 'COSE_MALFORMED'],
    ['claims that are not a map', () => cose(undefined, cborEncoder.encode(['x'])), 'COSE_MALFORMED'],
    ['an over-long text', () => COMPACT_PREFIX + 'A'.repeat(5000), 'INPUT_TOO_LARGE'],
  ])('%s', (_name, make, code) => {
    expect(() => decodeCompactLicense(make())).toThrow(expect.objectContaining({ code }));
  });

  function decodeCoseSign1Bytes(): Buffer {
    const text = texts.get('business-licence')!;
    const bytes = inflateSync(base45Decode(text.slice(4)));
    decodeCoseSign1(bytes);
    return bytes;
  }
});

describe('verifyCompactLicense: the QR against trust material', () => {
  const verify = (text: string, opts: { at?: Date; trust?: import('../../../src/trust/TrustInputs').TrustInputs; fullForm?: import('../../../src/format/FullForm').FullForm } = {}) =>
    verifyCompactLicense(text, { trust: opts.trust ?? demo.trust, catalog, at: opts.at ?? NOW, ...(opts.fullForm ? { fullForm: opts.fullForm } : {}) });

  it('accepts the QR of every type, signed with each allowed algorithm, with every check in order', () => {
    for (const lic of demo.licenses) {
      const r = verify(texts.get(lic.sample)!);
      expect({ slug: lic.slug, reasons: r.reasons }).toEqual({ slug: lic.slug, reasons: [] });
      expect(r.result).toBe('accepted');
      // attachments (after signature): not applicable, a QR carries no photos
      expect(r.checks.map((c) => c.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'not_checked', 'passed', 'passed', 'passed', 'not_checked', 'not_checked']);
      expect(r.license?.['certificateIdentifier']).toBe(lic.form.license['certificateIdentifier']);
    }
  });

  it('binds the QR to its own full form, and refuses another one (FULL_FORM_MISMATCH)', () => {
    const [a, b] = demo.licenses;
    expect(verify(texts.get(a!.slug)!, { fullForm: a!.form }).result).toBe('accepted');
    expect(verify(texts.get(a!.slug)!, { fullForm: b!.form }).reasons).toContain('FULL_FORM_MISMATCH');
  });

  it('refuses a key id the trust data does not list (KEY_UNKNOWN)', () => {
    const { lookupSignerCertificate: _drop, ...withoutCertificates } = demo.trust;
    expect(verify(texts.get('business-licence')!, { trust: withoutCertificates }).reasons).toEqual(['KEY_UNKNOWN']);
  });

  it('reads a trust file made before department certificates were listed: still valid, its QRs are KEY_UNKNOWN', () => {
    const old = JSON.parse(JSON.stringify(demo.trustFile)) as { regions: Array<{ departments: Array<Record<string, unknown>> }> };
    for (const r of old.regions) for (const d of r.departments) delete d['certificates'];
    const trust = loadLocalTrustFile(JSON.stringify(old), 'old trust file');
    const lic = demo.licenses[0]!;
    expect(verify(texts.get(lic.slug)!, { trust }).reasons).toEqual(['KEY_UNKNOWN']);
    expect(verifyLicense(JSON.stringify(lic.form), { trust, catalog, at: NOW }).result).toBe('accepted');
  });

  it('refuses tampered claims (SIGNATURE_INVALID)', () => {
    const { cose } = decodeCompactLicense(texts.get('business-licence')!);
    const payload = Buffer.from(cose.payload);
    payload[payload.length - 1]! ^= 1;
    const forged = COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(cose.protectedBytes, payload, cose.signature)));
    expect(verify(forged).reasons).toContain('SIGNATURE_INVALID');
  });

  it('refuses a QR once its signer certificate has expired (no timestamp in a QR)', () => {
    const r = verify(texts.get('business-licence')!, { at: new Date(NOW.getTime() + 3 * 365 * 86_400_000) });
    expect(r.reasons).toContain('CERT_EXPIRED');
  });

  it('reports a revoked licence from the status source (LICENSE_REVOKED)', () => {
    const trust = { ...demo.trust, statusOf: () => ({ kind: 'status' as const, status: 'revoked' as const, asOf: NOW, source: 'test' }) };
    expect(verify(texts.get('business-licence')!, { trust }).reasons).toEqual(['LICENSE_REVOKED']);
  });

  it.each([
    ['a wrong prefix', 'HC1:ABC', 'QR_PREFIX_INVALID'],
    ['bad base45', 'LC1:abc', 'QR_ENCODING_INVALID'],
    ['a compression bomb', COMPACT_PREFIX + base45Encode(deflateSync(Buffer.alloc(MAX_INFLATED_BYTES * 64))), 'QR_DECOMPRESSION_LIMIT'],
  ])('answers %s with a result, not an exception', (_n, text, code) => {
    const r = verify(text);
    expect(r.result).toBe('rejected');
    expect(r.reasons).toEqual([code]);
  });
});

describe('compact QR form: restructured COSE and claims', () => {
  const wrap = (value: unknown) => COMPACT_PREFIX + base45Encode(deflateSync(cborEncoder.encode(value)));
  const { Tagged } = cbor;
  const good = () => decodeCompactLicense(texts.get('business-licence')!).cose;

  it.each<[string, () => string]>([
    ['a COSE_Mac0 tag (17) instead of COSE_Sign1 (18)', () => { const c = good(); return wrap(new Tagged(17, [Buffer.from(c.protectedBytes), new Map(), Buffer.from(c.payload), Buffer.from(c.signature)])); }],
    ['a COSE_Sign tag (98)', () => { const c = good(); return wrap(new Tagged(98, [Buffer.from(c.protectedBytes), new Map(), Buffer.from(c.payload), Buffer.from(c.signature)])); }],
    ['a COSE array of five elements', () => { const c = good(); return wrap(new Tagged(18, [Buffer.from(c.protectedBytes), new Map(), Buffer.from(c.payload), Buffer.from(c.signature), Buffer.alloc(0)])); }],
    ['the protected header as a map, not a byte string', () => { const c = good(); return wrap(new Tagged(18, [new Map<number, unknown>([[1, -7], [4, Buffer.from(c.kid)]]), new Map(), Buffer.from(c.payload), Buffer.from(c.signature)])); }],
    ['the payload as a map, not a byte string', () => { const c = good(); return wrap(new Tagged(18, [Buffer.from(c.protectedBytes), new Map(), new Map([[1, 'x']]), Buffer.from(c.signature)])); }],
    ['the unprotected header as a byte string', () => { const c = good(); return wrap(new Tagged(18, [Buffer.from(c.protectedBytes), Buffer.alloc(0), Buffer.from(c.payload), Buffer.from(c.signature)])); }],
    ['a protected header that is an array', () => { const c = good(); return wrap(new Tagged(18, [cborEncoder.encode([1, -7]), new Map(), Buffer.from(c.payload), Buffer.from(c.signature)])); }],
    ['alg only in the unprotected header', () => { const c = good(); return wrap(new Tagged(18, [cborEncoder.encode(new Map([[4, Buffer.from(c.kid)]])), new Map([[1, -7]]), Buffer.from(c.payload), Buffer.from(c.signature)])); }],
    ['no kid', () => { const c = good(); return wrap(new Tagged(18, [cborEncoder.encode(new Map([[1, -7]])), new Map(), Buffer.from(c.payload), Buffer.from(c.signature)])); }],
    ['bytes after the COSE message', () => { const c = good(); return COMPACT_PREFIX + base45Encode(deflateSync(Buffer.concat([encodeCoseSign1(c.protectedBytes, c.payload, c.signature), Buffer.from([0])]))); }],
    ['an indefinite-length array', () => COMPACT_PREFIX + base45Encode(deflateSync(Buffer.from('d29f40a04040ff', 'hex')))],
    ['claims with an indefinite-length map', () => { const c = good(); return COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(c.protectedBytes, Buffer.from('bf0161ffff', 'hex'), c.signature))); }],
    ['claims without the full-form digest', () => { const c = good(); const m = cborDecoderMap(c.payload); m.delete(9); return COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(c.protectedBytes, cborEncoder.encode(m), c.signature))); }],
    ['a status entry that is not [list, index]', () => { const c = good(); const m = cborDecoderMap(c.payload); m.set(11, 'L-1'); return COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(c.protectedBytes, cborEncoder.encode(m), c.signature))); }],
    ['a status entry with a negative index', () => { const c = good(); const m = cborDecoderMap(c.payload); m.set(11, [1, -5]); return COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(c.protectedBytes, cborEncoder.encode(m), c.signature))); }],
    ['a status entry whose list id has characters a list id cannot have', () => { const c = good(); const m = cborDecoderMap(c.payload); m.set(11, ['a/b', 3]); return COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(c.protectedBytes, cborEncoder.encode(m), c.signature))); }],
    ['an identifier with a wrong check character', () => { const c = good(); const m = cborDecoderMap(c.payload); const id = String(m.get(1)); m.set(1, id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A')); return COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(c.protectedBytes, cborEncoder.encode(m), c.signature))); }],
  ])('%s is COSE_MALFORMED, and a rejected result from the verifier', (_name, make) => {
    const text = make();
    expect(() => decodeCompactLicense(text)).toThrow(expect.objectContaining({ code: 'COSE_MALFORMED' }));
    const r = verifyCompactLicense(text, { trust: demo.trust, catalog, at: NOW });
    expect({ result: r.result, reasons: r.reasons }).toEqual({ result: 'rejected', reasons: ['COSE_MALFORMED'] });
  });

  function cborDecoderMap(bytes: Uint8Array): Map<number, unknown> {
    return cborDecoder.decode(bytes) as Map<number, unknown>;
  }
});

describe('verifyCompactLicense: signed by a known key, but wrong', () => {
  const verify = (text: string, fullForm?: import('../../../src/format/FullForm').FullForm) =>
    verifyCompactLicense(text, { trust: demo.trust, catalog, at: NOW, ...(fullForm ? { fullForm } : {}) });
  const business = () => demo.licenses.find((l) => l.slug === 'business-licence')!;
  /** Re-sign edited claims (and header) with the licence's own department key. */
  async function resign(edit: (claims: Map<number, unknown>) => void, alg?: number): Promise<string> {
    const lic = business();
    const signer = demo.signerOf(lic.department);
    const { cose } = decodeCompactLicense(texts.get(lic.slug)!);
    const claims = cborDecoder.decode(cose.payload) as Map<number, unknown>;
    edit(claims);
    const payload = cborEncoder.encode(claims);
    const protectedBytes = alg === undefined ? cose.protectedBytes : encodeProtectedHeader(alg, cose.kid);
    const signed = await signer.sign(coseSign1ToBeSigned(protectedBytes, payload));
    // As the issuer does: the low-S twin of an ES256 signature (docs/adr/0003).
    const signature = signer.algorithm === 'ES256' ? toLowS(signed) : signed;
    return COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(protectedBytes, payload, signature)));
  }

  it('the re-signing helper itself yields an accepted QR', async () => {
    expect(verify(await resign(() => undefined)).reasons).toEqual([]);
  });

  it('carries the status entry a node gave the licence: [n, index] for "<issuer>-n", the list id text otherwise', async () => {
    const issuer = String(business().form.license['certificateIssuingAuthorityCode']);
    const short = decodeCompactLicense(await resign((m) => m.set(11, [3, 4711]))).claims.statusEntry;
    expect(short).toEqual({ listId: `${issuer}-3`, index: 4711 });
    const named = decodeCompactLicense(await resign((m) => m.set(11, ['other.list-7', 2]))).claims.statusEntry;
    expect(named).toEqual({ listId: 'other.list-7', index: 2 });
    // The status entry is part of what is signed: changing it breaks the signature.
    const text = await resign((m) => m.set(11, [1, 5]));
    const { cose } = decodeCompactLicense(text);
    const claims = cborDecoder.decode(cose.payload) as Map<number, unknown>;
    claims.set(11, [1, 6]);
    const forged = COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(cose.protectedBytes, cborEncoder.encode(claims), cose.signature)));
    expect(verify(forged).reasons).toEqual(['SIGNATURE_INVALID']);
  });

  it('a face value of the wrong type (TYPE_SCHEMA_INVALID)', async () => {
    const text = await resign((m) => (m.get(8) as Map<number, unknown>).set(0, 12345));
    expect(verify(text).reasons).toEqual(['TYPE_SCHEMA_INVALID']);
  });

  it('a face field the standard does not list for the QR (TYPE_SCHEMA_INVALID)', async () => {
    const text = await resign((m) => (m.get(8) as Map<number, unknown>).set(40, 'x'));
    expect(verify(text).reasons).toEqual(['TYPE_SCHEMA_INVALID']);
  });

  it('a date that is not a date (ENVELOPE_SCHEMA_INVALID)', async () => {
    const text = await resign((m) => m.set(5, '2024-13-45'));
    expect(verify(text).reasons).toContain('ENVELOPE_SCHEMA_INVALID');
  });

  it('a standard version nobody published (TYPE_UNKNOWN)', async () => {
    expect(verify(await resign((m) => m.set(3, '9.9.9'))).reasons).toEqual(['TYPE_UNKNOWN']);
  });

  it('an expired licence (LICENSE_EXPIRED)', async () => {
    expect(verify(await resign((m) => m.set(6, '2025-01-01'))).reasons).toEqual(['LICENSE_EXPIRED']);
  });

  it('an alg the key cannot make (ALGORITHM_KEY_MISMATCH), and one outside the allow-list (ALGORITHM_NOT_ALLOWED)', async () => {
    expect(business().department.algorithm).not.toBe('EdDSA');
    expect(verify(await resign(() => undefined, -8)).reasons).toEqual(['ALGORITHM_KEY_MISMATCH']);
    expect(verify(await resign(() => undefined, -35)).reasons).toEqual(['ALGORITHM_NOT_ALLOWED']);
  });

  it('a tampered signature (SIGNATURE_INVALID)', () => {
    const { cose } = decodeCompactLicense(texts.get('business-licence')!);
    const signature = Buffer.from(cose.signature);
    signature[10]! ^= 0x40;
    const text = COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(cose.protectedBytes, cose.payload, signature)));
    expect(verify(text).reasons).toEqual(['SIGNATURE_INVALID']);
  });

  it('a kid the trust data does not list, while it lists others (KEY_UNKNOWN)', () => {
    const { cose } = decodeCompactLicense(texts.get('business-licence')!);
    const protectedBytes = encodeProtectedHeader(cose.alg, Buffer.alloc(8, 0xee));
    const r = verify(COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(protectedBytes, cose.payload, cose.signature))));
    expect(r.reasons).toEqual(['KEY_UNKNOWN']);
    expect(r.checks.find((c) => c.check === 'chain')?.status).toBe('not_checked');
  });

  it('a QR signed by another department than the issuer it names (ISSUER_MISMATCH)', async () => {
    const lic = business();
    const other = demo.pki.departments.find((d) => d.uscc !== lic.department.uscc && d.algorithm === lic.department.algorithm)!;
    const text = await encodeCompactLicense(lic.form, lic.standard, demo.signerOf(other), NOW);
    expect(verify(text).reasons).toContain('ISSUER_MISMATCH');
  });

  it('a QR of a department suspended since: a QR carries no timestamp, so the current state counts (ISSUER_SUSPENDED)', () => {
    const lic = business();
    const trust = {
      ...demo.trust,
      lookupDepartment: (uscc: string) => {
        const d = demo.trust.lookupDepartment(uscc);
        return d && uscc === lic.department.uscc ? { ...d, state: 'suspended' as const, stateSince: new Date(NOW.getTime() + 1000) } : d;
      },
    };
    expect(verifyCompactLicense(texts.get(lic.slug)!, { trust, catalog, at: NOW }).reasons).toEqual(['ISSUER_SUSPENDED']);
  });

  it('its own full form with a changed field (FULL_FORM_MISMATCH)', () => {
    const lic = business();
    const altered = { ...lic.form, license: { ...lic.form.license, certificateHolderName: '另一家公司' } };
    const r = verify(texts.get(lic.slug)!, altered);
    expect(r.reasons).toContain('FULL_FORM_MISMATCH');
    expect(r.result).toBe('rejected');
  });
});

describe('COSE internals', () => {
  it.each([0, 10, 23, 24, 255, 256, 65535, 65536])('the Sig_structure written by hand equals the general CBOR encoding (payload of %d bytes)', (n) => {
    const protectedBytes = encodeProtectedHeader(-7, Buffer.alloc(8, 2));
    const payload = Buffer.alloc(n, 7);
    expect(Buffer.from(coseSign1ToBeSigned(protectedBytes, payload))).toEqual(
      cborEncoder.encode(['Signature1', Buffer.from(protectedBytes), Buffer.alloc(0), payload]),
    );
  });

  it('the strict decoder reads what the encoder writes, and refuses a repeated key, indefinite lengths and trailing bytes', () => {
    const value = new Map<unknown, unknown>([[1, 'a'], [-7, Buffer.from([1, 2])], ['k', [true, false, null, undefined, 1.5]]]);
    expect(cborDecoder.decode(cborEncoder.encode(value))).toEqual(value);
    expect(() => cborDecoder.decode(Buffer.from('a2016161016162', 'hex'))).toThrow(expect.objectContaining({ code: 'COSE_MALFORMED' }));
    expect(() => cborDecoder.decode(Buffer.from('9f01ff', 'hex'))).toThrow(expect.objectContaining({ code: 'COSE_MALFORMED' }));
    expect(() => cborDecoder.decode(Buffer.from('0101', 'hex'))).toThrow(expect.objectContaining({ code: 'COSE_MALFORMED' }));
    expect(() => cborDecoder.decode(Buffer.from('62c328', 'hex'))).toThrow(expect.objectContaining({ code: 'COSE_MALFORMED' }));
  });

  it.each<[string, string, string]>([
    ['ASCII text', '6a323032342d30332d3135', '2024-03-15'],
    ['an empty text', '60', ''],
    ['CJK text', `69${Buffer.from('张伟明').toString('hex')}`, '张伟明'],
    ['ASCII then CJK', `6c${Buffer.from('No.张伟明').toString('hex')}`, 'No.张伟明'],
    ['a DEL (0x7f), the last ASCII byte', '617f', '\x7f'],
  ])('the strict decoder reads %s as UTF-8', (_name, hex, text) => {
    expect(cborDecoder.decode(Buffer.from(hex, 'hex'))).toBe(text);
  });

  it.each<[string, string]>([
    ['a lone continuation byte after ASCII', '63616280'],
    ['an overlong encoding of "/"', '62c0af'],
    ['a UTF-16 surrogate encoded as UTF-8', '63eda080'],
    ['a text cut short', '6561626364'],
    ['a Latin-1 byte (0xe9) that is not UTF-8', '626ce9'],
  ])('the strict decoder refuses text with %s', (_name, hex) => {
    expect(() => cborDecoder.decode(Buffer.from(hex, 'hex'))).toThrow(expect.objectContaining({ code: 'COSE_MALFORMED' }));
  });

  it('inflation reads a stream over several output chunks up to the cap, and refuses one byte more', () => {
    const exactly = randomBytes(MAX_INFLATED_BYTES);
    expect(Buffer.from(inflateLimited(deflateSync(exactly)))).toEqual(exactly);
    expect(() => inflateLimited(deflateSync(Buffer.concat([exactly, Buffer.of(1)])))).toThrow(expect.objectContaining({ code: 'QR_DECOMPRESSION_LIMIT' }));
  });

  it.each([
    ['an integer key and a longer encoding of the same integer', 'a201616118016162'],
    ['a text key twice', 'a2616b01616b02'],
    ['a byte-string key twice', 'a2410101410102'],
    ['a negative integer key and a longer encoding of it', 'a22001380002'],
  ])('the strict decoder refuses a map with %s', (_name, hex) => {
    expect(() => cborDecoder.decode(Buffer.from(hex, 'hex'))).toThrow(expect.objectContaining({ code: 'COSE_MALFORMED', message: 'CBOR: a map repeats a key' }));
  });

  it('the strict decoder keeps maps whose keys differ (byte strings, integers, text)', () => {
    expect(cborDecoder.decode(Buffer.from('a3410101410202016161', 'hex'))).toEqual(new Map<unknown, unknown>([[Buffer.from([1]), 1], [Buffer.from([2]), 2], [1, 'a']]));
  });
});

describe('one canonical QR: a licence QR has exactly one encoding (docs/adr/0003, "One encoding")', () => {
  const { Tagged } = cbor;
  const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const es256 = () => demo.licenses.find((l) => l.department.algorithm === 'ES256')!;
  const genuine = () => decodeCompactLicense(texts.get(es256().slug)!).cose;
  const sOf = (signature: Uint8Array) => BigInt(`0x${Buffer.from(signature).subarray(32).toString('hex')}`);
  const withS = (signature: Uint8Array, s: bigint) => Buffer.concat([Buffer.from(signature).subarray(0, 32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]);
  const text = (coseBytes: Uint8Array) => COMPACT_PREFIX + base45Encode(deflateSync(coseBytes));
  const parts = (c = genuine()) => [Buffer.from(c.protectedBytes), new Map(), Buffer.from(c.payload), Buffer.from(c.signature)] as const;

  it('the issuer emits a low-S ES256 signature every time', async () => {
    const lic = es256();
    for (let i = 0; i < 24; i++) {
      const { cose } = decodeCompactLicense(await encodeCompactLicense(lic.form, lic.standard, demo.signerOf(lic.department), NOW));
      expect(sOf(cose.signature) <= P256_ORDER / 2n).toBe(true);
    }
  });

  it.each<[string, () => string]>([
    ['bytes after the zlib stream', () => COMPACT_PREFIX + base45Encode(Buffer.concat([deflateSync(encodeCoseSign1(genuine().protectedBytes, genuine().payload, genuine().signature)), Buffer.from([0])]))],
    ['a second zlib stream after the first', () => { const c = genuine(); const z = deflateSync(encodeCoseSign1(c.protectedBytes, c.payload, c.signature)); return COMPACT_PREFIX + base45Encode(Buffer.concat([z, z])); }],
    ['COSE_Sign1 inside the CWT tag (61)', () => text(cborEncoder.encode(new Tagged(61, new Tagged(18, [...parts()]))))],
    ['an untagged COSE_Sign1', () => text(cborEncoder.encode([...parts()]))],
    ['the kid repeated in the unprotected header', () => { const [p, , payload, sig] = parts(); return text(cborEncoder.encode(new Tagged(18, [p, new Map([[4, Buffer.from(genuine().kid)]]), payload, sig]))); }],
    ['an unknown unprotected header', () => { const [p, , payload, sig] = parts(); return text(cborEncoder.encode(new Tagged(18, [p, new Map([[99, 'x']]), payload, sig]))); }],
    ['the tag written in two bytes (d8 12) instead of one', () => { const c = genuine(); return text(Buffer.concat([Buffer.from([0xd8, 0x12]), Buffer.from(encodeCoseSign1(c.protectedBytes, c.payload, c.signature)).subarray(1)])); }],
    ['the signature\'s length written in a longer head', () => { const c = genuine(); const e = Buffer.from(encodeCoseSign1(c.protectedBytes, c.payload, c.signature)); const at = e.length - 64 - 2; expect(e.subarray(at, at + 2)).toEqual(Buffer.from([0x58, 0x40])); return text(Buffer.concat([e.subarray(0, at), Buffer.from([0x59, 0x00, 0x40]), e.subarray(at + 2)])); }],
    ['the high-S twin of a genuine ES256 signature', () => { const c = genuine(); const s = sOf(c.signature); const high = s > P256_ORDER / 2n ? s : P256_ORDER - s; return text(encodeCoseSign1(c.protectedBytes, c.payload, withS(c.signature, high))); }],
  ])('%s is QR_NOT_CANONICAL, and a rejected result from the verifier', (_name, make) => {
    const t = make();
    expect(() => decodeCompactLicense(t)).toThrow(expect.objectContaining({ code: 'QR_NOT_CANONICAL' }));
    const r = verifyCompactLicense(t, { trust: demo.trust, catalog, at: NOW });
    expect({ result: r.result, reasons: r.reasons }).toEqual({ result: 'rejected', reasons: ['QR_NOT_CANONICAL'] });
  });

  it('the low-S twin of a signature verifies (the refusal above is about the encoding, not the key)', () => {
    const c = genuine();
    const s = sOf(c.signature);
    const low = s > P256_ORDER / 2n ? P256_ORDER - s : s;
    const t = text(encodeCoseSign1(c.protectedBytes, c.payload, withS(c.signature, low)));
    expect(verifyCompactLicense(t, { trust: demo.trust, catalog, at: NOW }).reasons).toEqual([]);
  });

  it('an unknown protected header is COSE_MALFORMED (the profile has alg and kid only)', async () => {
    const lic = es256();
    const c = genuine();
    const protectedBytes = cborEncoder.encode(new Map<number, unknown>([[1, -7], [4, Buffer.from(c.kid)], [99, 1]]));
    const signature = await demo.signerOf(lic.department).sign(coseSign1ToBeSigned(protectedBytes, c.payload));
    const s = sOf(signature);
    const t = text(encodeCoseSign1(protectedBytes, c.payload, withS(signature, s > P256_ORDER / 2n ? P256_ORDER - s : s)));
    expect(() => decodeCompactLicense(t)).toThrow(expect.objectContaining({ code: 'COSE_MALFORMED' }));
  });

  it('EdDSA and PS256 QRs are canonical as issued, and an Ed25519 S + L twin does not verify', async () => {
    for (const alg of ['EdDSA', 'PS256'] as const) {
      const dept = demo.pki.departments.find((d) => d.algorithm === alg)!;
      const slug = demo.licenses.find((l) => dept.licenseTypes.includes(l.standard.typeCode))!.slug;
      const lic = await demo.issueSample(slug, dept);
      const t = await encodeCompactLicense(lic.form, lic.standard, demo.signerOf(dept), NOW);
      expect({ alg, reasons: verifyCompactLicense(t, { trust: demo.trust, catalog, at: NOW }).reasons }).toEqual({ alg, reasons: [] });
    }
    const ed = demo.eddsaLicense;
    const c = decodeCompactLicense(await encodeCompactLicense(ed.form, ed.standard, demo.signerOf(ed.department), NOW)).cose;
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    const sig = Buffer.from(c.signature);
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = s * 256n + BigInt(sig[32 + i]!);
    let t = s + L;
    for (let i = 0; i < 32; i++, t >>= 8n) sig[32 + i] = Number(t & 0xffn);
    const twin = text(encodeCoseSign1(c.protectedBytes, c.payload, sig));
    expect(verifyCompactLicense(twin, { trust: demo.trust, catalog, at: NOW }).reasons).toEqual(['SIGNATURE_INVALID']);
  });

  it('the COSE envelope written by hand equals the general CBOR encoding', () => {
    const c = genuine();
    expect(Buffer.from(encodeCoseSign1(c.protectedBytes, c.payload, c.signature))).toEqual(cborEncoder.encode(new Tagged(18, [...parts(c)])));
  });
});
