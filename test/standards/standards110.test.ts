/**
 * Standards 1.1.0 beside 1.0.0 (docs/adr/0010): envelope dispatch by envelopeVersion, faces by entity kind,
 * several holders, the related service item, and issuance under the newest standard only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { organizationCodeCheckCharacter, usccCheckCharacter } from '../../src/codes/uscc';
import { isElicenseError } from '../../src/errors';
import { prepareCheckedRecord, type LicenseDraft } from '../../src/issue/prepareLicenseRecord';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';

const catalog = StandardsCatalog.load();
/** A valid USCC from its head (2), division (6) and the organisation code's first 8 characters. */
const makeUscc = (head: string, division: string, org8: string): string => {
  const first17 = head + division + org8 + organizationCodeCheckCharacter(org8);
  return first17 + usccCheckCharacter(first17);
};
const issuer = { name: '福州市鼓楼区市场监督管理局', uscc: '11350102EL000101X1', divisionCode: '350102' };
const business = catalog.getTypeBySlug('business-licence')!;

const company = (): LicenseDraft => ({
  typeCode: business.typeCode,
  certificateNumber: '350102000202403150017',
  holder: { name: '福州榕信软件科技有限公司', code: '91350102EL0000017D', typeCode: '001', typeName: '统一社会信用代码' },
  effectiveDate: '2024-03-15',
  relatedItem: { name: '企业设立登记', code: '11350100MB0143028R4000111010000' },
  extendInfo: {
    unifiedSocialCreditCode: '91350102EL0000017D',
    name: '福州榕信软件科技有限公司',
    entityKind: 'company',
    entityType: '有限责任公司（自然人投资或控股）',
    legalRepresentative: '张伟明',
    registeredCapital: '伍佰万元整',
    establishmentDate: '2024-03-15',
    businessTermFrom: '2024-03-15',
    domicile: '福建省福州市鼓楼区五四路158号环球广场21层2101室',
    businessScope: '一般项目：软件开发；信息系统集成服务。',
    registrationAuthority: '福州市鼓楼区市场监督管理局',
  },
});

const individualUscc = makeUscc('92', '350102', 'MA000001');
const individual = (): LicenseDraft => ({
  typeCode: business.typeCode,
  certificateNumber: '350102600123456',
  holder: { name: '鼓楼区林记小吃店', code: individualUscc, typeCode: '001', typeName: '统一社会信用代码' },
  effectiveDate: '2024-05-06',
  extendInfo: {
    unifiedSocialCreditCode: individualUscc,
    name: '鼓楼区林记小吃店',
    entityKind: 'individual',
    entityType: '个体工商户',
    operator: '林秀英',
    organisationForm: '个人经营',
    businessPlace: '福建省福州市鼓楼区南后街12号',
    registrationDate: '2024-05-06',
    businessScope: '小餐饮；食品销售（仅销售预包装食品）。',
    registrationAuthority: '福州市鼓楼区市场监督管理局',
  },
});

const prepare = (draft: LicenseDraft) => prepareCheckedRecord(draft, { catalog, issuer, serial: 'S110', today: '2024-05-06' });
const refusal = (f: () => unknown): { code: string; details: unknown } => {
  try {
    f();
  } catch (e) {
    if (isElicenseError(e)) return { code: e.code, details: e.details };
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('standards 1.1.0', () => {
  it('issues new licences under the newest standard: the business licence under the SAMR code, envelope 1.1.0', () => {
    expect(business).toMatchObject({ version: '1.1.0', typeCode: '11100000MB0143028R001', envelopeVersion: '1.1.0', replacesTypeCode: '11100000PH00000122901' });
    const { record } = prepare(company());
    expect(record).toMatchObject({ envelopeVersion: '1.1.0', standardVersion: '1.1.0', certificateTypeCode: '11100000MB0143028R001', relatedItemName: '企业设立登记' });
    expect(record.certificateIdentifier).toContain('.11100000MB0143028R001.');
    expect(catalog.validateRecord(record)).toMatchObject({ ok: true });
  });

  it('refuses a draft under a superseded standard, naming the successor', () => {
    const r = refusal(() => prepare({ ...company(), typeCode: '11100000PH00000122901' }));
    expect(r).toMatchObject({ code: 'STANDARD_SUPERSEDED', details: { successor: { typeCode: '11100000MB0143028R001', version: '1.1.0' } } });
    expect(catalog.successorOf('11100000PH00000122901')?.typeCode).toBe('11100000MB0143028R001');
    expect(catalog.successorOf('11100000MB0143028R001')).toBeUndefined();
    expect(catalog.typeCodesOf('business-licence')).toEqual(['11100000PH00000122901', '11100000MB0143028R001']);
  });

  it('keeps reading 1.0.0 records: the golden business licence validates under envelope 1.0.0', () => {
    const golden = JSON.parse(readFileSync(join(__dirname, '..', 'golden', 'licences', 'business-licence.elic.json'), 'utf8')) as { license: Record<string, unknown> };
    expect(golden.license['envelopeVersion']).toBeUndefined();
    expect(catalog.validateRecord(golden.license)).toMatchObject({ ok: true, standard: { version: '1.0.0', typeCode: '11100000PH00000122901' } });
  });

  it('dispatches by envelopeVersion: unknown, missing or mismatched envelopes are refused', () => {
    const { record } = prepare(company());
    const unknown = { ...record, envelopeVersion: '9.9.9' };
    expect(catalog.validateRecord(unknown)).toMatchObject({ ok: false, code: 'ENVELOPE_SCHEMA_INVALID', errors: [{ path: '/envelopeVersion' }] });
    // Without envelopeVersion the record is read as 1.0.0, where relatedItemName does not exist.
    const { envelopeVersion: _, ...asOld } = record;
    expect(catalog.validateRecord(asOld)).toMatchObject({ ok: false, code: 'ENVELOPE_SCHEMA_INVALID' });
    const { relatedItemName: _n, relatedItemCode: _c, ...plainOld } = asOld;
    // A 1.1.0 type inside a 1.0.0 envelope is a different document.
    expect(catalog.validateRecord(plainOld)).toMatchObject({ ok: false, code: 'ENVELOPE_SCHEMA_INVALID', errors: [{ path: '/envelopeVersion' }] });
    expect(catalog.validateRecord({ ...record, envelopeVersion: 110 })).toMatchObject({ ok: false, code: 'ENVELOPE_SCHEMA_INVALID' });
  });

  it('issues the business licence of an individual business (个体工商户): 经营者, 组成形式, 经营场所, no 法定代表人', () => {
    const { record } = prepare(individual());
    expect(record.extendInfo).toMatchObject({ operator: '林秀英', organisationForm: '个人经营' });
  });

  it.each([
    ['a company without its legal representative', company, (f: Record<string, unknown>) => delete f['legalRepresentative']],
    ['an individual business with a legal representative', individual, (f: Record<string, unknown>) => (f['legalRepresentative'] = '林秀英')],
    ['an individual business without its operator', individual, (f: Record<string, unknown>) => delete f['operator']],
    ['a branch without its person in charge', company, (f: Record<string, unknown>) => {
      f['entityKind'] = 'branch';
      delete f['legalRepresentative'];
      delete f['domicile'];
      delete f['registeredCapital'];
      f['businessPremises'] = '福州市鼓楼区';
    }],
    ['an unknown kind of entity', company, (f: Record<string, unknown>) => (f['entityKind'] = 'cooperative')],
    ['an organisation form outside the list', individual, (f: Record<string, unknown>) => (f['organisationForm'] = '合伙经营')],
  ])('refuses %s (TYPE_SCHEMA_INVALID)', (_name, make, change) => {
    const draft = make();
    change(draft.extendInfo);
    expect(refusal(() => prepare(draft))).toMatchObject({ code: 'SCHEMA_INVALID', details: { reason: 'TYPE_SCHEMA_INVALID' } });
  });

  it('refuses a second holder on a type that names one (HOLDERS_TOO_MANY), with the path in the draft', () => {
    const draft = { ...company(), otherHolders: [{ name: '福州另一公司', code: makeUscc('91', '350102', 'MA000002'), typeCode: '001', typeName: '统一社会信用代码' }] };
    const r = refusal(() => prepare(draft));
    expect(r).toMatchObject({ code: 'CODE_INVALID', details: { errors: [{ path: '/certificateOtherHolders', code: 'HOLDERS_TOO_MANY' }] } });
  });

  it('refuses a related service item with a malformed code or an empty name', () => {
    expect(refusal(() => prepare({ ...company(), relatedItem: { name: '企业设立登记', code: 'abc def' } }))).toMatchObject({ code: 'SCHEMA_INVALID' });
    expect(refusal(() => prepare({ ...company(), relatedItem: { name: '' } }))).toMatchObject({ code: 'SCHEMA_INVALID' });
  });

  it('refuses photos on a type without photo fields (PHOTO_INVALID)', () => {
    const r = refusal(() => prepare({ ...company(), photos: { portrait: { mediaType: 'image/png', data: 'iVBORw0KGgo=' } } }));
    expect(r).toMatchObject({ code: 'PHOTO_INVALID', details: { errors: [{ path: '/photos/portrait', code: 'PHOTO_FIELD_UNKNOWN' }] } });
  });
});
