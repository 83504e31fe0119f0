import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import { buildDemoRegion, type DemoLicense, type DemoRegion } from '../../src/demo/buildDemoRegion';
import { makeAnnotatedCopy, type AnnotatedCopyInput } from '../../src/annotation/makeAnnotatedCopy';
import type { AnnotatedCopy } from '../../src/annotation/AnnotatedCopy';
import type { Signer } from '../../src/crypto/Signer';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';

export const NOW = new Date('2026-11-26T08:00:00Z');
export const DAY = 24 * 3600 * 1000;
export const catalog = StandardsCatalog.load();

/** A user department of the demo region (a real-looking USCC with valid check characters). */
export const USER_DEPARTMENT = { name: '福州市住房公积金中心', code: '11350100DM0000021X' };
export const MAKER = { name: '福建省电子证照平台', code: '350000' };

export interface AnnotationRegion {
  demo: DemoRegion;
  /** The region's trust-list signer: what signs copies. */
  signer: Signer;
  licence: DemoLicense;
  copyOf(overrides?: Partial<AnnotatedCopyInput>, signer?: Signer): Promise<AnnotatedCopy>;
}

export async function annotationRegion(): Promise<AnnotationRegion> {
  const demo = await buildDemoRegion({ catalog, now: NOW });
  const signer = new SoftwareSigner(demo.pki.trustListSigner.privateKey, demo.pki.trustListSigner.chain);
  const licence = demo.licenses.find((l) => l.slug === 'business-licence')!;
  const copyOf = (overrides: Partial<AnnotatedCopyInput> = {}, by: Signer = signer) =>
    makeAnnotatedCopy(
      {
        original: licence.form,
        purpose: '办理住房公积金提取',
        userDepartment: USER_DEPARTMENT,
        maker: MAKER,
        madeAt: NOW,
        notAfter: new Date(NOW.getTime() + 90 * DAY),
        copyId: 'copy-0123456789abcdef',
        region: demo.pki.region.code,
        ...overrides,
      },
      by,
    );
  return { demo, signer, licence, copyOf };
}
