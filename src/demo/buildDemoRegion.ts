import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateSerial } from '../codes/licenseIdentifier';
import { SoftwareSigner } from '../crypto/SoftwareSigner';
import type { Signer } from '../crypto/Signer';
import { ElicenseError } from '../errors';
import type { FullForm } from '../license/FullForm';
import { issueLicense } from '../license/issueLicense';
import { runCeremony, type CertifiedDepartment, type RegionPki } from '../pki/ca/ceremony';
import { repoPath } from '../repoPath';
import type { StandardsCatalog } from '../standards/StandardsCatalog';
import type { TypeStandard } from '../standards/generated/TypeStandard';
import { buildLocalTrustFile } from '../trust/buildLocalTrustFile';
import { loadLocalTrustFile, type LocalTrustFile } from '../trust/loadLocalTrustFile';
import type { TrustInputs } from '../verify/TrustInputs';
import { loadSampleLicences } from './sampleDraft';

export const DEMO_CEREMONY_FILE = repoPath('fixtures', 'ceremony', 'demo-region.json');

export interface DemoLicence {
  slug: string;
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
  licences: DemoLicence[];
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
}): Promise<DemoRegion> {
  const random = opts.randomBytes ?? ((n: number) => new Uint8Array(nodeRandomBytes(n)));
  const ceremony = opts.ceremony ?? JSON.parse(readFileSync(DEMO_CEREMONY_FILE, 'utf8'));
  const pki = await runCeremony(ceremony, { now: opts.now, randomBytes: random });
  const trustFile = buildLocalTrustFile([pki], opts.now);
  const trust = loadLocalTrustFile(JSON.stringify(trustFile), 'demo trust file');
  const signers = new Map<string, Signer>();
  const signerOf = (d: CertifiedDepartment): Signer => {
    let s = signers.get(d.id);
    if (!s) signers.set(d.id, (s = new SoftwareSigner(d.privateKey, d.chain)));
    return s;
  };
  const timestampAuthority = new SoftwareSigner(pki.timestampAuthority.privateKey, pki.timestampAuthority.chain);

  const licences: DemoLicence[] = [];
  for (const sample of loadSampleLicences()) {
    const standard = opts.catalog.getTypeBySlug(sample.slug);
    if (!standard) throw new ElicenseError('TYPE_UNKNOWN', `fixture ${sample.slug} has no type standard`);
    const department = pki.departments.find((d) => d.licenseTypes.includes(standard.typeCode));
    if (!department) throw new ElicenseError('CEREMONY_INVALID', `no demo department may issue ${standard.slug}`);
    const form = await issueLicense(
      { typeCode: standard.typeCode, ...sample.draft },
      {
        catalog: opts.catalog,
        trust,
        department: { name: department.name, uscc: department.uscc, divisionCode: department.divisionCode, signer: signerOf(department) },
        timestampAuthority,
        serial: generateSerial(random),
        at: opts.now,
      },
    );
    licences.push({ slug: sample.slug, standard, department, form });
  }
  return { ceremony, pki, trustFile, trust, signerOf, timestampAuthority, licences };
}
