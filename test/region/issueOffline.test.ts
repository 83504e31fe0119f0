import { randomBytes } from 'node:crypto';
import type { Signer } from '../../src/crypto/Signer';
import { buildDemoRegion, type DemoRegion } from '../../src/demo/buildDemoRegion';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import type { CertifiedDepartment } from '../../src/pki/ca/ceremony';
import { issueOffline, type OfflineIssueRequest } from '../../src/region/licenses/issueOffline';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { loadLocalTrustFile, type LocalTrustFile } from '../../src/trust/local/loadLocalTrustFile';
import type { TrustInputs } from '../../src/trust/TrustInputs';
import { verifyFullFormDocument } from '../../src/verify/verifyLicense';

const catalog = StandardsCatalog.load();
const NOW = new Date('2025-03-01T08:00:00Z');
const random = (n: number) => new Uint8Array(randomBytes(n));
let demo: DemoRegion;

beforeAll(async () => {
  demo = await buildDemoRegion({ catalog, now: NOW });
}, 120_000);

/** A signer that counts its signatures: a refusal must come before any. */
function counting(inner: Signer): Signer & { count: number } {
  const s = {
    count: 0,
    algorithm: inner.algorithm,
    publicKey: inner.publicKey,
    keyId: inner.keyId,
    certificateChain: inner.certificateChain,
    sign: (data: Uint8Array) => {
      s.count++;
      return inner.sign(data);
    },
  };
  return s;
}

function request(slug: string, department: CertifiedDepartment, signer: Signer = demo.signerOf(department)): OfflineIssueRequest {
  const standard = catalog.getTypeBySlug(slug)!;
  const sample = loadSampleLicenses().find((s) => s.slug === slug)!;
  return {
    draft: { ...sample.draft, typeCode: standard.typeCode, standardVersion: standard.version },
    department: { name: department.name, uscc: department.uscc, divisionCode: department.divisionCode, signer },
    timestampAuthority: demo.timestampAuthority,
    acknowledged: new Set(),
    howToAcknowledge: (codes) => `acknowledge ${codes.join(', ')}`,
  };
}

/** The demo trust file with one department's listing changed (or removed). */
function trustWith(uscc: string, change: (d: LocalTrustFile['regions'][number]['departments'][number]) => object | null): TrustInputs {
  const file = JSON.parse(JSON.stringify(demo.trustFile)) as LocalTrustFile;
  for (const region of file.regions) {
    region.departments = region.departments.flatMap((d) => {
      if (d.uscc !== uscc) return [d];
      const changed = change(d);
      return changed ? [changed as typeof d] : [];
    });
  }
  return loadLocalTrustFile(JSON.stringify(file), 'test trust file');
}

const authorisedFor = (typeCode: string) => demo.pki.departments.find((d) => d.licenseTypes.includes(typeCode))!;
const notAuthorisedFor = (typeCode: string) => demo.pki.departments.find((d) => !d.licenseTypes.includes(typeCode))!;
const typeOf = (slug: string) => catalog.getTypeBySlug(slug)!.typeCode;

describe('issueOffline: issuance with the key files and the trust file (elicense issue)', () => {
  it('an authorised department issues a licence that verifies against the same trust data', async () => {
    const department = authorisedFor(typeOf('business-licence'));
    const { form, warnings } = await issueOffline(request('business-licence', department), { catalog, trust: demo.trust, random, at: NOW });
    expect(warnings).toEqual([]);
    expect(form.license['certificateIssuingAuthorityCode']).toBe(department.uscc);
    expect(verifyFullFormDocument(form, { trust: demo.trust, catalog, at: NOW }).reasons).toEqual([]);
  });

  it('an area outside the region that lists the department is refused (CODE_INVALID at /certificateAreaCode) before anything is signed', async () => {
    const department = authorisedFor(typeOf('business-licence'));
    let signed = 0;
    const inner = demo.signerOf(department);
    const signer: Signer = { ...inner, algorithm: inner.algorithm, keyId: inner.keyId, certificateChain: inner.certificateChain, publicKey: inner.publicKey, sign: (b) => { signed++; return inner.sign(b); } };
    const req = request('business-licence', department, signer);
    await expect(issueOffline({ ...req, draft: { ...req.draft, areaCode: '440100' } }, { catalog, trust: demo.trust, random, at: NOW })).rejects.toMatchObject({
      code: 'CODE_INVALID',
      details: { errors: [expect.objectContaining({ path: '/certificateAreaCode', code: 'AREA_OUTSIDE_REGION' })] },
    });
    expect(signed).toBe(0);
  });

  it('a type the department does not hold is refused (ISSUER_NOT_AUTHORIZED_FOR_TYPE) before anything is signed', async () => {
    const department = notAuthorisedFor(typeOf('business-licence'));
    const signer = counting(demo.signerOf(department));
    await expect(issueOffline(request('business-licence', department, signer), { catalog, trust: demo.trust, random, at: NOW })).rejects.toMatchObject({
      code: 'ISSUER_NOT_AUTHORIZED_FOR_TYPE',
    });
    expect(signer.count).toBe(0);
  });

  it('a department the trust data lists as suspended issues nothing (DEPARTMENT_NOT_ACTIVE), nothing signed', async () => {
    const department = authorisedFor(typeOf('business-licence'));
    const trust = trustWith(department.uscc, (d) => ({ ...d, state: 'suspended', stateSince: '2025-02-01T00:00:00Z' }));
    const signer = counting(demo.signerOf(department));
    await expect(issueOffline(request('business-licence', department, signer), { catalog, trust, random, at: NOW })).rejects.toMatchObject({ code: 'DEPARTMENT_NOT_ACTIVE' });
    expect(signer.count).toBe(0);
  });

  it('a department the trust data does not list: DEPARTMENT_NOT_FOUND, nothing signed', async () => {
    const department = authorisedFor(typeOf('business-licence'));
    const trust = trustWith(department.uscc, () => null);
    const signer = counting(demo.signerOf(department));
    await expect(issueOffline(request('business-licence', department, signer), { catalog, trust, random, at: NOW })).rejects.toMatchObject({ code: 'DEPARTMENT_NOT_FOUND' });
    expect(signer.count).toBe(0);
  });

  it('the right is judged before the data: an unauthorised type with data of another type is refused for the type', async () => {
    const department = notAuthorisedFor(typeOf('marriage-certificate'));
    const req = request('business-licence', department);
    const marriage = catalog.getTypeBySlug('marriage-certificate')!;
    req.draft = { ...req.draft, typeCode: marriage.typeCode, standardVersion: marriage.version };
    await expect(issueOffline(req, { catalog, trust: demo.trust, random, at: NOW })).rejects.toMatchObject({ code: 'ISSUER_NOT_AUTHORIZED_FOR_TYPE' });
  });
});
