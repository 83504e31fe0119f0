/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * An annotated copy against a real node: made with the node's own region trust-list signer, verified over
 * HTTP (JSON, its QR text, its PDF) with the original's status from the node's records, rejected once the
 * original is revoked; and on the verifier page in headless Chromium, where the verdict says whom the copy
 * is for and the copy's terms get a section of their own (screenshots under test-artifacts/screenshots/).
 */
import type { Browser, Page } from 'playwright-core';
import { makeAnnotatedCopy } from '../../src/annotation/makeAnnotatedCopy';
import { encodeAnnotatedCopyQr } from '../../src/annotation/annotatedCopyQr';
import { renderAnnotatedCopyPdf } from '../../src/annotation/renderAnnotatedCopyPdf';
import type { AnnotatedCopy } from '../../src/annotation/AnnotatedCopy';
import type { Signer } from '../../src/crypto/Signer';
import type { FullForm } from '../../src/format/FullForm';
import { LicenseFonts } from '../../src/forms/pdf/LicenseFonts';
import { loadSampleLicenses } from '../../src/demo/sampleDraft';
import { http } from '../node/helpers/http';
import { startTestNode, type TestNode } from '../node/helpers/startTestNode';
import { expectCleanPage, launchBrowser, openPage, screenshot, verdictOf, waitForFlag, type PageWatch } from '../web/helpers/browser';
import { MAKER, USER_DEPARTMENT } from './annotationRegion';

let node: TestNode;
let browser: Browser;
let issuer: string;
let identifier: string;
let copy: AnnotatedCopy;
let qrText: string;
let pdf: Uint8Array;

beforeAll(async () => {
  node = await startTestNode({ env: { ELICENSE_PUBLIC_RATE_LIMIT: '100000' } });
  browser = await launchBrowser();
  issuer = node.keys.issuerOf('business-licence');
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
  const issued = await http(node.url, 'POST', '/v1/licenses', { key: issuer, json: { type: 'business-licence', data: sample.draft } });
  expect(issued.status).toBe(201);
  const original = issued.body as unknown as FullForm;
  identifier = original.license['certificateIdentifier'] as string;
  const { services } = node;
  const now = services.clock.now();
  const { snapshot } = await services.trust.forVerification();
  const signer: Signer = await services.signers.trustListSigner(services.db, now, snapshot.version);
  copy = await makeAnnotatedCopy(
    { original, purpose: '办理住房公积金提取', userDepartment: USER_DEPARTMENT, maker: MAKER, madeAt: now, notAfter: new Date(now.getTime() + 30 * 86400_000), copyId: 'node-copy-0123456789', region: snapshot.region!.code },
    signer,
  );
  qrText = await encodeAnnotatedCopyQr(copy, signer);
  const faceQr = await fetch(`${node.url}/v1/licenses/${encodeURIComponent(identifier)}.qr.txt`, { headers: { authorization: `Bearer ${issuer}` } });
  const standard = services.catalog.getType(original.license['certificateTypeCode'] as string)!;
  pdf = await renderAnnotatedCopyPdf(copy, { standard, signer, faceQrText: (await faceQr.text()).trim(), qrText, at: now, fonts: LicenseFonts.load(), demo: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
}, 60_000);

const verifyOverHttp = async (body: { json?: unknown; raw?: Uint8Array | string; type?: string }) => {
  const res = await fetch(`${node.url}/v1/verifications`, {
    method: 'POST',
    headers: { 'content-type': body.type ?? 'application/json' },
    body: body.json !== undefined ? JSON.stringify(body.json) : (body.raw as string | Uint8Array as never),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { result: string; reasons: string[]; form: string; checks: { check: string; status: string }[]; annotatedCopy?: { purpose: string; form: string; userDepartment: { name: string } } };
};

describe('an annotated copy at the node', () => {
  it("POST /v1/verifications: the copy's JSON, its QR text and its PDF are accepted with the original's status from the node's records", async () => {
    const json = await verifyOverHttp({ json: copy });
    expect([json.result, json.reasons, json.annotatedCopy?.purpose, json.annotatedCopy?.form]).toEqual(['accepted', [], '办理住房公积金提取', 'document']);
    expect(json.checks.find((c) => c.check === 'status')?.status).toBe('passed');
    const qr = await verifyOverHttp({ raw: qrText, type: 'text/plain' });
    expect([qr.result, qr.form, qr.annotatedCopy?.form]).toEqual(['accepted', 'qr-text', 'qr']);
    expect(qr.checks.find((c) => c.check === 'status')?.status).toBe('passed');
    const fromPdf = await verifyOverHttp({ raw: pdf, type: 'application/pdf' });
    expect([fromPdf.result, fromPdf.reasons, fromPdf.form, fromPdf.annotatedCopy?.userDepartment.name]).toEqual(['accepted', [], 'pdf', USER_DEPARTMENT.name]);
  });

  describe('on the verifier page', () => {
    let page: Page;
    let watch: PageWatch;
    beforeEach(async () => {
      ({ page, watch } = await openPage(browser, node.url));
      await page.goto('/verify');
      await waitForFlag(page);
    });
    afterEach(async () => {
      expectCleanPage(watch);
      await page.context().close();
    });

    it("pasted: the verdict says whom the copy is for, and its terms have a section (制作事由, 用证部门, 制作方, 制作时间, 有效期至)", async () => {
      await page.fill('#paste-input', JSON.stringify(copy));
      await page.click('#paste-submit');
      expect(await verdictOf(page)).toBe('accepted');
      expect(await page.textContent('#verdict .verdict-annotation')).toContain('仅供福州市住房公积金中心办理住房公积金提取使用，他用无效');
      const terms = (await page.textContent('[data-section="annotatedCopy"]'))!;
      for (const s of ['制作事由', '办理住房公积金提取', '用证部门', '福州市住房公积金中心', '制作方', '福建省电子证照平台', '制作时间', '有效期至', identifier]) expect(terms).toContain(s);
      expect(await page.textContent('[data-section="licence"]')).toContain('福州榕信软件科技有限公司');
      await screenshot(page, 'verify-annotated-copy');
    });

    it("scanned: the copy's QR is accepted and the page says the licence itself is not in it; in English too", async () => {
      await page.keyboard.type(qrText);
      await page.keyboard.press('Enter');
      expect(await verdictOf(page)).toBe('accepted');
      expect(await page.textContent('[data-section="annotatedCopy"]')).toContain('原证照本身不在二维码中');
      await page.click('#lang-toggle');
      await page.waitForFunction(() => (globalThis as any).document.documentElement.lang === 'en');
      expect(await page.textContent('[data-section="annotatedCopy"]')).toContain('User department');
      await screenshot(page, 'verify-annotated-copy-qr-en');
    });
  });

  it("once the original is revoked, the copy is rejected with the original's LICENSE_REVOKED", async () => {
    const revoked = await http(node.url, 'POST', `/v1/licenses/${encodeURIComponent(identifier)}/revoke`, { key: issuer, json: { reason: 'revoked for the test' } });
    expect(revoked.status).toBe(200);
    const r = await verifyOverHttp({ json: copy });
    expect([r.result, r.reasons]).toEqual(['rejected', ['LICENSE_REVOKED']]);
    expect((await verifyOverHttp({ raw: qrText, type: 'text/plain' })).reasons).toEqual(['LICENSE_REVOKED']);
  });
});
