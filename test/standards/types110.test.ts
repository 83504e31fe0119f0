import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { prepareCheckedRecord } from '../../src/issue/prepareLicenseRecord';
import { repoPath } from '../../src/repoPath';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import type { TypeStandard } from '../../src/standards/generated/TypeStandard';

/**
 * Standards 1.1.0 (issue 13): every type has a 1.1.0 on envelope 1.1.0, replaced placeholder codes have
 * their successors, the ninth type is the registration certificate under 022, and every sample of
 * fixtures/data issues under the newest standard of its type (the 1.0.0 samples under 1.0.0).
 */
const catalog = StandardsCatalog.load();
const SLUGS = [
  'birth-medical-certificate',
  'business-licence',
  'degree-certificate',
  'driving-licence',
  'food-business-permit',
  'marriage-certificate',
  'real-estate-registration-certificate',
  'real-estate-title',
  'social-security-card',
];
const PERSONAL = new Set(['birth-medical-certificate', 'degree-certificate', 'driving-licence', 'marriage-certificate', 'social-security-card']);
const newest = (slug: string): TypeStandard => catalog.getTypeBySlug(slug)!;
const faceProps = (t: TypeStandard) => t.faceSchema.properties as Record<string, Record<string, unknown>>;

describe('every 1.1.0 type standard', () => {
  it.each(SLUGS)('%s: newest is 1.1.0 on meta-schema and envelope 1.1.0', (slug) => {
    const t = newest(slug);
    expect({ version: t.version, $schema: t.$schema, envelopeVersion: t.envelopeVersion }).toEqual({
      version: '1.1.0',
      $schema: 'urn:elicense:standards:type-standard:1.1.0',
      envelopeVersion: '1.1.0',
    });
    expect(t.faceSchema.$id).toBe(`urn:elicense:standards:types:${slug}:1.1.0:face`);
    const first = catalog.getTypeBySlug(slug, '1.0.0');
    if (first) expect(t.faceSchema.title).toBe(first.faceSchema.title);
    for (const f of ['envelopeVersion', 'certificateOtherHolders', 'relatedItemName', 'relatedItemCode']) expect(t.labels.envelope[f]).toBeDefined();
    expect(t.use).toEqual({ holderConsentRequired: PERSONAL.has(slug), annotatedCopyMaxDays: 90, annotatedCopyMaxActive: 10 });
  });

  it.each(SLUGS)('%s: lays the page out as the paper does (QR place, seal over a printed field) with no heading repeating its only field', (slug) => {
    const layout = newest(slug).pdfLayout;
    expect(layout.arrangement?.qr).toBeDefined();
    expect(layout.arrangement?.sealOver).toBeDefined();
    expect(layout.sections.flatMap((s) => s.fields)).toContain(layout.arrangement!.sealOver);
    const label = (ref: string) => (ref.startsWith('extendInfo.') ? newest(slug).labels.face[ref.slice(11)] : newest(slug).labels.envelope[ref])?.zh;
    for (const s of layout.sections) if (s.heading && s.fields.length === 1) expect([s.id, s.heading.zh]).not.toEqual([s.id, label(s.fields[0]!)]);
  });
});

describe('type codes of 1.1.0', () => {
  it('the national codes succeed the placeholders of the business licence, food permit and marriage certificate', () => {
    const successions = {
      '11100000PH00000122901': ['business-licence', '11100000MB0143028R001'],
      '11100000PH00000122902': ['food-business-permit', '11100000MB0143028R901'],
      '11100000PH0000020W901': ['marriage-certificate', '111000000000131433001'],
    };
    for (const [placeholder, [slug, code]] of Object.entries(successions)) {
      expect(catalog.successorOf(placeholder)).toMatchObject({ slug, typeCode: code, version: '1.1.0', replacesTypeCode: placeholder });
      expect(catalog.typeCodesOf(slug!)).toEqual([placeholder, code]);
      expect(catalog.getType(placeholder)?.version).toBe('1.0.0');
      expect(catalog.successorOf(code!)).toBeUndefined();
    }
    for (const slug of ['birth-medical-certificate', 'degree-certificate', 'driving-licence', 'real-estate-title', 'social-security-card']) {
      expect([slug, catalog.typeCodesOf(slug).length, newest(slug).replacesTypeCode]).toEqual([slug, 1, undefined]);
    }
  });

  it('the food permit and the business licence share the SAMR USCC; the marriage code is 民政部 and rests on one source', () => {
    for (const slug of ['business-licence', 'food-business-permit']) {
      expect(newest(slug).definingAuthority).toMatchObject({ name: '国家市场监督管理总局', uscc: '11100000MB0143028R', usccIsPlaceholder: false });
    }
    expect(newest('food-business-permit').typeCodeIsPlaceholder).toBe(true);
    const marriage = newest('marriage-certificate');
    expect(marriage.definingAuthority).toMatchObject({ uscc: '111000000000131433', usccIsPlaceholder: false });
    expect(marriage.typeCodeNote).toMatch(/rests on that one source/);
    expect(marriage.typeCodeSources!.filter((s) => s.what.includes('111000000000131433001'))).toHaveLength(1);
  });

  it('the ninth type is the real-estate registration certificate under 11100000MB03271699022, beside the title', () => {
    const cert = catalog.getType('11100000MB03271699022')!;
    const title = newest('real-estate-title');
    expect(cert).toMatchObject({ slug: 'real-estate-registration-certificate', nameZh: '不动产登记证明', typeCodeIsPlaceholder: false, maxHolders: 20 });
    expect(cert.definingAuthority).toEqual(title.definingAuthority);
    expect(cert.holderTypeCodes).toEqual(title.holderTypeCodes);
    expect(catalog.getType('11100000MB03271699002')).toBeUndefined();
    expect(cert.typeCodeNote).toMatch(/11100000MB03271699002/);
    expect(cert.typeCodeSources!.length).toBeGreaterThanOrEqual(5);
    expect(cert.pdfLayout.holdersLabel?.zh).toBe('权利人（申请人）');
    expect(Object.keys(faceProps(cert))).toEqual(['certifiedRight', 'obligor', 'location', 'realEstateUnitNumber', 'other', 'notes']);
    expect(faceProps(cert)['realEstateUnitNumber']).toEqual(faceProps(title)['realEstateUnitNumber']);
  });
});

describe('faces of 1.1.0', () => {
  it('real-estate title: the holders are the 权利人; printed area and term text beside the structured values', () => {
    const t = newest('real-estate-title');
    expect(faceProps(t)['rightHolder']).toBeUndefined();
    expect(t.maxHolders).toBe(20);
    expect(t.pdfLayout.sections.flatMap((s) => s.fields)).toContain('holders');
    expect(t.pdfLayout.holdersLabel?.zh).toBe('权利人');
    expect(t.pdfLayout.sections.some((s) => s.style === 'table')).toBe(true);
    for (const f of ['landArea', 'buildingArea', 'landUseTermFrom', 'landUseTermTo', 'areaText', 'termText', 'shares']) expect(faceProps(t)[f]).toBeDefined();
    expect(t.qrFields).not.toContain('rightHolder');
  });

  it('driving licence: a required photo (never in the QR), points, state codes, a start date per class', () => {
    const t = newest('driving-licence');
    expect(t.faceSchema.required).toEqual(expect.arrayContaining(['photo', 'accumulatedPoints', 'licenceState', 'vehicleClasses']));
    expect(t.photos?.['photo']).toEqual({ mediaTypes: ['image/jpeg', 'image/png'], maxBytes: 65536, widthPx: [240, 720], heightPx: [320, 960] });
    expect(t.qrFields).not.toContain('photo');
    expect(t.pdfLayout.arrangement?.photo).toBeDefined();
    const states = (faceProps(t)['licenceState'] as { items: { oneOf: { const: string; description: string }[] } }).items.oneOf;
    expect(states.slice(0, 7).map((s) => `${s.const} ${s.description}`)).toEqual(['A 正常', 'B 超分', 'C 转出', 'D 暂扣', 'E 撤销', 'F 吊销', 'G 注销']);
    expect(t.typeCode).not.toBe('11100000000013127D001');
  });

  it('food permit (2023 rules): no routine supervisory authority or supervisors', () => {
    const t = newest('food-business-permit');
    expect(faceProps(t)['supervisoryAuthority']).toBeUndefined();
    expect(faceProps(t)['supervisors']).toBeUndefined();
  });

  it('birth certificate: gestation in weeks and days, 助产机构, 出生证编号', () => {
    const t = newest('birth-medical-certificate');
    expect(faceProps(t)['gestationalWeeks']).toBeUndefined();
    expect(faceProps(t)['gestationWeeks']).toMatchObject({ minimum: 20, maximum: 45 });
    expect(faceProps(t)['gestationDays']).toMatchObject({ minimum: 0, maximum: 6 });
    expect(faceProps(t)['midwiferyInstitution']).toBeDefined();
    expect(new RegExp(String(faceProps(t)['birthCertificateNumber']!['pattern'])).test('L350247695')).toBe(true);
  });

  it('social security card: a required photo', () => {
    const t = newest('social-security-card');
    expect(t.faceSchema.required).toContain('photo');
    expect(t.photos?.['photo']?.widthPx[0]).toBeLessThanOrEqual(358);
  });
});

describe('the samples of fixtures/data', () => {
  const ceremony = JSON.parse(readFileSync(repoPath('fixtures', 'ceremony', 'demo-region.json'), 'utf8')) as {
    region: { code: string };
    departments: { name: string; uscc: string; divisionCode: string; licenseTypes: string[] }[];
  };
  const issuerOf = (typeCode: string) => {
    const d = ceremony.departments.find((x) => x.licenseTypes.includes(typeCode));
    if (!d) throw new Error(`no demo department grants ${typeCode}`);
    return { name: d.name, uscc: d.uscc, divisionCode: d.divisionCode };
  };
  const prepare = (draft: ReturnType<typeof loadSampleLicenses>[number]['draft'], t: TypeStandard, allowSuperseded = false) =>
    prepareCheckedRecord(
      { typeCode: t.typeCode, standardVersion: t.version, ...draft },
      { catalog, issuer: issuerOf(t.typeCode), serial: 'SAMPLE0001', today: '2025-06-01', regionCode: ceremony.region.code, allowSuperseded },
    );
  const samples = loadSampleLicenses();

  it('has a 1.1.0 sample of every type and the face variants the issue asks for', () => {
    expect([...new Set(samples.map((s) => s.slug))].sort()).toEqual(SLUGS);
    expect(readdirSync(repoPath('fixtures', 'data')).filter((f) => f.endsWith('.json')).sort()).toEqual(
      [...SLUGS.map((s) => `${s}.json`), 'business-licence-individual.json'].sort(),
    );
  });

  it.each(samples.map((s, i) => [`${s.slug} #${i}`, s] as const))('%s issues under the newest standard, without warnings', (_name, sample) => {
    const prepared = prepareCheckedRecord(
      { typeCode: newest(sample.slug).typeCode, ...sample.draft },
      { catalog, issuer: issuerOf(newest(sample.slug).typeCode), serial: 'SAMPLE0001', today: '2025-06-01', regionCode: ceremony.region.code },
    );
    expect(prepared.record).toMatchObject({ envelopeVersion: '1.1.0', standardVersion: '1.1.0' });
    expect(prepared.warnings).toEqual([]);
  });

  it('the variants: an 个体工商户, a title of two co-owners with 共同共有, a driving licence with its photo bound by digest', () => {
    const individual = samples.find((s) => s.draft.extendInfo['entityKind'] === 'individual')!;
    const r1 = prepare(individual.draft, newest('business-licence')).record;
    expect(r1).toMatchObject({ certificateHolderTypeCode: '001', extendInfo: { organisationForm: '个人经营' } });
    expect(r1.certificateHolderCode).toMatch(/^92/);
    const title = samples.find((s) => s.slug === 'real-estate-title')!;
    const r2 = prepare(title.draft, newest('real-estate-title')).record;
    expect(r2.certificateOtherHolders).toHaveLength(1);
    expect(r2.extendInfo).toMatchObject({ coOwnership: '共同共有' });
    const driving = samples.find((s) => s.slug === 'driving-licence')!;
    const r3 = prepare(driving.draft, newest('driving-licence'));
    const jpeg = readFileSync(repoPath('fixtures', 'photos', 'driver.jpg'));
    expect(r3.record.extendInfo['photo']).toEqual({ mediaType: 'image/jpeg', sha256: createHash('sha256').update(jpeg).digest('hex') });
    expect(Object.keys(r3.attachments)).toEqual(['photo']);
    expect(samples.filter((s) => s.draft.relatedItem !== undefined).length).toBeGreaterThanOrEqual(3);
  });

  it('the 1.0.0 samples (fixtures/data/1.0.0) still issue under 1.0.0, only when superseded standards are allowed', () => {
    const old = loadSampleLicenses(repoPath('fixtures', 'data', '1.0.0'));
    expect(old).toHaveLength(8);
    const grants = new Set(ceremony.departments.flatMap((d) => d.licenseTypes));
    for (const sample of old) {
      const t = catalog.getTypeBySlug(sample.slug, '1.0.0')!;
      const issuer = ceremony.departments.find((d) => d.licenseTypes.some((c) => catalog.typeCodesOf(sample.slug).includes(c)))!;
      const record = prepareCheckedRecord(
        { typeCode: t.typeCode, standardVersion: '1.0.0', ...sample.draft },
        { catalog, issuer: { name: issuer.name, uscc: issuer.uscc, divisionCode: issuer.divisionCode }, serial: 'SAMPLE0001', today: '2025-06-01', allowSuperseded: true },
      ).record;
      expect([sample.slug, record.envelopeVersion, record.standardVersion]).toEqual([sample.slug, undefined, '1.0.0']);
      if (catalog.successorOf(t.typeCode)) expect([sample.slug, grants.has(t.typeCode)]).toEqual([sample.slug, false]);
    }
  });

  it('every demo ceremony grants current type codes only, and the demo region grants every type', () => {
    const current = new Set(SLUGS.map((s) => newest(s).typeCode));
    for (const f of readdirSync(repoPath('fixtures', 'ceremony')).filter((x) => x.endsWith('.json'))) {
      const c = JSON.parse(readFileSync(join(repoPath('fixtures', 'ceremony'), f), 'utf8')) as typeof ceremony;
      for (const code of c.departments.flatMap((d) => d.licenseTypes)) expect([f, code, current.has(code)]).toEqual([f, code, true]);
    }
    const granted = new Set(ceremony.departments.flatMap((d) => d.licenseTypes));
    for (const code of current) expect([code, granted.has(code)]).toEqual([code, true]);
  });
});
