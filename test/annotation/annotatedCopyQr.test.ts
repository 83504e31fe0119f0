import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import { buildDemoRegion } from '../../src/demo/buildDemoRegion';
import { encodeAnnotatedCopyQr, licenseKeyOfAnnotatedCopyQr, MAX_ANNOTATED_COPY_QR_TEXT } from '../../src/annotation/annotatedCopyQr';
import type { AnnotatedCopy } from '../../src/annotation/AnnotatedCopy';
import { detectForm } from '../../src/forms/detectForm';
import type { TrustInputs } from '../../src/trust/TrustInputs';
import { verifyAnyForm } from '../../src/verify/forms/verifyAnyForm';
import { annotationRegion, catalog, NOW, USER_DEPARTMENT, type AnnotationRegion } from './annotationRegion';

let region: AnnotationRegion;
let copy: AnnotatedCopy;
let qr: string;
beforeAll(async () => {
  region = await annotationRegion();
  copy = await region.copyOf();
  qr = await encodeAnnotatedCopyQr(copy, region.signer);
});

const verifyText = (text: string, at = NOW, trust: TrustInputs = region.demo.trust) => verifyAnyForm(Buffer.from(text), { trust, catalog, at });
const failed = (r: { checks: { check: string; status: string; reasons: string[] }[] }) => r.checks.filter((c) => c.status === 'failed').map((c) => `${c.check}:${c.reasons.join(',')}`);

describe("the annotated copy's QR (EAC1:)", () => {
  it('is compact signed text that fits a QR symbol, told apart from a licence QR', () => {
    expect(qr.startsWith('EAC1:')).toBe(true);
    expect(qr.split('.')).toHaveLength(3);
    expect(qr.length).toBeLessThan(MAX_ANNOTATED_COPY_QR_TEXT);
    expect(detectForm(Buffer.from(qr))).toBe('qr-text');
    expect(licenseKeyOfAnnotatedCopyQr(qr)).toEqual({ identifier: copy.annotatedCopy.original.identifier, issuerCode: region.licence.department.uscc, ...(copy.original.license['statusEntry'] ? { statusEntry: copy.original.license['statusEntry'] } : {}) });
  });

  it("round trip: verifies offline under the pinned root and answers with the copy's terms; the licence's own checks are not applicable", async () => {
    const r = await verifyText(qr);
    expect(failed(r)).toEqual([]);
    expect([r.result, r.form]).toEqual(['accepted', 'qr-text']);
    expect(r.annotatedCopy).toMatchObject({ purpose: '办理住房公积金提取', userDepartment: USER_DEPARTMENT, originalIdentifier: copy.annotatedCopy.original.identifier, form: 'qr', copyId: copy.annotatedCopy.copyId, notAfter: copy.annotatedCopy.notAfter });
    expect(r.checks.find((c) => c.check === 'schema')).toMatchObject({ status: 'not_checked', detail: expect.stringMatching(/not the licence/) });
    expect(r.license).toBeNull();
    expect(r.demo).toBe(true);
  });

  it("rejects it after notAfter (ANNOTATION_EXPIRED), and when the original is revoked (the original's LICENSE_REVOKED)", async () => {
    expect((await verifyText(qr, new Date('2027-02-24T08:00:01Z'))).reasons).toEqual(['ANNOTATION_EXPIRED']);
    const revoked: TrustInputs = { ...region.demo.trust, statusOf: (q) => (q.identifier === copy.annotatedCopy.original.identifier ? { kind: 'status', status: 'revoked', asOf: NOW, source: 'test' } : { kind: 'not_covered' }) };
    const r = await verifyText(qr, NOW, revoked);
    expect([r.result, r.reasons]).toEqual(['rejected', ['LICENSE_REVOKED']]);
  });

  it('rejects a changed payload (ANNOTATION_SIGNATURE_INVALID), a foreign signer (ANNOTATION_SIGNER_UNTRUSTED), garbage (ANNOTATION_MALFORMED)', async () => {
    const [h, p, s] = qr.slice(5).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims['p'] = '办理银行贷款';
    const forged = `EAC1:${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    expect(failed(await verifyText(forged))).toEqual(['signature:ANNOTATION_SIGNATURE_INVALID']);

    const stranger = await buildDemoRegion({ catalog, now: NOW });
    const foreign = await encodeAnnotatedCopyQr(copy, new SoftwareSigner(stranger.pki.trustListSigner.privateKey, stranger.pki.trustListSigner.chain));
    expect(failed(await verifyText(foreign))).toEqual(['chain:ANNOTATION_SIGNER_UNTRUSTED']);

    for (const text of ['EAC1:', 'EAC1:abc', 'EAC1:a.b.c', `EAC1:${h}.${Buffer.from('{"v":2}').toString('base64url')}.${s}`]) {
      const r = await verifyText(text);
      expect([text, r.result, r.reasons[0]]).toEqual([text, 'rejected', expect.stringMatching(/^ANNOTATION_(MALFORMED|SIGNATURE_INVALID)$/)]);
    }
    expect((await verifyText(`EAC1:${'A'.repeat(MAX_ANNOTATED_COPY_QR_TEXT)}`)).reasons).toEqual(['ANNOTATION_MALFORMED']);
  });

  it("a QR naming another region than the licence's issuer is ANNOTATION_SIGNER_UNTRUSTED", async () => {
    const elsewhere = await encodeAnnotatedCopyQr({ ...copy, annotatedCopy: { ...copy.annotatedCopy, region: '110000' } }, region.signer);
    expect(failed(await verifyText(elsewhere))).toEqual(['chain:ANNOTATION_SIGNER_UNTRUSTED']);
  });

  it('a control character smuggled into the signed claims is refused by the schema (ANNOTATION_MALFORMED)', async () => {
    const bad = await encodeAnnotatedCopyQr({ ...copy, annotatedCopy: { ...copy.annotatedCopy, purpose: '办理\u0007提取' } }, region.signer);
    const r = await verifyText(bad);
    expect(r.reasons).toEqual(['ANNOTATION_MALFORMED']);
    expect(r.checks[0]?.detail).toMatch(/purpose/);
  });
});
