import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import { buildDemoRegion } from '../../src/demo/buildDemoRegion';
import { canonicalJson } from '../../src/json/canonicalJson';
import { signDetachedJws } from '../../src/crypto/jws';
import type { Signer } from '../../src/crypto/Signer';
import type { AnnotatedCopy } from '../../src/annotation/AnnotatedCopy';
import type { TrustInputs } from '../../src/trust/TrustInputs';
import { verifyFullFormDocument, verifyLicense } from '../../src/verify/verifyLicense';
import { verifyAnyForm } from '../../src/verify/forms/verifyAnyForm';
import type { VerificationResult } from '../../src/verify/VerificationResult';
import { annotationRegion, catalog, DAY, NOW, USER_DEPARTMENT, type AnnotationRegion } from './annotationRegion';

let region: AnnotationRegion;
let copy: AnnotatedCopy;
beforeAll(async () => {
  region = await annotationRegion();
  copy = await region.copyOf();
});

const verify = (doc: unknown, at = NOW, trust: TrustInputs = region.demo.trust): VerificationResult => verifyFullFormDocument(JSON.parse(JSON.stringify(doc)), { trust, catalog, at });
const failed = (r: VerificationResult) => r.checks.filter((c) => c.status === 'failed').map((c) => `${c.check}:${c.reasons.join(',')}`);

/** The copy with its annotation changed and signed again by `signer` (a forger's copy, or the same signer under other terms). */
async function resigned(change: (a: AnnotatedCopy['annotatedCopy']) => void, signer: Signer): Promise<AnnotatedCopy> {
  const doc = JSON.parse(JSON.stringify(copy)) as AnnotatedCopy;
  change(doc.annotatedCopy);
  doc.signature = await signDetachedJws(signer, Buffer.from(canonicalJson(doc.annotatedCopy), 'utf8'), { typ: 'elicense-annotated-copy+jws' });
  return doc;
}

describe('verifying an annotated copy', () => {
  it('accepts a copy and answers with its purpose, user department, maker, times and the original; the licence checks are the original\'s', () => {
    const r = verify(copy);
    expect(failed(r)).toEqual([]);
    expect(r.result).toBe('accepted');
    expect(r.license?.['certificateIdentifier']).toBe(region.licence.form.license['certificateIdentifier']);
    expect(r.annotatedCopy).toEqual({
      copyId: 'copy-0123456789abcdef',
      region: '350000',
      purpose: '办理住房公积金提取',
      userDepartment: USER_DEPARTMENT,
      maker: { name: '福建省电子证照平台', code: '350000' },
      madeAt: '2026-11-26T08:00:00Z',
      notAfter: '2027-02-24T08:00:00Z',
      originalIdentifier: region.licence.form.license['certificateIdentifier'],
      mark: '仅供福州市住房公积金中心办理住房公积金提取使用，他用无效',
      form: 'document',
      signer: { keyId: region.signer.keyId, subject: expect.stringMatching(/CN=/), certificateSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(r.demo).toBe(true);
  });

  it('goes the same way from bytes, through verifyLicense and verifyAnyForm (the HTTP route and the CLI)', async () => {
    const bytes = Buffer.from(JSON.stringify(copy));
    expect(verifyLicense(bytes, { trust: region.demo.trust, catalog, at: NOW }).annotatedCopy?.purpose).toBe('办理住房公积金提取');
    const any = await verifyAnyForm(bytes, { trust: region.demo.trust, catalog, at: NOW });
    expect([any.result, any.form, any.annotatedCopy?.userDepartment.name]).toEqual(['accepted', 'full-form', USER_DEPARTMENT.name]);
  });

  it('a licence without a copy answers as before (no annotatedCopy)', () => {
    const r = verify(region.licence.form);
    expect(r.result).toBe('accepted');
    expect(r.annotatedCopy).toBeUndefined();
  });

  it('rejects a changed annotation field: ANNOTATION_SIGNATURE_INVALID', () => {
    for (const change of [
      (d: AnnotatedCopy) => (d.annotatedCopy.purpose = '办理银行贷款'),
      (d: AnnotatedCopy) => (d.annotatedCopy.userDepartment.name = '某银行'),
      (d: AnnotatedCopy) => (d.annotatedCopy.notAfter = '2030-01-01T00:00:00Z'),
    ]) {
      const doc = JSON.parse(JSON.stringify(copy)) as AnnotatedCopy;
      change(doc);
      const r = verify(doc);
      expect([r.result, failed(r)]).toEqual(['rejected', ['signature:ANNOTATION_SIGNATURE_INVALID']]);
    }
  });

  it('rejects a copy carrying another licence than the one it was made of: ANNOTATION_DIGEST_MISMATCH', () => {
    const other = region.demo.licenses.find((l) => l.slug === 'marriage-certificate')!;
    const swapped = { ...copy, original: other.form };
    const r = verify(swapped);
    expect(r.result).toBe('rejected');
    expect(r.reasons).toEqual(['ANNOTATION_DIGEST_MISMATCH']);
    expect(r.checks.find((c) => c.check === 'signature')?.detail).toMatch(/references licence/);
    // the same licence with a face field changed: the original's own signature fails too, and the digest
    const changed = JSON.parse(JSON.stringify(copy)) as AnnotatedCopy;
    changed.original.license['certificateHolderName'] = '张三';
    expect(verify(changed).reasons).toEqual(['SIGNATURE_INVALID', 'ANNOTATION_DIGEST_MISMATCH']);
  });

  it('rejects a copy after its notAfter: ANNOTATION_EXPIRED (accepted up to that second)', () => {
    const notAfter = new Date('2027-02-24T08:00:00Z');
    expect(verify(copy, notAfter).result).toBe('accepted');
    const r = verify(copy, new Date(notAfter.getTime() + 1000));
    expect([r.result, failed(r)]).toEqual(['rejected', ['validity:ANNOTATION_EXPIRED']]);
    expect(r.annotatedCopy?.notAfter).toBe('2027-02-24T08:00:00Z');
  });

  it('rejects a copy made later than the verification time allows: ANNOTATION_NOT_YET_VALID', () => {
    const r = verify(copy, new Date(NOW.getTime() - 3600_000));
    expect(r.reasons).toContain('ANNOTATION_NOT_YET_VALID');
  });

  it("rejects a copy whose original is revoked, with the original's revocation reason", () => {
    const revoked: TrustInputs = {
      ...region.demo.trust,
      statusOf: () => ({ kind: 'status', status: 'revoked', asOf: NOW, source: 'test status source', reason: 'revoked by the issuer' }),
    };
    const r = verify(copy, NOW, revoked);
    expect([r.result, r.reasons]).toEqual(['rejected', ['LICENSE_REVOKED']]);
    expect(r.status?.value).toBe('revoked');
    expect(r.annotatedCopy?.purpose).toBe('办理住房公积金提取');
  });

  it("rejects a copy signed by a key not under the pinned root, or by a key without the trust-list EKU: ANNOTATION_SIGNER_UNTRUSTED", async () => {
    const stranger = await buildDemoRegion({ catalog, now: NOW });
    const foreign = new SoftwareSigner(stranger.pki.trustListSigner.privateKey, stranger.pki.trustListSigner.chain);
    const r1 = verify(await region.copyOf({}, foreign));
    expect([r1.result, failed(r1)]).toEqual(['rejected', ['chain:ANNOTATION_SIGNER_UNTRUSTED']]);
    expect(r1.checks.find((c) => c.check === 'chain')?.detail).toMatch(/CHAIN_UNTRUSTED/);
    // a department's licence-signing key is under the pinned root, but is no region trust-list signer
    const dept = region.demo.signerOf(region.licence.department);
    const r2 = verify(await region.copyOf({}, dept));
    expect(failed(r2)).toEqual(['chain:ANNOTATION_SIGNER_UNTRUSTED']);
    expect(r2.checks.find((c) => c.check === 'chain')?.detail).toMatch(/EKU_NOT_ALLOWED/);
  });

  it("rejects a copy naming another region than the licence's: ANNOTATION_SIGNER_UNTRUSTED", async () => {
    const r = verify(await resigned((a) => (a.region = '110000'), region.signer));
    expect(failed(r)).toEqual(['chain:ANNOTATION_SIGNER_UNTRUSTED']);
    // with trust data that ties roots to regions, the signer's root itself must be the named region's
    const tied: TrustInputs = { ...region.demo.trust, regionOfRoot: () => '350000' };
    expect(verify(await resigned((a) => (a.region = '110000'), region.signer), NOW, tied).reasons).toContain('ANNOTATION_SIGNER_UNTRUSTED');
  });

  it.each([
    ['an unknown key', (d: Record<string, unknown>) => (d['note'] = 'x')],
    ['a control character in the purpose', (d: Record<string, unknown>) => ((d['annotatedCopy'] as Record<string, unknown>)['purpose'] = '办理\u001b[31m提取')],
    ['a purpose beyond 64 characters', (d: Record<string, unknown>) => ((d['annotatedCopy'] as Record<string, unknown>)['purpose'] = '办'.repeat(65))],
    ['another format version', (d: Record<string, unknown>) => ((d['annotatedCopy'] as Record<string, unknown>)['version'] = '2.0.0')],
    ['no signature', (d: Record<string, unknown>) => delete d['signature']],
    ['an original that is not an object', (d: Record<string, unknown>) => (d['original'] = 'licence')],
  ])('rejects a copy with %s: ANNOTATION_MALFORMED, with the field named', (_name, change) => {
    const doc = JSON.parse(JSON.stringify(copy)) as Record<string, unknown>;
    change(doc);
    const r = verify(doc);
    expect(r.result).toBe('rejected');
    expect(r.reasons).toContain('ANNOTATION_MALFORMED');
    expect(r.checks.find((c) => c.check === 'format')?.detail).toMatch(/annotated-copy-1\.0\.0/);
  });

  it('rejects a signature that is no JWS, or of another typ', async () => {
    expect(verify({ ...copy, signature: 'AAAA..AAAA' }).reasons).toEqual(['ANNOTATION_SIGNATURE_INVALID']);
    const doc = JSON.parse(JSON.stringify(copy)) as AnnotatedCopy;
    doc.signature = await signDetachedJws(region.signer, Buffer.from(canonicalJson(doc.annotatedCopy), 'utf8'), { typ: 'elicense+jws' });
    const r = verify(doc);
    expect(r.reasons).toEqual(['ANNOTATION_SIGNATURE_INVALID']);
    expect(r.checks.find((c) => c.check === 'signature')?.detail).toMatch(/typ/);
  });

  it('an oversized copy is INPUT_TOO_LARGE before it is parsed', () => {
    const big = JSON.stringify({ ...copy, pad: 'x'.repeat(300 * 1024) });
    expect(verifyLicense(big, { trust: region.demo.trust, catalog, at: NOW }).reasons).toEqual(['INPUT_TOO_LARGE']);
  });

  it('made for 1 day, the copy is valid exactly that day', async () => {
    const short = await region.copyOf({ notAfter: new Date(NOW.getTime() + DAY) });
    expect(verify(short, new Date(NOW.getTime() + DAY)).result).toBe('accepted');
    expect(verify(short, new Date(NOW.getTime() + DAY + 1000)).reasons).toEqual(['ANNOTATION_EXPIRED']);
  });
});
