import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { fixtureRecord, fixtureSlugs } from './fixtureRecord';

const catalog = StandardsCatalog.load();
const clone = <T>(v: T): T => structuredClone(v);

describe('every fixture validates against its type standard', () => {
  it('has a fixture for every type', () => {
    expect(fixtureSlugs()).toEqual([...new Set(catalog.listTypes().filter((t) => t.version === '1.0.0').map((t) => t.slug))].sort());
  });

  it.each(fixtureSlugs())('%s', (slug) => {
    const r = catalog.validateRecord(fixtureRecord(catalog, slug));
    expect(r).toMatchObject({ ok: true, warnings: [] });
    expect(r.ok && r.standard.slug).toBe(slug);
  });
});

describe('validateRecord failures', () => {
  const base = fixtureRecord(catalog, 'business-licence');
  const expectFailure = (record: unknown, code: string, path?: string) => {
    const r = catalog.validateRecord(record);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(code);
    if (path !== undefined) expect(r.errors.map((e) => e.path)).toContain(path);
  };

  it('rejects non-objects', () => {
    for (const v of [null, 42, 'x', [], undefined]) expectFailure(v, 'ENVELOPE_SCHEMA_INVALID');
  });

  it('rejects an unknown envelope field', () => {
    const r = catalog.validateRecord({ ...base, certificateColour: 'red' });
    expect(r).toMatchObject({ ok: false, code: 'ENVELOPE_SCHEMA_INVALID' });
    expect(!r.ok && r.errors[0]!.message).toMatch(/certificateColour/);
  });

  it('rejects a missing required field', () => {
    const { certificateHolderCode: _drop, ...rest } = base;
    expectFailure(rest, 'ENVELOPE_SCHEMA_INVALID');
  });

  it('rejects a wrong type', () => {
    expectFailure({ ...base, certificateNumber: 12345 }, 'ENVELOPE_SCHEMA_INVALID', '/certificateNumber');
    expectFailure({ ...base, extendInfo: [] }, 'ENVELOPE_SCHEMA_INVALID', '/extendInfo');
    expectFailure({ ...base, statusEntry: { listId: 'sl-1', index: -1 } }, 'ENVELOPE_SCHEMA_INVALID', '/statusEntry/index');
    expectFailure({ ...base, statusEntry: { listId: 'sl-1', index: 1.5 } }, 'ENVELOPE_SCHEMA_INVALID', '/statusEntry/index');
  });

  it('accepts a status entry', () => {
    expect(catalog.validateRecord({ ...base, statusEntry: { listId: 'fj-350102/2024', index: 7 } }).ok).toBe(true);
  });

  it('rejects too long strings', () => {
    expectFailure({ ...base, certificateHolderName: '名'.repeat(101) }, 'ENVELOPE_SCHEMA_INVALID', '/certificateHolderName');
    const face = clone(base.extendInfo) as Record<string, unknown>;
    face.businessScope = '经'.repeat(2001);
    expectFailure({ ...base, extendInfo: face }, 'TYPE_SCHEMA_INVALID', '/extendInfo/businessScope');
  });

  it.each(['2024-02-30', '2023-02-29', '20240315', '2024-3-15', '2024-03-15T00:00:00Z'])('rejects the bad date %s', (d) => {
    expectFailure({ ...base, certificateIssuedDate: d }, 'ENVELOPE_SCHEMA_INVALID', '/certificateIssuedDate');
  });

  it('rejects an unknown type code or version', () => {
    expectFailure({ ...base, certificateTypeCode: '11100000MB03271699555' }, 'TYPE_UNKNOWN', '/certificateTypeCode');
    expectFailure({ ...base, standardVersion: '9.0.0' }, 'TYPE_UNKNOWN');
  });

  it('rejects face data outside the type schema', () => {
    expectFailure({ ...base, extendInfo: { ...(base.extendInfo as object), colour: 'red' } }, 'TYPE_SCHEMA_INVALID');
    const { name: _n, ...missing } = base.extendInfo as Record<string, unknown>;
    expectFailure({ ...base, extendInfo: missing }, 'TYPE_SCHEMA_INVALID');
    const driving = fixtureRecord(catalog, 'driving-licence');
    expectFailure({ ...driving, extendInfo: { ...(driving.extendInfo as object), vehicleClasses: ['C9'] } }, 'TYPE_SCHEMA_INVALID', '/extendInfo/vehicleClasses/0');
    expectFailure({ ...driving, extendInfo: { ...(driving.extendInfo as object), vehicleClasses: ['C1', 'C1'] } }, 'TYPE_SCHEMA_INVALID');
  });

  it('rejects bad codes with CODE_INVALID and the failing check', () => {
    const codes = (record: unknown) => {
      const r = catalog.validateRecord(record);
      return r.ok ? [] : r.errors.map((e) => e.code);
    };
    expect(codes({ ...base, certificateAreaCode: '359999' })).toEqual(['DIVISION_CODE_UNKNOWN']);
    expect(codes({ ...base, certificateHolderTypeCode: '111', certificateHolderCode: '11010519491231002X' })).toEqual(['HOLDER_TYPE_NOT_ALLOWED']);
    expect(codes({ ...base, certificateIdentifier: (base.certificateIdentifier as string).replace(/.$/, (c) => (c === '0' ? '1' : '0')) })).toEqual([
      'IDENTIFIER_CHECK_INVALID',
    ]);
    expect(codes({ ...base, certificateExpiringDate: '2024-03-14' })).toEqual(['VALIDITY_PERIOD_INVALID']);
    expect(codes({ ...base, definingAuthorityCode: '11100000000013338W' })).toEqual(['DEFINING_AUTHORITY_MISMATCH']);
    expect(codes({ ...base, certificateIssuingAuthorityCode: '11100000000013338W' })).toEqual(['IDENTIFIER_ISSUER_MISMATCH']);
    expect(codes({ ...base, extendInfo: { ...(base.extendInfo as object), unifiedSocialCreditCode: '91350100M000100YZ3' } })).toEqual([]);
    const marriage = fixtureRecord(catalog, 'marriage-certificate');
    expect(codes({ ...marriage, certificateHolderCode: '350102198803151239' })).toEqual(['CITIZEN_ID_CHECK_INVALID']);
    const ssc = fixtureRecord(catalog, 'social-security-card');
    expect(codes({ ...ssc, extendInfo: { ...(ssc.extendInfo as object), socialSecurityNumber: '350121199501300886' } })).toEqual(['CITIZEN_ID_CHECK_INVALID']);
  });

  it('rejects a holder born after the licence was issued', () => {
    const marriage = fixtureRecord(catalog, 'marriage-certificate');
    const r = catalog.validateRecord({ ...marriage, certificateIssuedDate: '1988-03-14' });
    expect(!r.ok && r.errors.map((e) => e.code)).toContain('CITIZEN_ID_BIRTH_DATE_FUTURE');
  });

  it('returns warnings for a USCC that fails only its check character', () => {
    const record = { ...base, certificateHolderCode: '11100000000013338X' }; // valid code ends in W
    const r = catalog.validateRecord(record);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([{ path: '/certificateHolderCode', code: 'USCC_CHECK_CHARACTER_MISMATCH', message: expect.any(String) }]);
  });

  it("warns when a spouse's birth date contradicts the spouse's citizen ID number", () => {
    const marriage = fixtureRecord(catalog, 'marriage-certificate');
    const face = marriage['extendInfo'] as Record<string, unknown>;
    const r = catalog.validateRecord({ ...marriage, extendInfo: { ...face, spouse1BirthDate: '1988-03-16' } });
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([{ path: '/extendInfo/spouse1BirthDate', code: 'CITIZEN_ID_BIRTH_DATE_MISMATCH', message: expect.stringContaining('spouse1IdNumber') }]);
    // A passport number (no citizen ID layout) has no birth date to compare.
    expect(catalog.validateRecord({ ...marriage, extendInfo: { ...face, spouse2IdNumber: 'E12345678', spouse2BirthDate: '1991-01-01' } }).warnings).toEqual([]);
  });

  it("warns when the face birth date contradicts the holder's citizen ID number", () => {
    const degree = fixtureRecord(catalog, 'degree-certificate');
    const r = catalog.validateRecord({ ...degree, extendInfo: { ...(degree['extendInfo'] as object), birthDate: '2001-09-10' } });
    expect(r.warnings).toEqual([{ path: '/extendInfo/birthDate', code: 'CITIZEN_ID_BIRTH_DATE_MISMATCH', message: expect.stringContaining('holder') }]);
  });

  it('does not modify the record', () => {
    const record = fixtureRecord(catalog, 'real-estate-title');
    const copy = clone(record);
    catalog.validateRecord(record);
    expect(record).toEqual(copy);
  });
});
