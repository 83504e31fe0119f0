/**
 * SM2 with SM3 on the three forms (issue 12, items 3 and 7; docs/adr/0009,
 * section "Forms"): the PDF's CAdES signature (SM3 digest, SM3withSM2, DER
 * SEQUENCE { r, s } with the default ID), the compact QR (COSE alg -65537,
 * raw r‖s) and the full form's detached JWS (alg "SM2"). The signer is a
 * SoftwareSigner over an SM2 key and a self-signed SM3withSM2 certificate
 * made by the OpenSSL command line; the tests check the signature steps, not
 * a chain verdict.
 */
import { generateKeyPairSync } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { ecdsaDerToP1363 } from '../../src/crypto/ecdsaDerToP1363';
import { ecdsaP1363ToDer } from '../../src/crypto/ecdsaP1363ToDer';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import { sm2Verify } from '../../src/crypto/sm2/sm2Verify';
import type { DemoRegion } from '../../src/demo/buildDemoRegion';
import { CADES_OID } from '../../src/forms/pdf/cadesOids';
import { renderLicensePdf } from '../../src/forms/pdf/renderLicensePdf';
import { COSE_ALGORITHMS, coseSign1ToBeSigned } from '../../src/forms/qr/coseSign1';
import { decodeCompactLicense, encodeCompactLicense } from '../../src/forms/qr/compactLicense';
import { signLicense } from '../../src/issue/signLicense';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { checkFullFormSignature } from '../../src/verify/checkSignature';
import { verifyCadesSignature } from '../../src/verify/forms/verifyCadesSignature';
import { verifyCoseSign1 } from '../../src/verify/forms/verifyCoseSign1';
import { ResultBuilder } from '../../src/verify/ResultBuilder';
import { SignerCache } from '../../src/verify/SignerCache';
import { NOW, demoRegion, fonts, qrTextFor, sealPng, toolAvailable } from './pdf/pdfTestRegion';

const hasOpenSsl = toolAvailable('openssl');
const describeWithOpenssl = hasOpenSsl ? describe : describe.skip;
const dir = mkdtempSync(join(tmpdir(), 'elicense-sm2-forms-'));
const DISTID = 'distid:1234567812345678';

let demo: DemoRegion;
let signer: SoftwareSigner;
let certificateDer: Buffer;

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'latin1' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  demo = await demoRegion();
  if (!hasOpenSsl) return;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const made = openssl(['req', '-x509', '-new', '-key', join(dir, 'key.pem'), '-sm3', '-sigopt', DISTID, '-subj', '/CN=elicense SM2 forms test', '-days', '30', '-outform', 'DER', '-out', join(dir, 'cert.der')]);
  if (made.status !== 0) throw new Error(made.out);
  certificateDer = readFileSync(join(dir, 'cert.der'));
  signer = new SoftwareSigner(privateKey, [certificateDer]);
});

/** Splits a signed PDF into what was signed and the CMS that signs it (the zero padding cut at the DER length). */
function signatureParts(pdf: Uint8Array): { signed: Buffer; cms: Buffer } {
  const text = Buffer.from(pdf).toString('latin1');
  const range = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text);
  if (!range) throw new Error('no /ByteRange');
  const [a, b, c, d] = range.slice(1).map(Number) as [number, number, number, number];
  const signed = Buffer.concat([Buffer.from(pdf.subarray(a, a + b)), Buffer.from(pdf.subarray(c, c + d))]);
  const padded = Buffer.from(text.slice(a + b, c).replace(/[<>\s]/g, ''), 'hex');
  const octets = padded[1]! & 0x7f;
  let len = 0;
  for (let i = 0; i < octets; i++) len = len * 256 + padded[2 + i]!;
  return { signed, cms: padded.subarray(0, 2 + octets + len) };
}

const hexOid = (oid: string) => {
  const [a, b, ...rest] = oid.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const parts = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) parts.unshift((v & 0x7f) | 0x80);
    bytes.push(...parts);
  }
  return Buffer.concat([Buffer.of(0x06, bytes.length), Buffer.from(bytes)]);
};

/** The last OCTET STRING of the CMS (the SignerInfo's signature), its offset and length. */
function signatureValue(cms: Buffer): { at: number; bytes: Buffer } {
  const lines = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: cms }).toString('latin1').split('\n');
  const line = [...lines].reverse().find((l) => /prim: OCTET STRING/.test(l))!;
  const [, off, hl, len] = /^ *(\d+):d=\d+ +hl=(\d+) +l= *(\d+)/.exec(line)!.map(Number) as [number, number, number, number];
  return { at: off + hl, bytes: cms.subarray(off + hl, off + hl + len) };
}

/** The SignerInfo's signed attributes as signed: the [0] element with tag SET OF (0x31), found by OpenSSL's parser. */
function signedAttributes(cms: Buffer): Buffer {
  const lines = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: cms }).toString('latin1').split('\n');
  const attrsLine = lines.find((l) => /d=5 .*cons: cont \[ 0 \]/.test(l))!;
  const [, off, hl, len] = /^ *(\d+):d=\d+ +hl=(\d+) +l= *(\d+)/.exec(attrsLine)!.map(Number) as [number, number, number, number];
  const attrs = Buffer.from(cms.subarray(off, off + hl + len));
  attrs[0] = 0x31;
  return attrs;
}

describeWithOpenssl('SM2 on the PDF form (CAdES with SM3 and SM3withSM2)', () => {
  let pdf: Uint8Array;
  beforeAll(async () => {
    const lic = demo.licenses[0]!;
    pdf = await renderLicensePdf(lic.form, { standard: lic.standard, qrText: qrTextFor(lic), sealPng, signer, at: NOW, fonts });
  });

  it('writes the SM3 digest and SM3withSM2 identifiers, and our CMS verifier accepts the signature', () => {
    const { signed, cms } = signatureParts(pdf);
    expect(cms.includes(hexOid(CADES_OID.sm3))).toBe(true);
    expect(cms.includes(Buffer.concat([Buffer.of(0x30, 0x0a), hexOid(CADES_OID.sm2WithSm3)]))).toBe(true); // parameters absent
    expect(cms.includes(hexOid(CADES_OID.sha256))).toBe(false); // ESSCertIDv2 uses the SHA-256 default: no identifier
    const check = verifyCadesSignature(cms, signed);
    expect(check).toMatchObject({ ok: true });
    expect(check.signer?.fingerprint).toBe(parseCertificate(certificateDer).fingerprint);
  });

  it('the signature value is a DER SEQUENCE { r, s } that sm2Verify accepts over the DER SET of signed attributes (default ID)', () => {
    const { cms } = signatureParts(pdf);
    const rs = ecdsaDerToP1363(signatureValue(cms).bytes, 32);
    expect(rs).toBeDefined();
    const attrs = signedAttributes(cms);
    const certKey = parseCertificate(certificateDer).publicKey!;
    expect(sm2Verify(certKey, attrs, rs!)).toBe(true);
    // OpenSSL's own SM2 check over the same bytes, with the default ID.
    writeFileSync(join(dir, 'attrs.der'), attrs);
    writeFileSync(join(dir, 'sig.der'), signatureValue(cms).bytes);
    writeFileSync(join(dir, 'cert.pem'), `-----BEGIN CERTIFICATE-----\n${certificateDer.toString('base64')}\n-----END CERTIFICATE-----\n`);
    writeFileSync(join(dir, 'pub.pem'), execFileSync('openssl', ['x509', '-in', join(dir, 'cert.pem'), '-pubkey', '-noout']));
    const dgst = openssl(['dgst', '-sm3', '-verify', join(dir, 'pub.pem'), '-sigopt', DISTID, '-signature', join(dir, 'sig.der'), join(dir, 'attrs.der')]);
    expect(dgst.out).toMatch(/Verified OK/);
  });

  it('a changed signed byte or a changed signature fails', () => {
    const { signed, cms } = signatureParts(pdf);
    const changed = Buffer.from(signed);
    changed[300] = changed[300]! ^ 1;
    expect(verifyCadesSignature(cms, changed)).toMatchObject({ ok: false, detail: 'the signed bytes do not match the message digest' });
    const sig = signatureValue(cms);
    const badSig = Buffer.from(cms);
    badSig[sig.at + sig.bytes.length - 1] = badSig[sig.at + sig.bytes.length - 1]! ^ 1;
    expect(verifyCadesSignature(badSig, signed)).toMatchObject({ ok: false, detail: 'the CMS signature does not verify' });
  });

  it('the SM2 signature under the ECDSA-with-SHA-256 identifier does not verify (SM3 goes with SM2 only)', () => {
    const { signed, cms } = signatureParts(pdf);
    const es = Buffer.from(cms);
    const at = es.lastIndexOf(Buffer.concat([Buffer.of(0x30, 0x0a), hexOid(CADES_OID.sm2WithSm3)])); // the SignerInfo's, after the certificate's
    Buffer.concat([Buffer.of(0x30, 0x0a), hexOid(CADES_OID.ecdsaWithSha256)]).copy(es, at);
    expect(verifyCadesSignature(es, signed)).toMatchObject({ ok: false, detail: 'the CMS signature does not verify' });
  });

  it('openssl cms -verify (3.0) checks SM2 with an empty ID, not the default one: it refuses our CMS and accepts the same CMS re-signed with an empty ID', () => {
    const { signed, cms } = signatureParts(pdf);
    writeFileSync(join(dir, 'sm2.p7s'), cms);
    writeFileSync(join(dir, 'sm2.bin'), signed);
    const verify = (file: string) => openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, file), '-content', join(dir, 'sm2.bin'), '-noverify', '-out', '/dev/null']);
    const ours = verify('sm2.p7s');
    console.log(`openssl cms -verify on the SM2 CMS: status ${ours.status}\n${ours.out}`);
    expect(ours.status).not.toBe(0);
    expect(ours.out).toMatch(/CMS_SignerInfo_verify:verification failure/);

    // The same CMS with its signature value replaced by an SM2 signature with an empty ID (openssl dgst without distid):
    // OpenSSL accepts it, so everything else (SM3 message digest, attributes, identifiers, certificate) is as OpenSSL expects.
    const sig = signatureValue(cms);
    writeFileSync(join(dir, 'attrs.der'), signedAttributes(cms));
    let emptyId = Buffer.alloc(0);
    for (let i = 0; i < 64 && emptyId.length !== sig.bytes.length; i++) {
      expect(openssl(['dgst', '-sm3', '-sign', join(dir, 'key.pem'), '-out', join(dir, 'empty.der'), join(dir, 'attrs.der')]).status).toBe(0);
      emptyId = readFileSync(join(dir, 'empty.der'));
    }
    expect(emptyId.length).toBe(sig.bytes.length); // same DER length, so it can be put in place
    const spliced = Buffer.from(cms);
    emptyId.copy(spliced, sig.at);
    writeFileSync(join(dir, 'empty.p7s'), spliced);
    expect(verify('empty.p7s').out).toMatch(/CMS Verification successful/);
    expect(verifyCadesSignature(spliced, signed)).toMatchObject({ ok: false, detail: 'the CMS signature does not verify' }); // not the default ID
  });

  const itWithPdfsig = toolAvailable('pdfsig') ? it : it.skip;
  itWithPdfsig('pdfsig (poppler with NSS) cannot check the SM2 PDF signature (recorded in docs/adr/0004)', () => {
    writeFileSync(join(dir, 'sm2.pdf'), pdf);
    const r = spawnSync('pdfsig', [join(dir, 'sm2.pdf')], { encoding: 'utf8' });
    console.log(`pdfsig on the SM2 PDF: status ${r.status}\n${r.stdout}${r.stderr}`);
    // poppler's NSS back end knows neither SM3 nor SM2: it cannot check the signature (it does not call it valid).
    expect(r.stdout).toMatch(/Signing Hash Algorithm: unknown/);
    expect(r.stdout).not.toMatch(/Signature is Valid/);
  });
});

describeWithOpenssl('SM2 on the compact QR (COSE alg -65537)', () => {
  const qrVersion = (text: string) => QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'Q' }).version;

  it('round-trips: decode, alg -65537, a 64-byte r‖s that sm2Verify accepts over the Sig_structure; verifyCoseSign1 agrees', async () => {
    const lic = demo.licenses[0]!;
    const text = await encodeCompactLicense(lic.form, lic.standard, signer, NOW);
    const { cose, claims } = decodeCompactLicense(text);
    expect(cose.alg).toBe(COSE_ALGORITHMS.SM2);
    expect(cose.alg).toBe(-65537);
    expect(cose.signature.length).toBe(64);
    expect(Buffer.from(cose.kid).toString('base64url')).toBe(signer.keyId);
    expect(claims.identifier).toBe(lic.form.license['certificateIdentifier']);
    const certKey = parseCertificate(certificateDer).publicKey!;
    expect(sm2Verify(certKey, coseSign1ToBeSigned(cose.protectedBytes, cose.payload), cose.signature)).toBe(true);
    expect(verifyCoseSign1(cose, certKey)).toEqual({ ok: true });
    const bad = Buffer.from(cose.signature);
    bad[63] = bad[63]! ^ 1;
    expect(verifyCoseSign1({ ...cose, signature: bad }, certKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    // The same r‖s as a DER signature is still r and s: the QR carries the raw 64 bytes only.
    expect(ecdsaDerToP1363(ecdsaP1363ToDer(cose.signature))).toEqual(Buffer.from(cose.signature));
  });

  it('fits QR version 18 or lower at level Q for every demo type signed with SM2', async () => {
    const versions: Record<string, number> = {};
    for (const lic of demo.licenses) {
      // As issued by a node: with a status entry (the largest index of a default list), as compactLicense.test.ts measures.
      const issuer = String(lic.form.license['certificateIssuingAuthorityCode']);
      const form = { ...lic.form, license: { ...lic.form.license, statusEntry: { listId: `${issuer}-12`, index: 131_071 } } };
      versions[lic.sample] = qrVersion(await encodeCompactLicense(form, lic.standard, signer, NOW));
    }
    console.log(`compact QR versions at level Q with SM2: ${JSON.stringify(versions)}`);
    expect(new Set(demo.licenses.map((l) => l.slug)).size).toBe(9);
    expect(Object.keys(versions)).toHaveLength(demo.licenses.length);
    for (const v of Object.values(versions)) expect(v).toBeLessThanOrEqual(18);
  });
});

describeWithOpenssl('SM2 on the full form (detached JWS, alg "SM2")', () => {
  it('signLicense with an SM2 signer makes a JWS that passes the signature step; a changed record fails it', async () => {
    const lic = demo.licenses[0]!;
    const at = new Date(parseCertificate(certificateDer).notBefore.getTime() + 60_000);
    const form = await signLicense(lic.form.license, { department: signer }, at);
    const header = JSON.parse(Buffer.from(form.signature.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header['alg']).toBe('SM2');
    expect(Buffer.from(form.signature.slice(form.signature.indexOf('..') + 2), 'base64url')).toHaveLength(64);

    const rb = new ResultBuilder();
    const found = checkFullFormSignature(form.signature, form.license, new SignerCache(), at, rb);
    expect(found).not.toBeNull();
    expect(rb.failed('signature')).toBe(false);
    expect(rb.signer).toMatchObject({ algorithm: 'SM2' });
    expect(rb.build(null, at).checks.find((c) => c.check === 'signature')).toMatchObject({ status: 'passed' });

    const tampered = new ResultBuilder();
    checkFullFormSignature(form.signature, { ...form.license, certificateHolder: 'someone else' }, new SignerCache(), at, tampered);
    expect(tampered.build(null, at).checks.find((c) => c.check === 'signature')).toMatchObject({ status: 'failed', reasons: ['SIGNATURE_INVALID'] });
  });
});
