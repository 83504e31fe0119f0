import { randomBytes } from 'node:crypto';
import { generateSerial } from '../../src/codes/licenseIdentifier';
import type { Signer } from '../../src/crypto/Signer';
import { buildDemoRegion, type DemoRegion } from '../../src/demo/buildDemoRegion';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import type { FullForm } from '../../src/format/FullForm';
import { issueLicense } from '../../src/issue/issueLicense';
import type { CertifiedDepartment } from '../../src/pki/ca/ceremony';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import type { TypeStandard } from '../../src/standards/generated/TypeStandard';
import { firstStatusListId } from '../../src/trust/publish/buildTrustDocuments';

/** What the verification benches verify: the demo region and distinct business licences of its ES256 department. */
export interface BenchLicences {
  catalog: StandardsCatalog;
  demo: DemoRegion;
  standard: TypeStandard;
  dept: CertifiedDepartment;
  signer: Signer;
  /** Signed a second apart (distinct serials and signing times), as a verifier sees them; i-th signed at `signedAt(i)`. */
  forms: FullForm[];
  signedAt(i: number): Date;
}

/**
 * The demo region an hour before `now`, and `count` distinct business licences of its ES256 department, each
 * with a status slot as the node gives one (`statusSlots`) or without. The verification, workers and profile
 * benches share it.
 */
export async function issueBenchLicences(opts: { count: number; now?: Date; statusSlots?: boolean }): Promise<BenchLicences> {
  const now = opts.now ?? new Date();
  const catalog = StandardsCatalog.load();
  const demo = await buildDemoRegion({ catalog, now: new Date(now.getTime() - 3_600_000) });
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
  const standard = catalog.getTypeBySlug('business-licence')!;
  const dept = demo.pki.departments.find((d) => d.licenseTypes.includes(standard.typeCode) && d.algorithm === 'ES256')!;
  const signer = demo.signerOf(dept);
  const signedAt = (i: number) => new Date(now.getTime() - i * 1000);
  const forms: FullForm[] = [];
  for (let i = 0; i < opts.count; i++) {
    forms.push(
      await issueLicense(
        { typeCode: standard.typeCode, ...sample.draft },
        {
          catalog,
          trust: demo.trust,
          department: { name: dept.name, uscc: dept.uscc, divisionCode: dept.divisionCode, signer },
          timestampAuthority: demo.timestampAuthority,
          serial: generateSerial((k) => new Uint8Array(randomBytes(k))),
          at: signedAt(i),
          ...(opts.statusSlots ? { statusEntry: { listId: firstStatusListId(dept.uscc), index: i } } : {}),
        },
      ),
    );
  }
  return { catalog, demo, standard, dept, signer, forms, signedAt };
}
