import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LicenseDraft } from '../issue/prepareLicenseRecord';
import { repoPath } from '../repoPath';

/** A sample licence from fixtures/data: fictional people and firms, valid codes. */
export interface SampleLicense {
  slug: string;
  /** The sample's file name without .json: the slug, or the slug and a face variant (business-licence-individual). */
  name: string;
  draft: Omit<LicenseDraft, 'typeCode'>;
}

interface SampleFile {
  slug: string;
  holder: LicenseDraft['holder'];
  otherHolders?: LicenseDraft['otherHolders'];
  relatedItem?: LicenseDraft['relatedItem'];
  /** Photo field → image file (relative to the sample file, as the CLI reads a data file) and its media type. */
  photos?: Record<string, { mediaType: string; file: string }>;
  certificateNumber: string;
  issuedDate?: string;
  effectiveDate: string;
  expiringDate?: string;
  extendInfo: Record<string, unknown>;
}

/**
 * Every sample in fixtures/data (one file per type and face variant, e.g. business-licence-individual.json),
 * ordered by slug, each type's main sample (the file named by its slug) before its variants, so that the
 * first sample of a slug is always its main one. The issuer is whoever signs in the demo region.
 */
export function loadSampleLicenses(dir = repoPath('fixtures', 'data')): SampleLicense[] {
  const samples = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const s = JSON.parse(readFileSync(join(dir, f), 'utf8')) as SampleFile;
      return {
        slug: s.slug,
        name: f.slice(0, -'.json'.length),
        draft: {
          holder: s.holder,
          ...(s.otherHolders !== undefined ? { otherHolders: s.otherHolders } : {}),
          ...(s.relatedItem !== undefined ? { relatedItem: s.relatedItem } : {}),
          ...(s.photos !== undefined
            ? { photos: Object.fromEntries(Object.entries(s.photos).map(([field, p]) => [field, { mediaType: p.mediaType, data: readFileSync(resolve(dir, p.file)).toString('base64') }])) }
            : {}),
          certificateNumber: s.certificateNumber,
          effectiveDate: s.effectiveDate,
          ...(s.expiringDate !== undefined ? { expiringDate: s.expiringDate } : {}),
          extendInfo: s.extendInfo,
        },
      };
    });
  const rank = (x: SampleLicense) => `${x.slug}\u0000${x.name === x.slug ? '' : x.name}`;
  return samples.sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
}
