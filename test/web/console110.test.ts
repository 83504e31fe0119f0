/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * The issuer console on the 1.1.0 type standards, in headless Chromium against a real node: a business
 * licence of an 个体工商户 (only the individual kind's fields shown once the kind is chosen, required marks per
 * kind), a real-estate title with two co-owners (holder rows added and removed; a duplicate holder refused by
 * the server at its row), a driving licence with a photo (file input → base64 in data.photos, preview; a text
 * file named .jpg refused by the server at the photo field, an oversized one before sending) and vehicle
 * classes with their dates. Each is answered 201 and listed; the licence view shows every holder, the related
 * item, ranges as one value, no machine-only fields and the photo. Screenshots at desktop and phone width go
 * to /tmp/shots (SHOTS_DIR).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { loadSampleLicenses, type SampleLicense } from '../../src/demo/sampleDraft';
import { repoPath } from '../../src/repoPath';
import { startTestNode, type TestNode } from '../node/helpers/startTestNode';
import { currentTypeCode } from '../typeCodes';
import { expectCleanPage, launchBrowser, openPage, verdictOf, waitForFlag, type PageWatch } from './helpers/browser';

const SHOTS = process.env['SHOTS_DIR'] ?? '/tmp/shots';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const MARKET = '11350100DM00000133'; // 福州市市场监督管理局: business licences
const REGISTRY = '12350100DM0000048J'; // 福州市不动产登记中心: real-estate titles
const TRAFFIC = '11350100DM000003XM'; // 福州市公安局交通警察支队: driving licences

let node: TestNode;
let browser: Browser;
let page: Page;
let watch: PageWatch;
const samples = loadSampleLicenses();
const sample = (name: string): SampleLicense => samples.find((s) => s.name === name)!;
const individual = sample('business-licence-individual');
const title = sample('real-estate-title');
const driving = sample('driving-licence');
const driverJpg = readFileSync(repoPath('fixtures', 'photos', 'driver.jpg'));

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  node = await startTestNode({ env: { ELICENSE_PUBLIC_RATE_LIMIT: '100000' } });
  browser = await launchBrowser();
  ({ page, watch } = await openPage(browser, node.url, { viewport: DESKTOP }));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
}, 60_000);

afterEach(() => expectCleanPage(watch));

const field = (name: string, control = 'input') => `[data-field="${name}"] ${control}`;
const errorOf = (name: string) => `[data-field="${name}"] > .field-error`;

/** Desktop and phone screenshots of the page as it is (full page); the phone one must not scroll sideways. */
async function shots(p: Page, name: string): Promise<void> {
  await p.setViewportSize(DESKTOP);
  await p.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await p.setViewportSize(PHONE);
  expect(await p.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await p.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await p.setViewportSize(DESKTOP);
}

async function signIn(p: Page, department: string): Promise<void> {
  if (await p.isVisible('#sign-out')) await p.click('#sign-out');
  await p.waitForSelector('#api-key:visible');
  await p.fill('#api-key', node.keys.issuerOf(department));
  await p.keyboard.press('Enter');
  await p.waitForFunction((uscc) => ((globalThis as any).document.getElementById('department-heading')?.textContent ?? '').includes(uscc), department);
  await p.click('#tab-issue');
}

async function chooseType(p: Page, typeCode: string, marker: string): Promise<void> {
  await p.click('#tab-issue');
  if ((await p.inputValue('#type-select')) !== typeCode) await p.selectOption('#type-select', typeCode);
  else await p.click('#issue-reset');
  await p.waitForSelector(`[data-field="${marker}"]`, { state: 'attached' });
}

async function fillHolder(p: Page, prefix: string, holder: { name: string; code: string; typeCode: string }): Promise<void> {
  await p.fill(field(`${prefix}.name`), holder.name);
  await p.selectOption(field(`${prefix}.typeCode`, 'select'), holder.typeCode);
  await p.fill(field(`${prefix}.code`), holder.code);
}

async function fillRecord(p: Page, s: SampleLicense): Promise<void> {
  const d = s.draft;
  await fillHolder(p, 'holder', d.holder);
  await p.fill(field('certificateNumber'), d.certificateNumber);
  await p.fill(field('effectiveDate'), d.effectiveDate);
  if (d.expiringDate) await p.fill(field('expiringDate'), d.expiringDate);
  if (d.relatedItem) {
    await p.fill(field('relatedItem.name'), d.relatedItem.name);
    if (d.relatedItem.code) await p.fill(field('relatedItem.code'), d.relatedItem.code);
  }
}

/** Fills the face from a sample, control by control as a person would (selects, check boxes, rows of a list). */
async function fillFace(p: Page, face: Record<string, unknown>): Promise<void> {
  for (const [k, v] of Object.entries(face)) {
    const name = `extendInfo.${k}`;
    const kind = await p.evaluate<string>(`(() => {
      const w = document.querySelector('[data-field="${name}"]');
      if (w.querySelector('.item-row')) return 'rows';
      if (w.querySelector('input[type="checkbox"]')) return 'checks';
      return w.querySelector('select, textarea, input').tagName.toLowerCase();
    })()`);
    if (kind === 'rows') {
      const items = v as Array<Record<string, string>>;
      for (let i = 0; i < items.length; i++) {
        if ((await p.$$(`[data-field="${name}"] .item-row`)).length <= i) await p.click(`[data-field="${name}"] .add-row`);
        for (const [prop, value] of Object.entries(items[i]!)) {
          const control = `[data-field="${name}"] .item-row[data-index="${i}"] [data-prop="${prop}"]`;
          if ((await p.evaluate<string>(`document.querySelector('${control}').tagName`)) === 'SELECT') await p.selectOption(control, value);
          else await p.fill(control, value);
        }
      }
    } else if (kind === 'checks') {
      for (const value of v as string[]) await p.check(`[data-field="${name}"] input[value="${value}"]`);
    } else if (kind === 'select') await p.selectOption(field(name, 'select'), String(v));
    else await p.fill(field(name, kind), String(v));
  }
}

/** Clicks 签发 and returns the POST /v1/licenses request and its status. */
async function submit(p: Page): Promise<{ request: Request; status: number }> {
  const answered = p.waitForResponse((r) => r.url().endsWith('/v1/licenses') && r.request().method() === 'POST');
  await p.click('#issue-submit');
  const response = await answered;
  return { request: response.request(), status: response.status() };
}

/** The issued licence: its identifier, in the department's list, with the licence view drawn. */
async function issuedAndListed(p: Page): Promise<string> {
  await p.waitForSelector('#issued-identifier');
  const id = (await p.textContent('#issued-identifier'))!;
  await p.waitForSelector(`#licence-table tr[data-identifier="${id}"]`, { state: 'attached' });
  await p.waitForSelector('#issued-view .fields');
  await p.waitForTimeout(1500); // let the PDF viewer draw the preview before screenshots
  return id;
}

async function rowsOf(p: Page, container: string): Promise<Record<string, string>> {
  return p.evaluate<Record<string, string>>(`Object.fromEntries([...document.querySelectorAll('${container} .field')].map((f) => [f.dataset.field, f.querySelector('dd').textContent]))`);
}

let posted = 0;

describe('the issuer console on the 1.1.0 standards', () => {
  it('signs in and offers the business licence under its code in force', async () => {
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/v1/licenses')) posted++;
    });
    await page.goto('/console');
    await waitForFlag(page);
    await signIn(page, MARKET);
    const offered = await page.$$eval('#type-select option', (os) => os.map((o) => (o as any).value as string));
    expect(offered).toContain(currentTypeCode('business-licence'));
  });

  it('business licence: shows only the fields of the chosen entity kind, with that kind\'s required marks', async () => {
    await chooseType(page, currentTypeCode('business-licence'), 'extendInfo.entityKind');
    const shown = async () => page.$$eval('.face-section [data-field]', (ws) => ws.filter((w) => !(w as any).hidden).map((w) => (w as any).dataset.field as string));
    // Before a kind is chosen: the fields every kind has, and a note to choose the kind first.
    expect(await shown()).not.toContain('extendInfo.legalRepresentative');
    expect(await shown()).not.toContain('extendInfo.operator');
    expect(await page.isVisible('.face-section .choose-first')).toBe(true);
    expect(await page.textContent('.face-section .choose-first')).toContain('主体类别');
    // The kinds by name, not by machine value.
    expect(await page.$$eval(`${field('extendInfo.entityKind', 'select')} option`, (os) => os.map((o) => o.textContent))).toEqual(['请选择', '公司', '分公司（分支机构）', '合伙企业', '个体工商户']);

    await page.selectOption(field('extendInfo.entityKind', 'select'), 'company');
    expect(await shown()).toEqual(expect.arrayContaining(['extendInfo.legalRepresentative', 'extendInfo.domicile', 'extendInfo.registeredCapital', 'extendInfo.businessTermFrom']));
    expect(await page.textContent('[data-field="extendInfo.legalRepresentative"] label')).toBe('法定代表人 *');
    await page.fill(field('extendInfo.legalRepresentative'), '不应发送');

    await page.selectOption(field('extendInfo.entityKind', 'select'), 'individual');
    const individualFields = await shown();
    for (const k of ['operator', 'organisationForm', 'businessPlace', 'registrationDate']) expect(individualFields).toContain(`extendInfo.${k}`);
    for (const k of ['legalRepresentative', 'domicile', 'registeredCapital', 'establishmentDate', 'businessTermFrom', 'businessTermTo', 'personInCharge', 'executivePartner'])
      expect(individualFields).not.toContain(`extendInfo.${k}`);
    expect(await page.textContent('[data-field="extendInfo.operator"] label')).toBe('经营者 *');
    expect(await page.getAttribute(field('extendInfo.operator'), 'aria-required')).toBe('true');
    expect(await page.isVisible('.face-section .choose-first')).toBe(false);

    // Required per kind, checked before anything is sent.
    const before = posted;
    await page.click('#issue-submit');
    await page.waitForSelector('#issue-error:not([hidden])');
    expect(await page.textContent(errorOf('extendInfo.operator'))).toBe('必填。');
    expect(await page.getAttribute(field('extendInfo.operator'), 'aria-invalid')).toBe('true');
    expect(posted).toBe(before);
  });

  it('business licence: issues the 个体工商户 licence (201), sends none of the other kinds\' fields, lists it and shows it without machine-only fields', async () => {
    await fillRecord(page, individual);
    await fillFace(page, individual.draft.extendInfo);
    expect(await page.isHidden(errorOf('extendInfo.operator'))).toBe(true);
    await shots(page, 'business-licence-individual-form');
    const { request, status } = await submit(page);
    expect(status).toBe(201);
    const body = request.postDataJSON() as { typeCode: string; data: Record<string, any> };
    expect(body.typeCode).toBe(currentTypeCode('business-licence'));
    expect(body.data.extendInfo).toEqual(individual.draft.extendInfo);
    expect(body.data.relatedItem).toEqual(individual.draft.relatedItem);
    expect(body.data.holder).toEqual(individual.draft.holder);
    await issuedAndListed(page);
    const view = await rowsOf(page, '#issued-view');
    expect(view['extendInfo.operator']).toBe('郑秀英');
    expect(view['relatedItem']).toBe(`${individual.draft.relatedItem!.name} · ${individual.draft.relatedItem!.code}`);
    expect(view['range.validity']).toBe(`${individual.draft.effectiveDate} 至 长期`);
    // entityKind is a machine value (pdfLayout.notPrinted): not shown; nor are the other kinds' absent fields.
    expect(Object.keys(view)).not.toContain('extendInfo.entityKind');
    expect(Object.keys(view)).not.toContain('range.businessTerm');
    expect(await page.textContent('#issued-view')).not.toContain('individual');
    await shots(page, 'business-licence-individual-view');
  });

  it('real-estate title: holder rows are added and removed, a duplicate co-owner is refused at its row by the server', async () => {
    await signIn(page, REGISTRY);
    await chooseType(page, currentTypeCode('real-estate-title'), 'extendInfo.coOwnership');
    expect(await page.textContent('.holder-section > legend')).toBe('持证主体（权利人）');
    await page.click('.add-holder');
    await page.click('.add-holder');
    expect(await page.$$eval('.holder-row', (rs) => rs.map((r) => r.querySelector('h4')!.textContent))).toEqual(['持证主体 2', '持证主体 3']);
    // The new row's first field has the focus; a removed row takes its fields with it and the rest renumber.
    expect(await page.evaluate<string>('document.activeElement?.closest("[data-field]")?.dataset.field')).toBe('otherHolders.1.name');
    await page.fill(field('otherHolders.1.name'), '将被删除');
    await page.click('.holder-row[data-index="0"] .remove-holder');
    expect(await page.$$('.holder-row')).toHaveLength(1);
    expect(await page.inputValue(field('otherHolders.0.name'))).toBe('将被删除');

    await fillRecord(page, title);
    await fillHolder(page, 'otherHolders.0', title.draft.holder); // the first holder again
    // 共有份额 only for 按份共有.
    expect(await page.isHidden('[data-field="extendInfo.shares"]')).toBe(true);
    await page.selectOption(field('extendInfo.coOwnership', 'select'), '按份共有');
    expect(await page.isVisible('[data-field="extendInfo.shares"]')).toBe(true);
    await fillFace(page, title.draft.extendInfo);
    expect(await page.isHidden('[data-field="extendInfo.shares"]')).toBe(true);
    const { status } = await submit(page);
    expect(status).toBe(422);
    await page.waitForSelector(`${errorOf('otherHolders.0.code')}:not([hidden])`);
    expect(await page.textContent(errorOf('otherHolders.0.code'))).toContain('该持证主体已填写过');
    expect(await page.getAttribute(field('otherHolders.0.code'), 'aria-invalid')).toBe('true');
    expect(await page.evaluate<string>('document.activeElement?.closest("[data-field]")?.dataset.field')).toBe('otherHolders.0.code');
  });

  it('real-estate title: issues the title of two co-owners (201) and shows both holders, the printed area and no notPrinted values', async () => {
    await fillHolder(page, 'otherHolders.0', title.draft.otherHolders![0]!);
    await shots(page, 'real-estate-title-form');
    const { request, status } = await submit(page);
    expect(status).toBe(201);
    const body = request.postDataJSON() as { data: Record<string, any> };
    expect(body.data.otherHolders).toEqual(title.draft.otherHolders);
    expect(body.data.extendInfo).toEqual(title.draft.extendInfo);
    const id = await issuedAndListed(page);
    expect(await page.textContent(`#licence-table tr[data-identifier="${id}"]`)).toContain('王丽娟 等 2 人');
    expect(await page.textContent('#issued-alert')).toContain('王丽娟 等 2 人');
    const view = await rowsOf(page, '#issued-view');
    const other = title.draft.otherHolders![0]!;
    expect(view['certificateOtherHolders']).toBe(`${other.name} · ${other.code}（${other.typeName}）`);
    expect(view['extendInfo.areaText']).toBe(title.draft.extendInfo['areaText']);
    for (const k of ['landArea', 'buildingArea', 'landUseTermFrom', 'landUseTermTo']) expect(Object.keys(view)).not.toContain(`extendInfo.${k}`);
    await shots(page, 'real-estate-title-view');

    // The department's list: opening it shows the same, every holder included.
    await page.click('#tab-licences');
    await page.click(`#licence-table tr[data-identifier="${id}"] .act-open`);
    await page.waitForSelector('#licence-detail [data-field="certificateOtherHolders"]');
    expect(await page.textContent('#licence-detail [data-field="certificateOtherHolders"] dd')).toContain(other.name);
    expect(await page.textContent('#detail-heading')).toContain('王丽娟 等 2 人');
  });

  it('driving licence: a text file named .jpg is refused by the server at the photo field; an oversized photo before sending', async () => {
    await signIn(page, TRAFFIC);
    await chooseType(page, currentTypeCode('driving-licence'), 'photos.photo');
    expect(await page.getAttribute(field('photos.photo'), 'accept')).toBe('image/jpeg,image/png');
    expect(await page.textContent('[data-field="photos.photo"] > .hint')).toContain('64 KB');
    await fillRecord(page, driving);
    await fillFace(page, driving.draft.extendInfo);
    expect(await page.$$('[data-field="extendInfo.vehicleClasses"] .item-row')).toHaveLength(2);

    await page.setInputFiles(field('photos.photo'), { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('这不是照片，只是改了扩展名的文本文件。\n') });
    await page.waitForSelector('[data-field="photos.photo"] .photo-note:not([hidden])');
    const { request, status } = await submit(page);
    expect(status).toBe(422);
    expect((request.postDataJSON() as { data: { photos: { photo: { mediaType: string } } } }).data.photos.photo.mediaType).toBe('image/jpeg');
    await page.waitForSelector(`${errorOf('photos.photo')}:not([hidden])`);
    expect(await page.textContent(errorOf('photos.photo'))).toContain('照片无法识别为有效图像');
    expect(await page.getAttribute(field('photos.photo'), 'aria-invalid')).toBe('true');
    await shots(page, 'driving-licence-bad-photo');

    const before = posted;
    await page.setInputFiles(field('photos.photo'), { name: 'big.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([driverJpg, Buffer.alloc(70_000 - driverJpg.length)]) });
    await page.waitForFunction(() => /超过上限 64 KB/.test((globalThis as any).document.querySelector('[data-field="photos.photo"] > .field-error').textContent));
    await page.click('#issue-submit');
    await page.waitForFunction(() => /需要更正/.test((globalThis as any).document.getElementById('issue-error').textContent));
    expect(posted).toBe(before);
  });

  it('driving licence: issues it with the photo and two vehicle classes (201); the view shows the image, the classes with their dates and the validity as one range', async () => {
    await page.setInputFiles(field('photos.photo'), { name: 'driver.jpg', mimeType: 'image/jpeg', buffer: driverJpg });
    await page.waitForSelector('[data-field="photos.photo"] img.photo-preview:not([hidden])');
    expect(await page.isHidden(errorOf('photos.photo'))).toBe(true);
    expect(await page.textContent('[data-field="photos.photo"] .photo-note')).toContain('360×480');
    await shots(page, 'driving-licence-form');
    const { request, status } = await submit(page);
    expect(status).toBe(201);
    const body = request.postDataJSON() as { data: Record<string, any> };
    expect(body.data.photos).toEqual({ photo: { mediaType: 'image/jpeg', data: driverJpg.toString('base64') } });
    expect(body.data.extendInfo).toEqual(driving.draft.extendInfo);
    const id = await issuedAndListed(page);
    const view = await rowsOf(page, '#issued-view');
    expect(view['extendInfo.vehicleClasses']).toBe('C1（准驾日期 1998-07-18）；B2（准驾日期 2006-03-20）');
    expect(view['extendInfo.licenceState']).toBe('A 正常');
    expect(view['range.validity']).toBe(`${driving.draft.effectiveDate} 至 ${driving.draft.expiringDate}`);
    expect(Object.keys(view)).not.toContain('certificateEffectiveDate');
    expect(await page.getAttribute('#issued-view [data-field="extendInfo.photo"] img', 'src')).toBe(`data:image/jpeg;base64,${driverJpg.toString('base64')}`);
    expect(await page.textContent('#issued-view')).not.toContain('sha256');
    // The page hashes the image itself and compares it with the signed reference.
    await page.waitForFunction(() => /照片已核验/.test((globalThis as any).document.querySelector('#issued-view [data-field="extendInfo.photo"] figcaption').textContent));
    // The image has loaded (a broken image has no natural size).
    expect(await page.$eval('#issued-view [data-field="extendInfo.photo"] img', (img) => (img as any).naturalWidth as number)).toBe(360);
    await shots(page, 'driving-licence-view');

    // In English too.
    await page.click('#lang-toggle');
    await page.click('#issue-next');
    await page.waitForSelector('[data-field="extendInfo.vehicleClasses"] .add-row');
    expect(await page.textContent('[data-field="extendInfo.vehicleClasses"] .add-row')).toBe('Add one');
    expect(await page.textContent('[data-field="extendInfo.licenceState"]')).toContain('A Normal');
    expect(await page.textContent('[data-field="photos.photo"] > .hint')).toContain('JPEG or PNG, at most 64 KB');
    await page.screenshot({ path: join(SHOTS, 'driving-licence-form-english-desktop.png'), fullPage: true });
    await page.click('#lang-toggle');

    // The verifier page: the downloaded JSON verifies; its answer carries no image, so the photo is described, never dumped.
    await page.click('#tab-licences');
    await page.click(`#licence-table tr[data-identifier="${id}"] .act-open`);
    await page.waitForSelector('#licence-detail [data-field="extendInfo.photo"] img');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#licence-detail .act-json')]);
    const json = readFileSync((await download.path())!, 'utf8');
    const verifier = await page.context().newPage();
    await verifier.setViewportSize(DESKTOP);
    await verifier.goto('/verify');
    await waitForFlag(verifier);
    await verifier.fill('#paste-input', json);
    await verifier.click('#paste-submit');
    expect(await verdictOf(verifier)).toBe('accepted');
    const licence = await verifier.textContent('[data-section="licence"]');
    expect(licence).toContain('陈志强');
    expect(licence).not.toMatch(/sha256"|\{"mediaType/);
    expect(await verifier.textContent('[data-section="licence"] [data-field="extendInfo.photo"] dd')).toMatch(/照片已核验|照片已签名登记/);
    await shots(verifier, 'driving-licence-verifier');
    await verifier.close();
  });
});
