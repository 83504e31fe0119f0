import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LicenseDraft } from '../issue/prepareLicenseRecord';
import { repoPath } from '../repoPath';

/** A sample licence from fixtures/data: fictional people and firms, valid codes. */
export interface SampleLicense {
  slug: string;
  draft: Omit<LicenseDraft, 'typeCode'>;
}

interface SampleFile {
  slug: string;
  holder: LicenseDraft['holder'];
  certificateNumber: string;
  issuedDate?: string;
  effectiveDate: string;
  expiringDate?: string;
  extendInfo: Record<string, unknown>;
}

/** Every sample in fixtures/data, ordered by slug. The issuer is whoever signs in the demo region. */
export function loadSampleLicenses(dir = repoPath('fixtures', 'data')): SampleLicense[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const s = JSON.parse(readFileSync(join(dir, f), 'utf8')) as SampleFile;
      return {
        slug: s.slug,
        draft: {
          holder: s.holder,
          certificateNumber: s.certificateNumber,
          effectiveDate: s.effectiveDate,
          ...(s.expiringDate !== undefined ? { expiringDate: s.expiringDate } : {}),
          extendInfo: s.extendInfo,
        },
      };
    });
}
