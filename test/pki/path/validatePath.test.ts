import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { OID } from '../../../src/pki/oids';
import { validatePath } from '../../../src/pki/path/validatePath';
import { PathValidationResult } from '../../../src/pki/path/PathErrorCode';
import { Issued, KU, NOW, dnsNameConstraints, issue, newKeys, simpleChain } from './chainFactory';

const DAY = 86_400_000;

function run(leaf: Issued, intermediates: Issued[], anchors: Issued[], extra: Partial<Parameters<typeof validatePath>[0]> = {}): PathValidationResult {
  return validatePath({ leaf: leaf.der, intermediates: intermediates.map((c) => c.der), anchors: anchors.map((c) => c.der), time: NOW, ...extra });
}

function codeOf(r: PathValidationResult): string {
  return r.ok ? 'OK' : r.code;
}

describe('validatePath: good chains', () => {
  test.each(['p256', 'ed25519', 'rsa'] as const)('%s root -> intermediate -> leaf', async (alg) => {
    const { root, ica, leaf } = await simpleChain(alg);
    const r = run(leaf, [ica], [root], { leafKeyUsage: ['digitalSignature'], eku: OID.ekuTimeStamping });
    expect(codeOf(r)).toBe('OK');
    if (r.ok) expect(r.chain.map((c) => c.subject.text)).toEqual(['CN=Department, O=Region', 'CN=Test ICA, O=Region', 'CN=Test Root, O=Region']);
  });

  test('validity window is the intersection of all validity periods', async () => {
    const root = await issue({ subject: 'CN=R', ca: true, notBefore: new Date(NOW.getTime() - 100 * DAY), notAfter: new Date(NOW.getTime() + 1000 * DAY) });
    const ica = await issue({ subject: 'CN=I', issuer: root, ca: true, notBefore: new Date(NOW.getTime() - 10 * DAY), notAfter: new Date(NOW.getTime() + 50 * DAY) });
    const leaf = await issue({ subject: 'CN=L', issuer: ica, notBefore: new Date(NOW.getTime() - 20 * DAY), notAfter: new Date(NOW.getTime() + 500 * DAY) });
    const r = run(leaf, [ica], [root]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.validFrom.toISOString()).toBe(new Date(NOW.getTime() - 10 * DAY).toISOString());
    expect(r.validUntil.toISOString()).toBe(new Date(NOW.getTime() + 50 * DAY).toISOString());
    // the window is honest: at its edges the path still validates, just outside it does not
    expect(run(leaf, [ica], [root], { time: r.validUntil }).ok).toBe(true);
    expect(codeOf(run(leaf, [ica], [root], { time: new Date(r.validUntil.getTime() + 1000) }))).toBe('CERT_EXPIRED');
    expect(codeOf(run(leaf, [ica], [root], { time: new Date(r.validFrom.getTime() - 1000) }))).toBe('CERT_NOT_YET_VALID');
  });

  test('accepts parsed certificates as input and ignores junk in the pool', async () => {
    const { root, ica, leaf } = await simpleChain();
    const r = validatePath({ leaf: leaf.der, intermediates: [new Uint8Array([1, 2, 3]), ica.der, root.der], anchors: [root.der], time: NOW });
    expect(r.ok).toBe(true);
  });
});

describe('validatePath: each failure code', () => {
  test('expired and not-yet-valid leaf', async () => {
    const { root, ica } = await simpleChain();
    const old = await issue({ subject: 'CN=L', issuer: ica, notBefore: new Date(NOW.getTime() - 10 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    const young = await issue({ subject: 'CN=L', issuer: ica, notBefore: new Date(NOW.getTime() + DAY) });
    expect(run(old, [ica], [root])).toMatchObject({ ok: false, code: 'CERT_EXPIRED', certificate: 0 });
    expect(run(young, [ica], [root])).toMatchObject({ ok: false, code: 'CERT_NOT_YET_VALID', certificate: 0 });
  });

  test('expired and not-yet-valid intermediate', async () => {
    const root = await issue({ subject: 'CN=R', ca: true });
    const oldIca = await issue({ subject: 'CN=I', issuer: root, ca: true, notBefore: new Date(NOW.getTime() - 10 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    const leaf = await issue({ subject: 'CN=L', issuer: oldIca });
    expect(run(leaf, [oldIca], [root])).toMatchObject({ ok: false, code: 'CERT_EXPIRED', certificate: 1 });
    const youngIca = await issue({ subject: 'CN=I', issuer: root, ca: true, keys: oldIca.keys, notBefore: new Date(NOW.getTime() + DAY) });
    expect(run(leaf, [youngIca], [root])).toMatchObject({ ok: false, code: 'CERT_NOT_YET_VALID', certificate: 1 });
  });

  test('expired anchor', async () => {
    const root = await issue({ subject: 'CN=R', ca: true, notBefore: new Date(NOW.getTime() - 10 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    const leaf = await issue({ subject: 'CN=L', issuer: root });
    expect(run(leaf, [], [root])).toMatchObject({ ok: false, code: 'CERT_EXPIRED', certificate: 1 });
  });

  test('wrong signature', async () => {
    const { root, ica } = await simpleChain();
    const forged = await issue({ subject: 'CN=L', issuer: ica, signWith: await newKeys() });
    expect(run(forged, [ica], [root])).toMatchObject({ ok: false, code: 'CHAIN_SIGNATURE_INVALID', certificate: 0 });
  });

  test('issuer without the CA flag, without basicConstraints, without keyCertSign', async () => {
    const root = await issue({ subject: 'CN=R', ca: true });
    const notCa = await issue({ subject: 'CN=I', issuer: root, ca: false, keyUsage: KU.keyCertSign | KU.digitalSignature });
    expect(codeOf(run(await issue({ subject: 'CN=L', issuer: notCa }), [notCa], [root]))).toMatch(/CA_NOT_AUTHORIZED|CERT_PROFILE_INVALID/);
    const noBc = await issue({ subject: 'CN=I2', issuer: root, noBasicConstraints: true, keyUsage: KU.keyCertSign });
    expect(run(await issue({ subject: 'CN=L', issuer: noBc }), [noBc], [root])).toMatchObject({ code: 'CA_NOT_AUTHORIZED', certificate: 1 });
    const noCertSign = await issue({ subject: 'CN=I3', issuer: root, ca: true, keyUsage: KU.digitalSignature });
    expect(run(await issue({ subject: 'CN=L', issuer: noCertSign }), [noCertSign], [root])).toMatchObject({ code: 'CA_NOT_AUTHORIZED', certificate: 1 });
  });

  test('pathLenConstraint exceeded', async () => {
    const root = await issue({ subject: 'CN=R', ca: true, pathLen: 0 });
    const ica = await issue({ subject: 'CN=I', issuer: root, ca: true });
    const leaf = await issue({ subject: 'CN=L', issuer: ica });
    expect(run(leaf, [ica], [root])).toMatchObject({ ok: false, code: 'PATH_LENGTH_EXCEEDED', certificate: 2 });
    // pathLen 0 still allows a leaf directly below
    expect(run(await issue({ subject: 'CN=L2', issuer: root }), [], [root]).ok).toBe(true);
  });

  test('leaf key usage must include digitalSignature when asked', async () => {
    const { root, ica } = await simpleChain();
    const leaf = await issue({ subject: 'CN=L', issuer: ica, keyUsage: KU.keyEncipherment });
    expect(run(leaf, [ica], [root]).ok).toBe(true);
    expect(run(leaf, [ica], [root], { leafKeyUsage: ['digitalSignature'] })).toMatchObject({ code: 'KEY_USAGE_NOT_ALLOWED', certificate: 0 });
  });

  test('EKU: required purpose, any, and restriction by an intermediate', async () => {
    const { root, ica, leaf } = await simpleChain();
    expect(run(leaf, [ica], [root], { eku: OID.ekuLicenseSigning })).toMatchObject({ code: 'EKU_NOT_ALLOWED', certificate: 0 });
    expect(run(leaf, [ica], [root], { eku: 'any' }).ok).toBe(true);
    const anyLeaf = await issue({ subject: 'CN=L', issuer: ica, eku: [OID.anyExtendedKeyUsage] });
    expect(codeOf(run(anyLeaf, [ica], [root], { eku: OID.ekuLicenseSigning }))).toBe('EKU_NOT_ALLOWED');
    const narrowIca = await issue({ subject: 'CN=NI', issuer: root, ca: true, eku: [OID.ekuTrustListSigning] });
    const signer = await issue({ subject: 'CN=S', issuer: narrowIca, eku: [OID.ekuLicenseSigning] });
    expect(run(signer, [narrowIca], [root], { eku: OID.ekuLicenseSigning })).toMatchObject({ code: 'EKU_NOT_ALLOWED', certificate: 1 });
    expect(codeOf(run(signer, [narrowIca], [root]))).toBe('EKU_NOT_ALLOWED');
  });

  test('unknown critical extension on leaf and intermediate', async () => {
    const crit = new x509.Extension('1.3.6.1.4.1.55555.1', true, new Uint8Array([5, 0]));
    const root = await issue({ subject: 'CN=R', ca: true });
    const ica = await issue({ subject: 'CN=I', issuer: root, ca: true, extensions: [crit] });
    const leafA = await issue({ subject: 'CN=L', issuer: ica });
    expect(run(leafA, [ica], [root])).toMatchObject({ code: 'UNKNOWN_CRITICAL_EXTENSION', certificate: 1 });
    const leafB = await issue({ subject: 'CN=L', issuer: root, extensions: [crit] });
    expect(run(leafB, [], [root])).toMatchObject({ code: 'UNKNOWN_CRITICAL_EXTENSION', certificate: 0 });
    const nonCrit = new x509.Extension('1.3.6.1.4.1.55555.1', false, new Uint8Array([5, 0]));
    expect(run(await issue({ subject: 'CN=L', issuer: root, extensions: [nonCrit] }), [], [root]).ok).toBe(true);
  });

  test('issuer name does not chain', async () => {
    const { root, ica } = await simpleChain();
    const leaf = await issue({ subject: 'CN=L', issuer: ica, issuerName: 'CN=Someone Else' });
    expect(run(leaf, [ica], [root])).toMatchObject({ ok: false, code: 'CHAIN_UNTRUSTED' });
  });

  test('self-signed leaf that is not an anchor', async () => {
    const { root } = await simpleChain();
    const self = await issue({ subject: 'CN=Me' });
    expect(run(self, [self], [root])).toMatchObject({ ok: false, code: 'CHAIN_UNTRUSTED' });
    // even if it is listed as an anchor, a leaf cannot vouch for itself
    expect(run(self, [], [self])).toMatchObject({ ok: false, code: 'CHAIN_UNTRUSTED' });
  });

  test('a CA certificate as leaf is refused', async () => {
    const { root, ica } = await simpleChain();
    expect(run(ica, [], [root])).toMatchObject({ code: 'CA_USED_AS_END_ENTITY', certificate: 0 });
  });

  test('malformed leaf DER', () => {
    expect(validatePath({ leaf: new Uint8Array([0x30, 0x03, 0x02, 0x01]), intermediates: [], anchors: [], time: NOW })).toMatchObject({
      ok: false,
      code: 'CERT_MALFORMED',
    });
  });

  test('name constraints on the anchor apply to the leaf', async () => {
    const nc = dnsNameConstraints(['region.example']);
    const root = await issue({ subject: 'CN=R', ca: true, extensions: [nc] });
    const inside = await issue({ subject: 'CN=L', issuer: root, extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'a.region.example' }])] });
    const outside = await issue({ subject: 'CN=L', issuer: root, extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'evil.example' }])] });
    expect(run(inside, [], [root]).ok).toBe(true);
    expect(run(outside, [], [root])).toMatchObject({ code: 'NAME_CONSTRAINTS_VIOLATED', certificate: 0 });
  });
});

describe('validatePath: hostile pools', () => {
  test('a chain of 50 certificates is refused quickly as too long', async () => {
    const keys = await newKeys();
    const root = await issue({ subject: 'CN=C0', ca: true, keys });
    const chain: Issued[] = [root];
    for (let i = 1; i < 50; i++) chain.push(await issue({ subject: `CN=C${i}`, issuer: chain[i - 1]!, ca: true, keys: await newKeys() }));
    const leaf = await issue({ subject: 'CN=Leaf', issuer: chain[49]! });
    const t0 = performance.now();
    const r = run(leaf, chain.slice(1).reverse(), [root]);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r).toMatchObject({ ok: false, code: 'CHAIN_TOO_LONG' });
    // with a large enough depth it validates
    expect(run(leaf, chain.slice(1), [root], { maxDepth: 60 }).ok).toBe(true);
  });

  test('loops between cross-signed intermediates terminate', async () => {
    const root = await issue({ subject: 'CN=R', ca: true });
    const ka = await newKeys();
    const kb = await newKeys();
    const seedA = await issue({ subject: 'CN=A', ca: true, keys: ka });
    const seedB = await issue({ subject: 'CN=B', ca: true, keys: kb });
    const aByB = await issue({ subject: 'CN=A', issuer: seedB, ca: true, keys: ka });
    const bByA = await issue({ subject: 'CN=B', issuer: seedA, ca: true, keys: kb });
    const leaf = await issue({ subject: 'CN=L', issuer: seedA });
    expect(run(leaf, [aByB, bByA], [root])).toMatchObject({ ok: false, code: 'CHAIN_UNTRUSTED' });
    // once one of them is cross-signed by the root, the path is found through the cycle
    const bByRoot = await issue({ subject: 'CN=B', issuer: root, ca: true, keys: kb });
    const r = run(leaf, [aByB, bByA, bByRoot], [root]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.chain.map((c) => c.subject.text)).toEqual(['CN=L', 'CN=A', 'CN=B', 'CN=R']);
  });

  test('a pool of many mutually cross-signed CAs does not blow up', async () => {
    const root = await issue({ subject: 'CN=R', ca: true });
    const n = 8;
    const keys = await Promise.all(Array.from({ length: n }, () => newKeys()));
    const seeds = await Promise.all(keys.map((k, i) => issue({ subject: `CN=X${i}`, ca: true, keys: k })));
    const pool: Issued[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) pool.push(await issue({ subject: `CN=X${i}`, issuer: seeds[j]!, ca: true, keys: keys[i]! }));
    const leaf = await issue({ subject: 'CN=L', issuer: seeds[0]! });
    const t0 = performance.now();
    const r = run(leaf, pool, [root]);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r.ok).toBe(false);
    expect(['CHAIN_UNTRUSTED', 'CHAIN_TOO_LONG', 'PATH_BUILDING_LIMIT']).toContain(codeOf(r));
  });
});
