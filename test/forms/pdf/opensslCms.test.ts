/**
 * Independent checks of the PDF signatures with OpenSSL. The CMS SignedData is
 * taken out of /Contents and the signed bytes from /ByteRange. ES256: `openssl
 * cms -verify` checks signature, signed attributes and the chain to the demo
 * root. Ed25519, which neither pdfsig (NSS in Debian 12) nor `openssl cms`
 * 3.0 can check: OpenSSL's own ASN.1 parser finds the signed attributes and
 * the signature, `openssl dgst -sha512` must equal the messageDigest
 * attribute, and `openssl pkeyutl -verify -rawin` checks the Ed25519
 * signature over the DER SET of signed attributes (RFC 5652 5.4, RFC 8419).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoLicense } from '../../../src/demo/buildDemoRegion';
import type { DemoWithEdDsa } from '../../demo/legacyEdDsaDepartment';
import { demoRegion, signedPdf, toolAvailable, workDir } from './pdfTestRegion';

const itWithOpenssl = toolAvailable('openssl') ? it : it.skip;
let demo: DemoWithEdDsa;

beforeAll(async () => {
  demo = await demoRegion();
});

function pem(der: Uint8Array): string {
  return `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
}

/** Splits a signed PDF into what was signed and the CMS that signs it. */
function signatureParts(pdf: Uint8Array): { signed: Buffer; cms: Buffer } {
  const text = Buffer.from(pdf).toString('latin1');
  const range = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text);
  if (!range) throw new Error('no /ByteRange');
  const [a, b, c, d] = range.slice(1).map(Number) as [number, number, number, number];
  const signed = Buffer.concat([Buffer.from(pdf.subarray(a, a + b)), Buffer.from(pdf.subarray(c, c + d))]);
  const padded = Buffer.from(text.slice(a + b, c).replace(/[<>\s]/g, ''), 'hex');
  // /Contents is zero-padded: cut the DER at its own length (trimming zeros could eat a final 0x00 byte).
  return { signed, cms: padded.subarray(0, derLength(padded)) };
}

/** Length of the DER element at the start of `der` (tag, length octets, contents). */
function derLength(der: Buffer): number {
  const first = der[1]!;
  if (first < 0x80) return 2 + first;
  const octets = first & 0x7f;
  let len = 0;
  for (let i = 0; i < octets; i++) len = len * 256 + der[2 + i]!;
  return 2 + octets + len;
}

async function check(lic: DemoLicense, name: string): Promise<string> {
  const { signed, cms } = signatureParts(await signedPdf(demo, lic));
  const dir = workDir;
  writeFileSync(join(dir, `${name}.bin`), signed);
  writeFileSync(join(dir, `${name}.p7s`), cms);
  writeFileSync(join(dir, 'root.pem'), pem(demo.pki.root.certificate.der));
  try {
    execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, `${name}.p7s`), '-content', join(dir, `${name}.bin`), '-CAfile', join(dir, 'root.pem'), '-purpose', 'any', '-out', '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    return 'ok';
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  }
}

const openssl = (args: string[], input?: Buffer): string => execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString('latin1');

/** The Ed25519 checks of the header comment; 'ok' or what failed. */
async function checkEd25519(lic: DemoLicense, tamper: 'none' | 'content' | 'attributes' = 'none'): Promise<string> {
  const { signed, cms } = signatureParts(await signedPdf(demo, lic));
  if (tamper === 'content') signed[200] = signed[200]! ^ 1;
  const p7s = join(workDir, 'ed.p7s');
  writeFileSync(p7s, cms);
  const lines = openssl(['asn1parse', '-inform', 'DER', '-in', p7s]).split('\n');
  const attrsLine = lines.find((l) => /d=5 +hl=(\d+) +l= *(\d+) cons: cont \[ 0 \]/.test(l));
  const sigLine = [...lines].reverse().find((l) => /d=5 .*prim: OCTET STRING +\[HEX DUMP\]:/.test(l));
  const mdIndex = lines.findIndex((l) => /:messageDigest/.test(l));
  const mdLine = lines.slice(mdIndex).find((l) => /OCTET STRING +\[HEX DUMP\]:/.test(l));
  if (!attrsLine || !sigLine || mdIndex < 0 || !mdLine) return 'CMS structure not found';
  const [, off, hl, len] = /^ *(\d+):d=5 +hl=(\d+) +l= *(\d+)/.exec(attrsLine)!.map(Number) as [number, number, number, number];
  const attrs = Buffer.from(cms.subarray(off, off + hl + len));
  attrs[0] = 0x31; // [0] IMPLICIT → SET OF, as signed
  if (tamper === 'attributes') attrs[attrs.length - 1] = attrs[attrs.length - 1]! ^ 1;
  writeFileSync(join(workDir, 'attrs.der'), attrs);
  writeFileSync(join(workDir, 'sig.bin'), Buffer.from(sigLine.split(':').pop()!.trim(), 'hex'));
  const digest = openssl(['dgst', '-sha512', '-binary'], signed);
  if (Buffer.from(digest, 'latin1').toString('hex').toUpperCase() !== mdLine.split(':').pop()!.trim()) return 'messageDigest differs from SHA-512 of the signed bytes';
  writeFileSync(join(workDir, 'signer.pem'), pem(lic.department.certificate.der));
  writeFileSync(join(workDir, 'pub.pem'), openssl(['x509', '-in', join(workDir, 'signer.pem'), '-pubkey', '-noout']));
  try {
    const out = openssl(['pkeyutl', '-verify', '-pubin', '-inkey', join(workDir, 'pub.pem'), '-rawin', '-in', join(workDir, 'attrs.der'), '-sigfile', join(workDir, 'sig.bin')]);
    return /Signature Verified Successfully/.test(out) ? 'ok' : out;
  } catch (e) {
    return String((e as { stdout?: Buffer }).stdout ?? e);
  }
}

describe('PDF signatures checked by OpenSSL', () => {
  itWithOpenssl('ES256: openssl cms -verify, chain to the demo root included', async () => {
    const es256 = demo.licenses.find((l) => demo.signerOf(l.department).algorithm === 'ES256')!;
    expect(await check(es256, 'es256')).toBe('ok');
  });

  itWithOpenssl('Ed25519 (which pdfsig cannot check): messageDigest and the signature over the signed attributes; a changed byte fails', async () => {
    const eddsa = demo.eddsaLicense;
    expect(await checkEd25519(eddsa)).toBe('ok');
    expect(await checkEd25519(eddsa, 'content')).toBe('messageDigest differs from SHA-512 of the signed bytes');
    expect(await checkEd25519(eddsa, 'attributes')).toMatch(/Signature Verification Failure/);
  });

  itWithOpenssl('a changed byte in the signed part fails', async () => {
    const lic = demo.licenses[0]!;
    const pdf = await signedPdf(demo, lic);
    const { signed, cms } = signatureParts(pdf);
    signed[200] = signed[200]! ^ 1;
    writeFileSync(join(workDir, 'bad.bin'), signed);
    writeFileSync(join(workDir, 'bad.p7s'), cms);
    writeFileSync(join(workDir, 'root.pem'), pem(demo.pki.root.certificate.der));
    expect(() =>
      execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(workDir, 'bad.p7s'), '-content', join(workDir, 'bad.bin'), '-CAfile', join(workDir, 'root.pem'), '-purpose', 'any', '-out', '/dev/null'], { stdio: 'pipe' }),
    ).toThrow();
  });
});
