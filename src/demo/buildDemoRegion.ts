import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateSerial } from '../codes/licenseIdentifier';
import { SoftwareSigner } from '../crypto/SoftwareSigner';
import type { Signer } from '../crypto/Signer';
import { ElicenseError } from '../errors';
import type { FullForm } from '../format/FullForm';
import { firstStatusListId } from '../trust/publish/buildTrustDocuments';
import { issueLicense } from '../issue/issueLicense';
import { runCeremony, type CertifiedDepartment, type RegionPki } from '../pki/ca/ceremony';
import { repoPath } from '../repoPath';
import type { StandardsCatalog } from '../standards/StandardsCatalog';
import type { TypeStandard } from '../standards/generated/TypeStandard';
import { buildLocalTrustFile } from '../trust/local/buildLocalTrustFile';
import { loadLocalTrustFile, type LocalTrustFile } from '../trust/local/loadLocalTrustFile';
import type { TrustInputs } from '../trust/TrustInputs';
import { loadSampleLicenses, type SampleLicense } from './sampleDraft';

export const DEMO_CEREMONY_FILE = repoPath('fixtures', 'ceremony', 'demo-region.json');

export interface DemoLicense {
  slug: string;
  /** The fixtures/data sample it was issued from (slug, or slug and face variant). */
  sample: string;
  standard: TypeStandard;
  department: CertifiedDepartment;
  form: FullForm;
}

export interface DemoRegion {
  /** The reviewed ceremony configuration the region was built from. */
  ceremony: unknown;
  pki: RegionPki;
  trustFile: LocalTrustFile;
  trust: TrustInputs;
  signerOf(department: CertifiedDepartment): Signer;
  timestampAuthority: Signer;
  /** One licence of every type, each signed by the first department authorised for it. */
  licenses: DemoLicense[];
  /** Issue the sample licence of a type again, signed by the given department (e.g. to cover another algorithm). */
  issueSample(slug: string, department: CertifiedDepartment): Promise<DemoLicense>;
}

/**
 * A clearly labelled demo region: the reviewed demo ceremony, its trust file,
 * and one licence of every type in fixtures/data, each signed by the
 * department the ceremony authorises for that type.
 */
export async function buildDemoRegion(opts: {
  catalog: StandardsCatalog;
  now: Date;
  randomBytes?: (n: number) => Uint8Array;
  ceremony?: unknown;
  /**
   * The region's keys and certificates when they already exist (e.g. a region with a department certified
   * before a policy change, whose key is still in service); default: run `ceremony` now.
   */
  pki?: RegionPki;
}): Promise<DemoRegion> {
  const random = opts.randomBytes ?? ((n: number) => new Uint8Array(nodeRandomBytes(n)));
  const ceremony = opts.ceremony ?? JSON.parse(readFileSync(DEMO_CEREMONY_FILE, 'utf8'));
  const pki = opts.pki ?? (await runCeremony(ceremony, { now: opts.now, randomBytes: random }));
  const trustFile = buildLocalTrustFile([pki], opts.now);
  const trust = loadLocalTrustFile(JSON.stringify(trustFile), 'demo trust file');
  const signers = new Map<string, Signer>();
  const signerOf = (d: CertifiedDepartment): Signer => {
    let s = signers.get(d.id);
    if (!s) signers.set(d.id, (s = new SoftwareSigner(d.privateKey, d.chain)));
    return s;
  };
  const timestampAuthority = new SoftwareSigner(pki.timestampAuthority.privateKey, pki.timestampAuthority.chain);

  // Each licence gets a slot in its department's first status list, as a node would give it.
  const nextIndex = new Map<string, number>();
  const issueAs = async (sample: SampleLicense, department?: CertifiedDepartment): Promise<DemoLicense> => {
    const standard = opts.catalog.getTypeBySlug(sample.slug);
    if (!standard) throw new ElicenseError('TYPE_UNKNOWN', `fixture ${sample.slug} has no type standard`);
    const dept = department ?? pki.departments.find((d) => d.licenseTypes.includes(standard.typeCode));
    if (!dept) throw new ElicenseError('CEREMONY_INVALID', `no demo department may issue ${standard.slug}`);
    const form = await issueLicense(
      { typeCode: standard.typeCode, ...sample.draft },
      {
        catalog: opts.catalog,
        trust,
        department: { name: dept.name, uscc: dept.uscc, divisionCode: dept.divisionCode, signer: signerOf(dept) },
        timestampAuthority,
        serial: generateSerial(random),
        at: opts.now,
        statusEntry: { listId: firstStatusListId(dept.uscc), index: nextIndex.get(dept.uscc) ?? 0 },
      },
    );
    nextIndex.set(dept.uscc, (nextIndex.get(dept.uscc) ?? 0) + 1);
    return { slug: sample.slug, sample: sample.name, standard, department: dept, form };
  };
  const samples = loadSampleLicenses();
  const licenses: DemoLicense[] = [];
  for (const sample of samples) licenses.push(await issueAs(sample));
  const issueSample = async (slug: string, department: CertifiedDepartment): Promise<DemoLicense> => {
    // The type's main sample (named by its slug) before any face variant of it.
    const sample = samples.find((s) => s.name === slug) ?? samples.find((s) => s.slug === slug);
    if (!sample) throw new ElicenseError('TYPE_UNKNOWN', `no sample licence ${slug}`);
    return issueAs(sample, department);
  };
  return { ceremony, pki, trustFile, trust, signerOf, timestampAuthority, licenses: licenses, issueSample };
}
