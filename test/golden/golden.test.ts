/**
 * Golden vectors: licences signed when this format was published, with their
 * expected results. They are re-verified on every run so that what was signed
 * once verifies forever (regenerate only on a deliberate format change:
 * scripts/gen-golden.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { loadLocalTrustFile } from '../../src/trust/local/loadLocalTrustFile';
import { createVerifierCaches, verifyLicense } from '../../src/verify/verifyLicense';

const dir = __dirname;
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<
  string,
  { at: string; result: 'accepted' | 'rejected'; reason?: string }
>;
const catalog = StandardsCatalog.load();
const trust = loadLocalTrustFile(readFileSync(join(dir, 'trust.json')), 'golden trust file');
const caches = createVerifierCaches();

describe('golden vectors', () => {
  it('cover every licence type', () => {
    const types = Object.keys(expected).filter((f) => f.startsWith('licences/'));
    expect(types).toHaveLength(catalog.listTypes().length);
  });

  it.each(Object.entries(expected))('%s verifies as recorded', (file, want) => {
    const r = verifyLicense(readFileSync(join(dir, file)), { trust, catalog, at: new Date(want.at), caches });
    expect(r.result).toBe(want.result);
    if (want.reason) expect(r.reasons).toContain(want.reason);
    else expect(r.reasons).toEqual([]);
  });

  it.each(Object.keys(expected).filter((f) => f.startsWith('licences/')))(
    '%s still verifies ten years later through its region timestamp',
    (file) => {
      const at = new Date(new Date(expected[file]!.at).getTime() + 10 * 365 * 86_400_000);
      const r = verifyLicense(readFileSync(join(dir, file)), { trust, catalog, at, caches });
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
