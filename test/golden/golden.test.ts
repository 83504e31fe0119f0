/**
 * Golden vectors: licences signed when each format version was published (the 1.0.0 set here, later sets in
 * folders named by their envelope version), with their expected results. They are re-verified on every run so that what was signed
 * once verifies forever (regenerate only on a deliberate format change:
 * scripts/gen-golden.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { loadLocalTrustFile } from '../../src/trust/local/loadLocalTrustFile';
import { createVerifierCaches, verifyLicense } from '../../src/verify/verifyLicense';

interface GoldenSet {
  name: string;
  dir: string;
  expected: Record<string, { at: string; result: 'accepted' | 'rejected'; reason?: string }>;
  trust: ReturnType<typeof loadLocalTrustFile>;
}

/** The 1.0.0 set (signed under the 1.0.0 standards, never regenerated) and one folder per later envelope. */
function goldenSets(): GoldenSet[] {
  const read = (name: string, dir: string): GoldenSet => ({
    name,
    dir,
    expected: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as GoldenSet['expected'],
    trust: loadLocalTrustFile(readFileSync(join(dir, 'trust.json')), `golden trust file ${name}`),
  });
  const later = readdirSync(__dirname).filter((d) => /^\d+\.\d+\.\d+$/.test(d)).sort();
  return [read('1.0.0', __dirname), ...later.map((v) => read(v, join(__dirname, v)))];
}

const catalog = StandardsCatalog.load();
const caches = createVerifierCaches();
const sets = goldenSets();
const cases = sets.flatMap((set) => Object.entries(set.expected).map(([file, want]) => ({ set, file, want, name: `${set.name}/${file}` })));

describe('golden vectors', () => {
  it('cover every version of every licence type: each published type standard has a signed licence', () => {
    const covered = new Set<string>();
    for (const { set, file } of cases) {
      if (!file.startsWith('licences/')) continue;
      const form = JSON.parse(readFileSync(join(set.dir, file), 'utf8')) as { license: { certificateTypeCode: string; standardVersion: string } };
      covered.add(`${form.license.certificateTypeCode}@${form.license.standardVersion}`);
    }
    expect([...covered].sort()).toEqual(catalog.listTypes().map((t) => `${t.typeCode}@${t.version}`).sort());
    expect(sets.map((s) => s.name)).toEqual(['1.0.0', '1.1.0']);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s verifies as recorded', (_name, { set, file, want }) => {
    const r = verifyLicense(readFileSync(join(set.dir, file)), { trust: set.trust, catalog, at: new Date(want.at), caches });
    expect(r.result).toBe(want.result);
    if (want.reason) expect(r.reasons).toContain(want.reason);
    else expect(r.reasons).toEqual([]);
  });

  it.each(cases.filter((c) => c.file.startsWith('licences/')).map((c) => [c.name, c] as const))(
    '%s still verifies ten years later through its region timestamp',
    (_name, { set, file, want }) => {
      const at = new Date(new Date(want.at).getTime() + 10 * 365 * 86_400_000);
      const r = verifyLicense(readFileSync(join(set.dir, file)), { trust: set.trust, catalog, at, caches });
      const lic = r.license as { certificateExpiringDate?: string };
      if (lic.certificateExpiringDate && lic.certificateExpiringDate < at.toISOString().slice(0, 10)) {
        expect(r.reasons).toEqual(['LICENSE_EXPIRED']);
      } else {
        expect(r.result).toBe('accepted');
      }
      expect(r.warnings).toContain('CERT_EXPIRED_AFTER_SIGNING');
      expect(r.signingTime?.source).toBe('timestamp');
    },
  );
});
