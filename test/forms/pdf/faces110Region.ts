/**
 * A region that issues under the 1.1.0 standards, for the photo and 1.1.0-face tests: the demo ceremony
 * with every department also granted the other type codes of the types it issues (the SAMR business
 * licence code beside the placeholder), signing with the real standards catalogue.
 */
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { generateSerial } from '../../../src/codes/licenseIdentifier';
import { SoftwareSigner } from '../../../src/crypto/SoftwareSigner';
import type { Signer } from '../../../src/crypto/Signer';
import { DEMO_CEREMONY_FILE } from '../../../src/demo/buildDemoRegion';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import type { FullForm } from '../../../src/format/FullForm';
import { issueLicense } from '../../../src/issue/issueLicense';
import type { LicenseDraft } from '../../../src/issue/prepareLicenseRecord';
import { runCeremony, type CertifiedDepartment, type RegionPki } from '../../../src/pki/ca/ceremony';
import type { StandardsCatalog } from '../../../src/standards/StandardsCatalog';
import type { TypeStandard } from '../../../src/standards/generated/TypeStandard';
import { buildLocalTrustFile } from '../../../src/trust/local/buildLocalTrustFile';
import { loadLocalTrustFile } from '../../../src/trust/local/loadLocalTrustFile';
import type { TrustInputs } from '../../../src/trust/TrustInputs';
import { firstStatusListId } from '../../../src/trust/publish/buildTrustDocuments';

export const NOW = new Date('2026-11-26T08:00:00Z');

export interface IssuedLicense {
  standard: TypeStandard;
  department: CertifiedDepartment;
  form: FullForm;
}

export interface Region110 {
  pki: RegionPki;
  trust: TrustInputs;
  catalog: StandardsCatalog;
  signerOf(department: CertifiedDepartment): Signer;
  /** Issues a draft of the newest standard of `slug`, signed by the first department granted that type. */
  issue(slug: string, draft: Omit<LicenseDraft, 'typeCode'>): Promise<IssuedLicense>;
}

let seed = 1;
const random = (n: number) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  return out;
};

export async function region110(catalog: StandardsCatalog): Promise<Region110> {
  const ceremony = JSON.parse(readFileSync(DEMO_CEREMONY_FILE, 'utf8')) as { departments: { licenseTypes: string[] }[] };
  for (const d of ceremony.departments) {
    const codes = new Set(d.licenseTypes);
    for (const code of d.licenseTypes) {
      const slug = catalog.getType(code)?.slug;
      if (slug) for (const c of catalog.typeCodesOf(slug)) codes.add(c);
    }
    d.licenseTypes = [...codes];
  }
  const pki = await runCeremony(ceremony, { now: NOW, randomBytes: random });
  const trust = loadLocalTrustFile(JSON.stringify(buildLocalTrustFile([pki], NOW)), 'test trust file');
  const signers = new Map<string, Signer>();
  const signerOf = (d: CertifiedDepartment): Signer => {
    let s = signers.get(d.id);
    if (!s) signers.set(d.id, (s = new SoftwareSigner(d.privateKey, d.chain)));
    return s;
  };
  const timestampAuthority = new SoftwareSigner(pki.timestampAuthority.privateKey, pki.timestampAuthority.chain);
  let index = 0;
  return {
    pki,
    trust,
    catalog,
    signerOf,
    async issue(slug, draft) {
      const standard = catalog.getTypeBySlug(slug)!;
      const department = pki.departments.find((d) => d.licenseTypes.includes(standard.typeCode))!;
      const form = await issueLicense(
        { typeCode: standard.typeCode, ...draft },
        {
          catalog,
          trust,
          department: { name: department.name, uscc: department.uscc, divisionCode: department.divisionCode, signer: signerOf(department) },
          timestampAuthority,
          serial: generateSerial(random),
          at: NOW,
          statusEntry: { listId: firstStatusListId(department.uscc), index: index++ },
        },
      );
      return { standard, department, form };
    },
  };
}

/**
 * A portrait for the tests: a plain background, a head and shoulders in the given colours, JPEG or PNG.
 * Two calls with different colours give two different photos (a swapped one).
 */
export function portrait(opts: { width?: number; height?: number; background?: [number, number, number]; clothes?: [number, number, number]; png?: boolean } = {}): Uint8Array {
  const width = opts.width ?? 300;
  const height = opts.height ?? 400;
  const bg = opts.background ?? [226, 236, 248];
  const clothes = opts.clothes ?? [40, 52, 80];
  const skin: [number, number, number] = [236, 200, 170];
  const hair: [number, number, number] = [30, 26, 24];
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cx = (x - width / 2) / (width * 0.2);
      const cy = (y - height * 0.38) / (height * 0.2);
      const inHead = cx * cx + cy * cy <= 1;
      const inHair = inHead && y < height * 0.3;
      const sx = (x - width / 2) / (width * 0.45);
      const sy = (y - height * 1.05) / (height * 0.45);
      const inBody = sx * sx + sy * sy <= 1;
      const c = inHair ? hair : inHead ? skin : inBody ? clothes : bg;
      const i = (y * width + x) * 4;
      data[i] = c[0];
      data[i + 1] = c[1];
      data[i + 2] = c[2];
      data[i + 3] = 255;
    }
  }
  if (opts.png) {
    const png = new PNG({ width, height });
    data.copy(png.data);
    return new Uint8Array(PNG.sync.write(png));
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, 85).data);
}

export const base64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** The sample draft of a type from fixtures/data (the first whose face matches, e.g. an 个体工商户). */
export function sampleDraft(slug: string, matches: (face: Record<string, unknown>) => boolean = () => true): Omit<LicenseDraft, 'typeCode'> {
  const sample = loadSampleLicenses().find((s) => s.slug === slug && matches(s.draft.extendInfo));
  if (!sample) throw new Error(`no sample ${slug} in fixtures/data`);
  return JSON.parse(JSON.stringify(sample.draft)) as Omit<LicenseDraft, 'typeCode'>;
}
