import { generateSerial } from '../../src/codes/licenseIdentifier';
import { signCompactJws } from '../../src/crypto/jws';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import { buildDemoWithEdDsaDepartment, type DemoWithEdDsa } from '../demo/legacyEdDsaDepartment';
import { tamperedVariants, type TamperedVariant } from '../../src/demo/tamperedVariants';
import type { FullForm } from '../../src/format/FullForm';
import { prepareLicenseRecord } from '../../src/issue/prepareLicenseRecord';
import { signLicense } from '../../src/issue/signLicense';
import { createTimestamp } from '../../src/format/timestamp';
import { runCeremony } from '../../src/pki/ca/ceremony';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { loadLocalTrustFile, type LocalTrustFile } from '../../src/trust/local/loadLocalTrustFile';
import { checkTimestamp } from '../../src/verify/checkTimestamp';
import { PathCache } from '../../src/verify/PathCache';
import { CHECKS } from '../../src/format/reasonCodes';
import type { TrustInputs } from '../../src/trust/TrustInputs';
import { createVerifierCaches, verifyFullFormDocument, verifyLicense } from '../../src/verify/verifyLicense';

const NOW = new Date('2026-11-26T08:00:00Z');
const DAY = 86_400_000;
const catalog = StandardsCatalog.load();
let demo: DemoWithEdDsa;
let variants: TamperedVariant[];

const bytes = (f: unknown) => Buffer.from(JSON.stringify(f));
const verifyAt = (form: unknown, at = NOW, trust: TrustInputs = demo.trust) => verifyLicense(bytes(form), { trust, catalog, at });
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const trustWith = (mutate: (f: LocalTrustFile) => void): TrustInputs => {
  const f = clone(demo.trustFile);
  mutate(f);
  return loadLocalTrustFile(JSON.stringify(f));
};

beforeAll(async () => {
  demo = await buildDemoWithEdDsaDepartment({ catalog, now: NOW });
  variants = await tamperedVariants(demo, catalog, NOW);
});

describe('verifyLicense: genuine licences', () => {
  it('accepts a licence of every type, with every check reported in order', () => {
    expect(new Set(demo.licenses.map((l) => l.slug))).toEqual(new Set(catalog.listTypes().map((t) => t.slug)));
    for (const lic of demo.licenses) {
      const r = verifyAt(lic.form);
      expect(r.reasons).toEqual([]);
      expect(r.result).toBe('accepted');
      expect(r.checks.map((c) => c.check)).toEqual([...CHECKS]);
      expect(r.license?.['certificateIdentifier']).toBe(lic.form.license['certificateIdentifier']);
      expect(r.signer?.uscc).toBe(lic.department.uscc);
    }
  });

  it('covers ES256, EdDSA and PS256 signers', async () => {
    const algs = new Set(demo.licenses.map((l) => verifyAt(l.form).signer?.algorithm));
    expect([...algs].sort()).toEqual(['ES256']);
    // The demo signs its sample licences with ES256 (compact QR size, docs/adr/0003; no EdDSA department keys, docs/adr/0004).
    // A department certified with EdDSA before that rule keeps verifying:
    const ed = verifyAt(demo.eddsaLicense.form);
    expect(ed.reasons).toEqual([]);
    expect(ed.signer).toMatchObject({ algorithm: 'EdDSA', uscc: demo.eddsa.uscc });
    // The province's PS256 department too may issue the title.
    const rsaDept = demo.pki.departments.find((d) => d.algorithm === 'PS256')!;
    const rsa = await demo.issueSample('real-estate-title', rsaDept);
    const r = verifyAt(rsa.form);
    expect(r.reasons).toEqual([]);
    expect(r.signer).toMatchObject({ algorithm: 'PS256', uscc: rsaDept.uscc });
  });

  it('reports status and recognition as not checked, never as passed', () => {
    const r = verifyAt(demo.licenses[0]!.form);
    for (const name of ['status', 'recognition'] as const) {
      expect(r.checks.find((c) => c.check === name)?.status).toBe('not_checked');
    }
    expect(r.warnings).toEqual(expect.arrayContaining(['STATUS_NOT_CHECKED', 'RECOGNITION_NOT_CHECKED']));
    expect(r.recognizedLocalType).toBeNull();
  });

  it('gives the same answer with warm caches as without', () => {
    const caches = createVerifierCaches();
    for (const lic of demo.licenses) {
      const cold = verifyAt(lic.form);
      const warm1 = verifyLicense(bytes(lic.form), { trust: demo.trust, catalog, at: NOW, caches });
      const warm2 = verifyLicense(bytes(lic.form), { trust: demo.trust, catalog, at: NOW, caches });
      expect(warm1).toEqual(cold);
      expect(warm2).toEqual(cold);
    }
  });

  it('does not reuse a cached path after the trust anchors change', async () => {
    const caches = createVerifierCaches();
    const form = demo.licenses[0]!.form;
    expect(verifyLicense(bytes(form), { trust: demo.trust, catalog, at: NOW, caches }).result).toBe('accepted');
    const otherRegion = await runCeremony(demo.ceremony, { now: NOW });
    const otherAnchors = trustWith((f) => {
      f.anchors = [otherRegion.root.certificate.pem];
    });
    const r = verifyLicense(bytes(form), { trust: otherAnchors, catalog, at: NOW, caches });
    expect(r.reasons).toContain('CHAIN_UNTRUSTED');
  });

  it('does not reuse a cached path outside its validity window', () => {
    const caches = createVerifierCaches();
    const form = clone(demo.licenses[0]!.form);
    delete form.timestamp;
    expect(verifyLicense(bytes(form), { trust: demo.trust, catalog, at: NOW, caches }).result).toBe('accepted');
    const later = new Date(NOW.getTime() + 5 * 365 * DAY);
    expect(verifyLicense(bytes(form), { trust: demo.trust, catalog, at: later, caches }).reasons).toContain('CERT_EXPIRED');
  });
});

describe('verifyLicense: every bad input gets its reason code', () => {
  it('has a variant for each kind the foundation issue lists', () => {
    expect(variants.map((v) => v.name)).toEqual(
      expect.arrayContaining([
        'truncated', 'not-json', 'duplicate-key', 'oversized', 'deep-nesting', 'wrong-type', 'unknown-envelope-field',
        'face-schema-violation', 'identifier-check-character', 'tampered-holder', 'signature-moved', 'alg-key-mismatch',
        'alg-none', 'hmac-public-key', 'unpinned-root', 'malformed-der', 'chain-of-50', 'cert-expired-no-timestamp',
        'cert-not-yet-valid', 'type-not-authorized',
      ]),
    );
  });

  it.each([
    ['an array', []],
    ['a string', 'licence'],
    ['null', null],
    ['an unknown top-level field', { extra: 1 }],
    ['a wrong format marker', { format: 'elicense/full@0' }],
  ])('refuses %s as FORMAT_UNSUPPORTED', (_label, doc) => {
    const base = demo.licenses[0]!.form as unknown as Record<string, unknown>;
    const input = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? { ...base, ...doc } : doc;
    const r = verifyFullFormDocument(input, { trust: demo.trust, catalog, at: NOW });
    expect(r.result).toBe('rejected');
    expect(r.reasons).toEqual(['FORMAT_UNSUPPORTED']);
  });

  it('rejects each variant with its reason and never throws', () => {
    for (const v of variants) {
      const r = verifyLicense(v.bytes, { trust: demo.trust, catalog, at: v.at ? new Date(v.at) : NOW });
      expect({ name: v.name, result: r.result }).toEqual({ name: v.name, result: 'rejected' });
      expect({ name: v.name, reasons: r.reasons }).toEqual({ name: v.name, reasons: expect.arrayContaining([v.expected]) });
    }
  });

  it('rejects a licence signed in the future', async () => {
    const lic = demo.licenses[0]!;
    const future = await signLicense(clone(lic.form.license), { department: demo.signerOf(lic.department) }, new Date(NOW.getTime() + DAY));
    expect(verifyAt(future).reasons).toContain('SIGNING_TIME_INVALID');
  });

  it('rejects a licence naming another issuer than its signer (ISSUER_MISMATCH)', async () => {
    const [a, b] = demo.licenses;
    const form = await signLicense(clone(b!.form.license), { department: demo.signerOf(a!.department), timestampAuthority: demo.timestampAuthority }, NOW);
    const r = verifyAt(form);
    expect(r.reasons).toContain('ISSUER_MISMATCH');
  });

  it('rejects a licence naming an area outside the region that vouches for its issuer (ISSUER_AREA_OUTSIDE_REGION), not one inside it', async () => {
    const lic = demo.licenses[0]!;
    const signWithArea = (area: string) => {
      const record = clone(lic.form.license);
      record['certificateAreaCode'] = area;
      return signLicense(record, { department: demo.signerOf(lic.department), timestampAuthority: demo.timestampAuthority }, NOW);
    };
    // Fujian (350000) vouches for the department: Guangzhou is not its to speak for; a district of Fuzhou is.
    expect(verifyAt(await signWithArea('440100')).reasons).toEqual(['ISSUER_AREA_OUTSIDE_REGION']);
    expect(verifyAt(await signWithArea('350102')).reasons).toEqual([]);
  });

  it('rejects a department or key missing from the trust data (ISSUER_UNKNOWN)', () => {
    const lic = demo.licenses[0]!;
    const noDept = trustWith((f) => {
      f.regions[0]!.departments = f.regions[0]!.departments.filter((d) => d.uscc !== lic.department.uscc);
    });
    expect(verifyAt(lic.form, NOW, noDept).reasons).toEqual(['ISSUER_UNKNOWN']);
    const noKey = trustWith((f) => {
      const d = f.regions[0]!.departments.find((x) => x.uscc === lic.department.uscc)!;
      d.keyIds = ['AAAAAAAAAAA'];
      delete d.certificates;
    });
    expect(verifyAt(lic.form, NOW, noKey).reasons).toEqual(['ISSUER_UNKNOWN']);
  });
});

describe('verifyLicense: long-term validity through region timestamps (ADR 0001)', () => {
  const afterCertExpiry = (form: FullForm) => {
    const x5c = JSON.parse(Buffer.from(form.signature.split('.')[0]!, 'base64url').toString()).x5c as string[];
    return new Date(parseCertificate(Buffer.from(x5c[0]!, 'base64')).notAfter.getTime() + 30 * DAY);
  };

  it('accepts a licence after its signer certificate expired, dating the signature by the timestamp', () => {
    const form = demo.licenses.find((l) => !l.form.license['certificateExpiringDate'])!.form;
    const at = afterCertExpiry(form);
    const r = verifyAt(form, at);
    expect(r.result).toBe('accepted');
    expect(r.warnings).toContain('CERT_EXPIRED_AFTER_SIGNING');
    expect(r.signingTime).toEqual({ value: NOW.toISOString(), source: 'timestamp' });
  });

  it('checks a present timestamp even while the signer certificate is still valid (issue 10, item 11)', () => {
    const [a, b] = demo.licenses.filter((l) => !l.form.license['certificateExpiringDate']);
    // Another licence's genuine stamp: it covers another signature.
    const form = clone(a!.form);
    form.timestamp = b!.form.timestamp!;
    const r = verifyAt(form);
    expect(r.result).toBe('rejected');
    expect(r.reasons).toEqual(['TIMESTAMP_INVALID']);
    const garbage = clone(a!.form);
    garbage.timestamp = 'not even a JWS';
    expect(verifyAt(garbage).reasons).toEqual(['TIMESTAMP_INVALID']);
    // The licence's own stamp: accepted, the chain still judged at the verification time.
    const own = verifyAt(a!.form);
    expect(own.result).toBe('accepted');
    expect(own.signingTime?.source).toBe('verification-time');
  });

  it('refuses a timestamp that belongs to another licence', () => {
    const [a, b] = demo.licenses.filter((l) => !l.form.license['certificateExpiringDate']);
    const form = clone(a!.form);
    form.timestamp = b!.form.timestamp!;
    const r = verifyAt(form, afterCertExpiry(form));
    expect(r.reasons).toEqual(expect.arrayContaining(['TIMESTAMP_INVALID', 'CERT_EXPIRED']));
  });

  it('refuses a timestamp made with a department key instead of the time-stamping authority', async () => {
    // The degree committee is certified by the root directly, like a time-stamping authority would be.
    const lic = demo.licenses.find((l) => l.department.issuerId === 'root')!;
    const forged = clone(lic.form);
    const stamp = JSON.parse(Buffer.from(lic.form.timestamp!.split('.')[1]!, 'base64url').toString());
    const signer = demo.signerOf(lic.department);
    forged.timestamp = await signCompactJws(signer, Buffer.from(JSON.stringify(stamp)), { typ: 'elicense-timestamp+jws' });
    const r = verifyAt(forged, afterCertExpiry(forged));
    expect(r.reasons).toEqual(expect.arrayContaining(['TIMESTAMP_INVALID', 'CERT_EXPIRED']));
    expect(r.checks.find((c) => c.check === 'signature')?.detail).toMatch(/not made by a time-stamping authority listed/);
    // Even if trust data listed the department certificate as a time-stamping authority,
    // the certificate lacks the time-stamping EKU.
    const misconfigured: TrustInputs = {
      ...demo.trust,
      lookupTimestampAuthority: (kid) => (kid === signer.keyId ? parseCertificate(signer.certificateChain[0]!) : undefined),
    };
    const direct = checkTimestamp(forged.timestamp, {
      signature: Buffer.from(forged.signature.split('..')[1]!, 'base64url'),
      identifier: forged.license['certificateIdentifier'],
      signerTime: NOW,
      trust: misconfigured,
      at: NOW,
      paths: new PathCache(),
    });
    expect(direct).toMatchObject({ ok: false, detail: expect.stringMatching(/EKU_NOT_ALLOWED/) });
  });

  it("refuses another region's time-stamping authority as witness when the issuer's region root is known", () => {
    const lic = demo.licenses[0]!;
    const ctx = {
      signature: Buffer.from(lic.form.signature.split('..')[1]!, 'base64url'),
      identifier: lic.form.license['certificateIdentifier'],
      signerTime: NOW,
      trust: demo.trust,
      at: NOW,
      paths: new PathCache(),
    };
    const root = demo.pki.root.certificate.der;
    expect(checkTimestamp(lic.form.timestamp!, { ...ctx, issuerRegionRoot: parseCertificate(root).fingerprint })).toMatchObject({ ok: true });
    expect(checkTimestamp(lic.form.timestamp!, { ...ctx, issuerRegionRoot: 'ab'.repeat(32) })).toMatchObject({ ok: false, detail: expect.stringMatching(/another region's time-stamping authority/) });
  });

  it('refuses a timestamp far from the signer\'s own signing time', async () => {
    const lic = demo.licenses.find((l) => !l.form.license['certificateExpiringDate'])!;
    const form = await signLicense(clone(lic.form.license), { department: demo.signerOf(lic.department) }, NOW);
    // A genuine stamp for exactly this signature, but made a day later than sigT says.
    const sig = Buffer.from(form.signature.split('..')[1]!, 'base64url');
    form.timestamp = await createTimestamp(demo.timestampAuthority, sig, String(form.license['certificateIdentifier']), new Date(NOW.getTime() + DAY));
    const r = verifyAt(form, afterCertExpiry(form));
    expect(r.checks.find((c) => c.check === 'signature')?.detail).toMatch(/five minutes/);
    expect(r.result).toBe('rejected');
  });

  it('keeps licences stamped before a department was withdrawn, and rejects it for later ones', () => {
    const lic = demo.licenses[0]!;
    const withdrawn = (since: Date) =>
      trustWith((f) => {
        const d = f.regions[0]!.departments.find((x) => x.uscc === lic.department.uscc)!;
        d.state = 'withdrawn';
        d.stateSince = since.toISOString();
      });
    expect(verifyAt(lic.form, NOW, withdrawn(new Date(NOW.getTime() + DAY))).result).toBe('accepted');
    expect(verifyAt(lic.form, NOW, withdrawn(new Date(NOW.getTime() - DAY))).reasons).toEqual(['ISSUER_WITHDRAWN']);
    const suspended = trustWith((f) => {
      const d = f.regions[0]!.departments.find((x) => x.uscc === lic.department.uscc)!;
      d.state = 'suspended';
    });
    expect(verifyAt(lic.form, NOW, suspended).reasons).toEqual(['ISSUER_SUSPENDED']);
  });

  it('rejects an unstamped licence once its signer certificate has expired', () => {
    const form = clone(demo.licenses[0]!.form);
    delete form.timestamp;
    expect(verifyAt(form, afterCertExpiry(form)).reasons).toEqual(['CERT_EXPIRED']);
  });
});

describe('issuance refuses what would not verify', () => {
  it('will not let a department issue a type it is not authorised for', async () => {
    const { issueLicense } = await import('../../src/issue/issueLicense');
    const lic = demo.licenses[0]!;
    const other = demo.pki.departments.find((d) => !d.licenseTypes.includes(lic.standard.typeCode))!;
    const draft = {
      typeCode: lic.standard.typeCode,
      certificateNumber: String(lic.form.license['certificateNumber']),
      holder: {
        name: String(lic.form.license['certificateHolderName']),
        code: String(lic.form.license['certificateHolderCode']),
        typeCode: String(lic.form.license['certificateHolderTypeCode']),
        typeName: String(lic.form.license['certificateHolderTypeName']),
      },
      effectiveDate: String(lic.form.license['certificateEffectiveDate']),
      extendInfo: clone(lic.form.license['extendInfo'] as Record<string, unknown>),
    };
    await expect(
      issueLicense(draft, {
        catalog,
        trust: demo.trust,
        department: { ...other, signer: new SoftwareSigner(other.privateKey, other.chain) },
        timestampAuthority: demo.timestampAuthority,
        serial: generateSerial((n) => new Uint8Array(n).fill(3)),
        at: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ISSUER_NOT_AUTHORIZED_FOR_TYPE' });
    expect(() => prepareLicenseRecord({ ...draft, extendInfo: {} }, { catalog, issuer: other, serial: 'X1', today: '2026-11-26' })).toThrow(
      expect.objectContaining({ code: 'SCHEMA_INVALID' }),
    );
  });
});

describe('verifyLicense: licence status from a status source', () => {
  const withStatus = (answer: import('../../src/trust/TrustInputs').StatusAnswer): TrustInputs => ({ ...demo.trust, statusOf: () => answer });
  const asOf = new Date(NOW.getTime() - 60_000);

  it.each([
    ['revoked', 'LICENSE_REVOKED'],
    ['suspended', 'LICENSE_SUSPENDED'],
  ] as const)('rejects a %s licence with %s', (status, code) => {
    const r = verifyAt(demo.licenses[0]!.form, NOW, withStatus({ kind: 'status', status, asOf, source: 'test', reason: 'court order' }));
    expect(r.reasons).toEqual([code]);
    expect(r.status).toEqual({ value: status, asOf: asOf.toISOString(), source: 'test' });
  });

  it('passes the status check for a valid licence and says how fresh the answer is', () => {
    const r = verifyAt(demo.licenses[0]!.form, NOW, withStatus({ kind: 'status', status: 'valid', asOf, source: 'node records' }));
    expect(r.result).toBe('accepted');
    expect(r.checks.find((c) => c.check === 'status')?.status).toBe('passed');
    expect(r.warnings).not.toContain('STATUS_NOT_CHECKED');
  });

  it('rejects a licence its issuer\'s status source does not know (STATUS_UNKNOWN)', () => {
    expect(verifyAt(demo.licenses[0]!.form, NOW, withStatus({ kind: 'unknown', source: 'node records' })).reasons).toEqual(['STATUS_UNKNOWN']);
  });

  it('reports status as not checked when no source covers the issuer', () => {
    const r = verifyAt(demo.licenses[0]!.form, NOW, withStatus({ kind: 'not_covered' }));
    expect(r.result).toBe('accepted');
    expect(r.checks.find((c) => c.check === 'status')?.status).toBe('not_checked');
  });

  it('passes the query fields a status source needs', () => {
    const seen: unknown[] = [];
    const form = demo.licenses[0]!.form;
    verifyAt(form, NOW, { ...demo.trust, statusOf: (q) => (seen.push(q), { kind: 'not_covered' }) });
    expect(seen).toEqual([
      {
        identifier: form.license['certificateIdentifier'],
        issuerCode: form.license['certificateIssuingAuthorityCode'],
        typeCode: form.license['certificateTypeCode'],
        statusEntry: { listId: `${String(form.license['certificateIssuingAuthorityCode'])}-1`, index: 0 },
        // The region the issuer check established, so a source keyed by (region, USCC) answers for the right one.
        issuerRegion: '350000',
      },
    ]);
  });
});
