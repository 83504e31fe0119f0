/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * The holder's tables (migration 0010) and the HTTP-free functions peers reach: the wallet by holder and
 * co-holder, single-use presentations, grants with their counts, the usage log per holder and per department.
 */
import { isElicenseError } from '../../src/errors';
import { grantCodeDigest, makeGrantCode, normaliseGrantCode } from '../../src/holder/grantCode';
import { defaultGrantStores, redeemGrant, readGrantLicense, type GrantCaller } from '../../src/holder/grants';
import { consumePresentation } from '../../src/holder/presentations';
import { SqlHolderStore, type NewGrant } from '../../src/store/HolderStore';
import { SqlLicenseStore } from '../../src/store/LicenseStore';
import { describeStores } from '../store/storeBackends';
import { T0, TYPE_A, addDepartment, licenseFor } from '../store/storeFixtures';

const store = new SqlHolderStore();
const licenses = new SqlLicenseStore();
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

let n = 0;
const random = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 37 + ++n * 11) & 0xff);

async function codeOf(e: Promise<unknown>): Promise<string> {
  try {
    await e;
  } catch (err) {
    if (isElicenseError(err)) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('authorisation codes', () => {
  it('region prefix and 16 Crockford characters; typed forms normalise to the written one', () => {
    const code = makeGrantCode('350000', () => new Uint8Array(10).fill(0xff));
    expect(code).toBe('350000-ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    const made = makeGrantCode('350000', random);
    expect(made).toMatch(/^350000(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
    expect(normaliseGrantCode(made.toLowerCase().replace(/-/g, ' '))).toEqual({ region: '350000', code: made });
    expect(normaliseGrantCode('350000-0O1I-L000-0000-0000')?.code).toBe('350000-0011-1000-0000-0000');
    for (const bad of ['', '350000', '35000-AAAA-AAAA-AAAA-AAAA', '350000-UUUU-AAAA-AAAA-AAAA', 42, 'x'.repeat(100)]) expect(normaliseGrantCode(bad)).toBeNull();
    expect(grantCodeDigest(made)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describeStores('holder store', (h) => {
  const OWNER = '350121199501300887';
  const CO = '350121199302141211';
  const OTHER = '35010419751102135X';
  let identifier: string;
  let dept: string;
  let user: string;

  beforeAll(async () => {
    dept = await addDepartment(h.db());
    user = await addDepartment(h.db());
    identifier = await h.db().transaction(async (tx) => {
      const [slot] = await licenses.allocateStatusSlots(tx, dept, 1, T0);
      const l = licenseFor(dept, 'H1', slot!, {
        record: { certificateHolderCode: OWNER, certificateHolderName: '王丽娟', certificateOtherHolders: [{ code: CO, name: '李俊峰' }] },
      });
      await licenses.insert(tx, [l]);
      return l.identifier;
    });
  });

  it('the wallet finds a licence by its first holder and by a co-holder, not by anyone else', async () => {
    expect((await store.walletLicenses(h.db(), OWNER)).map((l) => l.identifier)).toEqual([identifier]);
    expect((await store.walletLicenses(h.db(), CO)).map((l) => l.identifier)).toEqual([identifier]);
    expect(await store.walletLicenses(h.db(), OTHER)).toEqual([]);
    expect((await store.walletLicense(h.db(), CO, identifier))?.fullForm).toContain('signed');
    expect(await store.walletLicense(h.db(), OTHER, identifier)).toBeNull();
    expect((await store.walletLicensesOfType(h.db(), CO, TYPE_A)).map((l) => l.identifier)).toEqual([identifier]);
    const holders = await store.holdersOfLicenses(h.db(), 100);
    expect(holders).toEqual(expect.arrayContaining([{ code: OWNER, name: '王丽娟' }, { code: CO, name: '李俊峰' }]));
  });

  it('a presentation is consumed once, never after it expires; uses are logged for both holders', async () => {
    await store.insertPresentation(h.db(), { presentationId: 'p-once', licenseIdentifier: identifier, holderCode: CO, createdAt: T0, expiresAt: at(300) });
    const resolver = { kind: 'verifier' as const, region: '350000', auditActor: 'public' };
    const first = await h.db().transaction((tx) => consumePresentation(tx, { presentationId: 'p-once', now: at(10), resolver }));
    expect(first).toMatchObject({ identifier, status: 'valid', presentationId: 'p-once' });
    expect(await codeOf(h.db().transaction((tx) => consumePresentation(tx, { presentationId: 'p-once', now: at(11), resolver })))).toBe('PRESENTATION_USED');
    await store.insertPresentation(h.db(), { presentationId: 'p-late', licenseIdentifier: identifier, holderCode: CO, createdAt: T0, expiresAt: at(300) });
    expect(await codeOf(h.db().transaction((tx) => consumePresentation(tx, { presentationId: 'p-late', now: at(300), resolver })))).toBe('PRESENTATION_EXPIRED');
    expect(await codeOf(h.db().transaction((tx) => consumePresentation(tx, { presentationId: 'p-none', now: at(1), resolver })))).toBe('PRESENTATION_UNKNOWN');
    await store.insertPresentation(h.db(), { presentationId: 'p-race', licenseIdentifier: identifier, holderCode: CO, createdAt: T0, expiresAt: at(300) });
    const race = await Promise.all([1, 2, 3].map(() => codeOf(h.db().transaction((tx) => consumePresentation(tx, { presentationId: 'p-race', now: at(20), resolver })))));
    expect(race.sort()).toEqual(['PRESENTATION_USED', 'PRESENTATION_USED', 'accepted']);
    for (const holder of [OWNER, CO]) {
      const uses = await store.usageOfHolder(h.db(), holder, { limit: 10 });
      expect(uses.filter((u) => u.kind === 'presentation').map((u) => u.presentationId).sort()).toEqual(['p-once', 'p-race']);
    }
    expect(await store.usageOfHolder(h.db(), OTHER, { limit: 10 })).toEqual([]);
  });

  describe('grants', () => {
    const caller = (uscc: string, region = '350000'): GrantCaller => ({ kind: 'department', auditActor: 'ak_test', department: { region, uscc, name: 'Department' } });
    function newGrant(code: string, extra: Partial<NewGrant> = {}): NewGrant {
      return {
        grantId: `gr_${code.slice(-9).replace(/-/g, '')}`,
        codeSha256: grantCodeDigest(code),
        holderCode: OWNER,
        licenseIdentifier: identifier,
        typeCode: null,
        department: { region: '350000', uscc: user },
        serviceItem: { name: '不动产抵押登记', code: null },
        caseNumber: 'C-1',
        createdAt: T0,
        expiresAt: at(3600),
        maxUses: 2,
        ...extra,
      };
    }

    it('the named department redeems once and reads within the count; the others are refused in order', async () => {
      const code = makeGrantCode('350000', random);
      const g = newGrant(code);
      await store.insertGrant(h.db(), g);
      const redeem = (c: GrantCaller, now = at(5), text = code) => h.db().transaction((tx) => redeemGrant(tx, { code: text, caller: c, now }));
      expect(await codeOf(redeem(caller(dept)))).toBe('GRANT_WRONG_DEPARTMENT');
      expect(await codeOf(redeem(caller(user, '440000')))).toBe('GRANT_WRONG_DEPARTMENT');
      expect(await codeOf(redeem(caller(user), at(3600)))).toBe('GRANT_EXPIRED');
      expect(await codeOf(redeem(caller(user), at(5), '350000-0000-0000-0000-0000'))).toBe('GRANT_UNKNOWN');
      expect(await codeOf(redeem(caller(user), at(5), 'not a code'))).toBe('GRANT_UNKNOWN');
      const results = await Promise.all([redeem(caller(user)).then(() => 'accepted'), codeOf(redeem(caller(user)))]);
      expect(results.sort()).toEqual(['GRANT_ALREADY_REDEEMED', 'accepted']);
      const read = () => h.db().transaction((tx) => readGrantLicense(tx, { grantId: g.grantId, identifier, caller: caller(user), now: at(6) }));
      expect((await read()).readsLeft).toBe(0);
      expect(await codeOf(read())).toBe('GRANT_EXHAUSTED');
      expect(await codeOf(h.db().transaction((tx) => readGrantLicense(tx, { grantId: g.grantId, identifier: 'other', caller: caller(dept), now: at(6) })))).toBe('GRANT_WRONG_DEPARTMENT');
      const row = await store.grant(h.db(), g.grantId);
      expect(row).toMatchObject({ uses: 2, redeemedAt: at(5), revokedAt: null });
      const deptUses = await store.usageOfDepartment(h.db(), '350000', user, { limit: 10 });
      expect(deptUses.map((u) => u.kind)).toEqual(['read', 'exchange']);
      expect(await store.usageOfDepartment(h.db(), '440000', user, { limit: 10 })).toEqual([]);
      expect(await store.usageOfDepartment(h.db(), '350000', dept, { limit: 10 })).toEqual([]);
      const page = await store.usageOfDepartment(h.db(), '350000', user, { limit: 1, before: deptUses[0]!.eventId });
      expect(page.map((u) => u.kind)).toEqual(['exchange']);
    });

    it('revoked grants are refused; only their holder revokes; a read before the exchange is refused', async () => {
      const code = makeGrantCode('350000', random);
      const g = newGrant(code);
      await store.insertGrant(h.db(), g);
      expect(await codeOf(h.db().transaction((tx) => readGrantLicense(tx, { grantId: g.grantId, identifier, caller: caller(user), now: at(6) })))).toBe('GRANT_UNKNOWN');
      expect(await store.revokeGrant(h.db(), g.grantId, CO, at(7))).toBeNull();
      expect((await store.revokeGrant(h.db(), g.grantId, OWNER, at(7)))?.revokedAt).toEqual(at(7));
      expect(await store.revokeGrant(h.db(), g.grantId, OWNER, at(8))).toBeNull();
      expect(await codeOf(h.db().transaction((tx) => redeemGrant(tx, { code, caller: caller(user), now: at(9) })))).toBe('GRANT_REVOKED');
      expect((await store.grantsOf(h.db(), OWNER)).map((x) => x.grantId)).toContain(g.grantId);
    });

    it('a revoked licence is refused at the exchange; the grant keeps its use', async () => {
      const code = makeGrantCode('350000', random);
      const revokedId = await h.db().transaction(async (tx) => {
        const [slot] = await licenses.allocateStatusSlots(tx, dept, 1, T0);
        const l = licenseFor(dept, 'H2', slot!, { record: { certificateHolderCode: OWNER } });
        await licenses.insert(tx, [l]);
        await licenses.changeStatus(tx, { identifier: l.identifier, to: 'revoked', reason: 'test', actor: 'ak_test', at: T0 });
        return l.identifier;
      });
      const g = newGrant(code, { licenseIdentifier: revokedId });
      await store.insertGrant(h.db(), g);
      expect(await codeOf(h.db().transaction((tx) => redeemGrant(tx, { code, caller: caller(user), now: at(5) })))).toBe('LICENSE_REVOKED');
      expect((await store.grant(h.db(), g.grantId))?.uses).toBe(0);
    });

    it('the table refuses a grant of both a licence and a type, or a use beyond the count', async () => {
      const code = makeGrantCode('350000', random);
      await expect(store.insertGrant(h.db(), newGrant(code, { typeCode: TYPE_A }))).rejects.toThrow();
      const g = newGrant(makeGrantCode('350000', random), { maxUses: 1 });
      await store.insertGrant(h.db(), g);
      await store.useGrant(h.db(), g.grantId, at(1));
      await expect(store.useGrant(h.db(), g.grantId, at(2))).rejects.toThrow(/no use left/);
      expect(defaultGrantStores().holder).toBeInstanceOf(SqlHolderStore);
    });
  });
});

describe('the presentation QR', () => {
  it('is drawn at level L, smaller than at Q, and is null (not a failure) when the text cannot fit a QR', async () => {
    const { presentationQrSvg } = await import('../../src/holder/HolderSide');
    const { qrSymbolOf } = await import('../../src/forms/image/renderQrImage');
    const text = `LP1:${'a'.repeat(1611)}`;
    const svg = await presentationQrSvg(text);
    expect(svg).toContain('<svg');
    const side = Number(/viewBox="0 0 (\d+) /.exec(svg!)![1]) - 8;
    expect(side).toBeLessThan(qrSymbolOf(text).size);
    expect(await presentationQrSvg('x'.repeat(4000))).toBeNull();
  });
});
