import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLicenseIdentifier } from '../../src/codes/licenseIdentifier';
import type { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { standardsDir } from '../../src/standards/standardsDir';

export interface Fixture {
  slug: string;
  issuer: { name: string; code: string; areaCode: string };
  holder: { name: string; code: string; typeCode: string; typeName: string };
  certificateNumber: string;
  issuedDate: string;
  effectiveDate: string;
  expiringDate?: string;
  extendInfo: Record<string, unknown>;
}

/** The 1.0.0 samples: records built here follow envelope 1.0.0 and the types' 1.0.0 standards (the 1.1.0 ones issue through prepareLicenseRecord). */
export const FIXTURES_DIR = join(standardsDir(), '..', 'fixtures', 'data', '1.0.0');

export function fixtureSlugs(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function readFixture(slug: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, `${slug}.json`), 'utf8')) as Fixture;
}

/** A complete 1.0.0 licence record for a fixture, as an issuer would have built it. */
export function fixtureRecord(catalog: StandardsCatalog, slug: string, serial = 'TEST0001'): Record<string, unknown> {
  const f = readFixture(slug);
  const std = catalog.getTypeBySlug(slug, '1.0.0');
  if (!std) throw new Error(`no standard for ${slug}`);
  return {
    certificateName: std.nameZh,
    certificateIdentifier: buildLicenseIdentifier({ typeCode: std.typeCode, issuerCode: f.issuer.code, serial, version: 1 }),
    certificateTypeCode: std.typeCode,
    standardVersion: std.version,
    certificateNumber: f.certificateNumber,
    certificateIssuingAuthorityName: f.issuer.name,
    certificateIssuingAuthorityCode: f.issuer.code,
    certificateIssuedDate: f.issuedDate,
    certificateHolderName: f.holder.name,
    certificateHolderCode: f.holder.code,
    certificateHolderTypeCode: f.holder.typeCode,
    certificateHolderTypeName: f.holder.typeName,
    certificateEffectiveDate: f.effectiveDate,
    ...(f.expiringDate ? { certificateExpiringDate: f.expiringDate } : {}),
    certificateAreaCode: f.issuer.areaCode,
    certificateTypeName: std.nameZh,
    definingAuthorityName: std.definingAuthority.name,
    definingAuthorityCode: std.definingAuthority.uscc,
    extendInfo: f.extendInfo,
  };
}
