/**
 * The self-check of batch licences on worker threads (issue 17): a worker answers as the check on the main
 * thread does, from the trust parts it is sent, and a worker that dies hands its checks back.
 */
import { selfCheckLicense } from '../../../src/issue/issueLicense';
import { buildDemoRegion, type DemoRegion } from '../../../src/demo/buildDemoRegion';
import type { FullForm } from '../../../src/format/FullForm';
import { SelfCheckPool } from '../../../src/region/licenses/SelfCheckPool';
import { selfCheckTrustOf, trustForSelfCheck } from '../../../src/region/licenses/selfCheckTrust';
import { StandardsCatalog } from '../../../src/standards/StandardsCatalog';

describe('SelfCheckPool', () => {
  const catalog = StandardsCatalog.load();
  let demo: DemoRegion;
  let form: FullForm;
  let at: Date;
  let pool: SelfCheckPool;
  beforeAll(async () => {
    const now = new Date();
    demo = await buildDemoRegion({ catalog, now: new Date(now.getTime() - 3_600_000) });
    form = demo.licenses.find((l) => l.slug === 'business-licence')!.form;
    at = now;
    pool = new SelfCheckPool(1);
  }, 120_000);
  afterAll(() => pool?.close());

  const partsOf = (f: FullForm) => {
    const uscc = f.license['certificateIssuingAuthorityCode'] as string;
    return selfCheckTrustOf(demo.trust, uscc, demo.timestampAuthority.keyId)!;
  };

  it('the trust parts answer as the node trust does for the department and its time-stamping authority, and know nothing else', () => {
    const parts = partsOf(form);
    expect(parts).not.toBeNull();
    const t = trustForSelfCheck(parts);
    const uscc = parts.department.uscc;
    expect(t.lookupDepartment(uscc)).toEqual(demo.trust.lookupDepartment(uscc));
    expect(t.lookupTimestampAuthority(demo.timestampAuthority.keyId)?.fingerprint).toBe(demo.trust.lookupTimestampAuthority(demo.timestampAuthority.keyId)?.fingerprint);
    expect(t.anchors.map((a) => a.fingerprint)).toEqual(demo.trust.anchors.map((a) => a.fingerprint));
    expect(t.lookupDepartment('91350102EL0000017D')).toBeUndefined();
    expect(() => selfCheckLicense(form, { trust: t, catalog, at })).not.toThrow();
  });

  it('a worker passes a good licence and refuses a changed one with the code the main thread gives', async () => {
    const parts = partsOf(form);
    await expect(pool.check(JSON.stringify(form), parts, 'k1', at)).resolves.toBeUndefined();
    const changed: FullForm = { ...form, license: { ...form.license, certificateHolderName: '另一个人' } };
    let here: unknown;
    try {
      selfCheckLicense(changed, { trust: demo.trust, catalog, at });
    } catch (e) {
      here = e;
    }
    expect(here).toMatchObject({ code: 'ISSUANCE_SELF_CHECK_FAILED' });
    await expect(pool.check(JSON.stringify(changed), parts, 'k1', at)).rejects.toMatchObject({ code: 'ISSUANCE_SELF_CHECK_FAILED', message: (here as Error).message });
  }, 120_000);

  it('a worker that stops rejects its pending checks with a plain error (the caller checks them itself); the next check starts a new one', async () => {
    const parts = partsOf(form);
    const pending = Array.from({ length: 20 }, () => pool.check(JSON.stringify(form), parts, 'k2', at));
    await pool.close();
    const settled = await Promise.allSettled(pending);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).not.toHaveProperty('code');
    await expect(pool.check(JSON.stringify(form), parts, 'k2', at)).resolves.toBeUndefined();
  }, 120_000);

  it('size 0 is off: every check rejects at once', async () => {
    await expect(new SelfCheckPool(0).check(JSON.stringify(form), partsOf(form), 'k', at)).rejects.toThrow('off');
  });
});
