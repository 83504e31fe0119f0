/**
 * Readers agree (issue 14, item 4; docs/adr/0004-pdf-form.md, section "Readers agree (issue 14)"):
 * a licence PDF of each department algorithm (ES256 and PS256 from the demo region, EdDSA from a department
 * certified before EdDSA stopped being offered (test/demo/legacyEdDsaDepartment.ts), SM2 from the Shanghai demo region) goes through poppler's `pdfsig` (NSS inside), an independent reader.
 * ES256 and PS256 must show "Signature is Valid."; EdDSA and SM2 are the algorithms the ADR leaves to
 * its decision, and today's outcome is asserted as it is, so a change in poppler/NSS or in our CMS
 * shows up here. `-nocert` because the demo roots are private; the certificate check with the root
 * trusted runs in an NSS database of its own (needs certutil, libnss3-tools).
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { softwareKeySigner } from '../../../src/crypto/softwareKeySigner';
import { SoftwareSigner } from '../../../src/crypto/SoftwareSigner';
import { buildDemoRegion, type DemoLicense, type DemoRegion } from '../../../src/demo/buildDemoRegion';
import { buildDemoWithEdDsaDepartment } from '../../demo/legacyEdDsaDepartment';
import { CADES_OID } from '../../../src/forms/pdf/cadesOids';
import { renderLicensePdf } from '../../../src/forms/pdf/renderLicensePdf';
import { basicConstraintsExtension, extendedKeyUsageExtension, keyUsageExtension } from '../../../src/pki/ca/certificateExtensions';
import { issueUnderCa } from '../../../src/pki/ca/issueUnderCa';
import { encodeSubjectName } from '../../../src/pki/ca/subjectName';
import { OID } from '../../../src/pki/oids';
import { repoPath } from '../../../src/repoPath';
import { NOW, catalog, fonts, qrTextFor, sealPng, signedPdf, toolAvailable, workDir } from './pdfTestRegion';

const havePdfsig = toolAvailable('pdfsig');
const haveCertutil = havePdfsig && toolAvailable('certutil');
if (!havePdfsig) console.warn('pdfsig (poppler-utils) is not installed: the reader checks of docs/adr/0004 "Readers agree" are skipped');
else if (!haveCertutil) console.warn('certutil (libnss3-tools) is not installed: the pdfsig certificate check with a trusted region root is skipped');
const describeWithPdfsig = havePdfsig ? describe : describe.skip;
const itWithCertutil = haveCertutil ? it : it.skip;

interface Case {
  alg: 'ES256' | 'PS256' | 'EdDSA' | 'SM2';
  demo: DemoRegion;
  lic: DemoLicense;
  pdf: Uint8Array;
}

let fujian: DemoRegion;
const cases = new Map<Case['alg'], Case>();
const dir = mkdtempSync(join(workDir, 'pdfsig-'));

function pdfsig(pdf: Uint8Array, name: string, args: string[] = ['-nocert']): { status: number | null; out: string } {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  const r = spawnSync('pdfsig', [...args, file], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The line pdfsig prints for a field, e.g. "Signature Validation". */
const line = (out: string, field: string) => out.split('\n').find((l) => l.trim().startsWith(`- ${field}:`))?.trim().slice(field.length + 3).trim();

/** The /ByteRange and the CMS (zero padding cut at its DER length) of one of our PDFs. */
function signatureOf(pdf: Uint8Array): { range: number[]; signed: Buffer; cms: Buffer } {
  const text = Buffer.from(pdf).toString('latin1');
  const m = /\/ByteRange \[ (\d+) (\d+) (\d+) (\d+)/.exec(text);
  if (!m) throw new Error('no /ByteRange');
  const range = m.slice(1).map(Number);
  const [a, b, c, d] = range as [number, number, number, number];
  const hex = Buffer.from(Buffer.from(pdf).subarray(b + 1, c - 1).toString('latin1'), 'hex');
  const cms = hex.subarray(0, tlv(hex, 0).end);
  return { range, signed: Buffer.concat([Buffer.from(pdf.subarray(a, a + b)), Buffer.from(pdf.subarray(c, c + d))]), cms };
}

/** A DER element at `at`: tag, content start, end. */
function tlv(der: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = der.subarray(at + 2, at + 2 + n).readUIntBE(0, n);
    start += n;
  }
  return { tag, start, end: start + len };
}
function children(der: Buffer, at: number): number[] {
  const { start, end } = tlv(der, at);
  const out: number[] = [];
  for (let i = start; i < end; i = tlv(der, i).end) out.push(i);
  return out;
}
const element = (der: Buffer, at: number) => der.subarray(at, tlv(der, at).end);
const content = (der: Buffer, at: number) => der.subarray(tlv(der, at).start, tlv(der, at).end);
const oidDer = (oid: string) => {
  const [x, y, ...rest] = oid.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [40 * x + y];
  for (const v of rest) {
    const b7 = [v & 0x7f];
    for (let r = Math.floor(v / 128); r > 0; r = Math.floor(r / 128)) b7.unshift((r & 0x7f) | 0x80);
    bytes.push(...b7);
  }
  return Buffer.from([0x06, bytes.length, ...bytes]);
};

beforeAll(async () => {
  if (!havePdfsig) return;
  const withEdDsa = await buildDemoWithEdDsaDepartment({ catalog, now: NOW });
  fujian = withEdDsa;
  const shanghai = await buildDemoRegion({ catalog, now: NOW, ceremony: JSON.parse(readFileSync(repoPath('fixtures', 'ceremony', 'demo-region-shanghai.json'), 'utf8')) });
  const add = async (alg: Case['alg'], demo: DemoRegion, lic: DemoLicense | undefined) => {
    if (!lic) throw new Error(`no demo licence signed with ${alg}`);
    expect(demo.signerOf(lic.department).algorithm).toBe(alg);
    cases.set(alg, { alg, demo, lic, pdf: await signedPdf(demo, lic) });
  };
  await add('ES256', fujian, fujian.licenses.find((l) => l.department.algorithm === 'ES256'));
  await add('EdDSA', fujian, withEdDsa.eddsaLicense); // a civil-affairs key certified before EdDSA stopped being offered
  await add('PS256', fujian, await fujian.issueSample('real-estate-title', fujian.pki.departments.find((d) => d.algorithm === 'PS256')!));
  await add('SM2', shanghai, shanghai.licenses[0]);
});

describeWithPdfsig('pdfsig (poppler 22.12 / NSS 3.87 on Debian 12) on a licence PDF of each department algorithm', () => {
  it('finds one PAdES signature of the department over the whole file, with our ranges, for every algorithm', () => {
    expect([...cases.keys()].sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'SM2']);
    for (const c of cases.values()) {
      const { out, status } = pdfsig(c.pdf, c.alg);
      const [a, b, cc, d] = signatureOf(c.pdf).range as [number, number, number, number];
      expect({ alg: c.alg, status }).toEqual({ alg: c.alg, status: 0 });
      expect({ alg: c.alg, fields: out.match(/Signature Field Name: /g)?.length }).toEqual({ alg: c.alg, fields: 1 });
      expect({ alg: c.alg, name: line(out, 'Signer Certificate Common Name') }).toEqual({ alg: c.alg, name: c.lic.department.name });
      expect({ alg: c.alg, type: line(out, 'Signature Type') }).toEqual({ alg: c.alg, type: 'ETSI.CAdES.detached' });
      expect({ alg: c.alg, ranges: line(out, 'Signed Ranges') }).toEqual({ alg: c.alg, ranges: `[${a} - ${a + b}], [${cc} - ${cc + d}]` });
      expect(out).toContain('- Total document signed');
      expect(line(out, 'Signing Time')).toBe('Nov 26 2026 08:00:00');
    }
  });

  it('ES256 and PS256: "Signature is Valid." with SHA-256', () => {
    for (const alg of ['ES256', 'PS256'] as const) {
      const { out } = pdfsig(cases.get(alg)!.pdf, alg);
      expect({ alg, hash: line(out, 'Signing Hash Algorithm'), validation: line(out, 'Signature Validation') }).toEqual({
        alg,
        hash: 'SHA-256',
        validation: 'Signature is Valid.',
      });
    }
  });

  it('pdfsig really checks: one changed byte inside the signed range of the ES256 PDF is "Digest Mismatch."', () => {
    const pdf = Uint8Array.from(cases.get('ES256')!.pdf);
    // The binary comment on the file's second line: the PDF still parses, only the digest changes.
    const at = Buffer.from(pdf).indexOf('\n%') + 2;
    expect(pdf[at]).toBeGreaterThan(0x7f);
    pdf[at] = pdf[at]! ^ 0x01;
    expect(line(pdfsig(pdf, 'es256-changed').out, 'Signature Validation')).toBe('Digest Mismatch.');
  });

  it('EdDSA: today "Document isn\'t signed or corrupted data." because NSS 3.87 has no Ed25519 key type; our CMS is RFC 8419 and verifies', () => {
    const c = cases.get('EdDSA')!;
    const { out } = pdfsig(c.pdf, 'EdDSA');
    // docs/adr/0004-pdf-form.md "Readers agree (issue 14)": NSS cannot extract an Ed25519 key from the certificate
    // (CERT_ExtractPublicKey fails, NSSCMSVS_ProcessingError), which poppler words as below. Decision and next steps there.
    expect(line(out, 'Signing Hash Algorithm')).toBe('SHA-512');
    expect(line(out, 'Signature Validation')).toBe("Document isn't signed or corrupted data.");

    // The CMS itself, checked without our verifier: RFC 8419 identifiers, message digest, signature.
    const { cms, signed } = signatureOf(c.pdf);
    const signedData = children(cms, children(cms, 0)[1]!)[0]!;
    const [, digestAlgorithms, , certificates, signerInfos] = children(cms, signedData) as [number, number, number, number, number];
    const sha512 = Buffer.concat([Buffer.from([0x30, 0x0b]), oidDer(CADES_OID.sha512)]); // id-sha512, parameters absent
    expect(element(cms, digestAlgorithms).toString('hex')).toBe(Buffer.concat([Buffer.from([0x31, 0x0d]), sha512]).toString('hex'));
    const [, , digestAlgorithm, signedAttrs, signatureAlgorithm, signature] = children(cms, children(cms, signerInfos)[0]!) as number[];
    expect(element(cms, digestAlgorithm!).toString('hex')).toBe(sha512.toString('hex'));
    expect(element(cms, signatureAlgorithm!).toString('hex')).toBe('300506032b6570'); // id-Ed25519, parameters absent
    const attrs = Buffer.concat([Buffer.from([0x31]), element(cms, signedAttrs!).subarray(1)]); // signed as a SET OF
    expect(attrs.includes(createHash('sha512').update(signed).digest())).toBe(true);
    const leaf = new X509Certificate(element(cms, children(cms, certificates)[0]!));
    expect(leaf.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(cryptoVerify(null, attrs, leaf.publicKey, content(cms, signature!))).toBe(true);
  });

  it('SM2: today NSS knows neither SM3 nor SM2 ("Unknown Validation Failure.")', () => {
    const { out, status } = pdfsig(cases.get('SM2')!.pdf, 'SM2');
    // docs/adr/0004-pdf-form.md "Readers agree (issue 14)" and docs/adr/0009 section 6: the SM2 region's PDF keeps
    // its SM2 signature; common international readers cannot check it.
    expect(status).toBe(0);
    expect(out).toContain('ERROR: Unrecognized Hash ID');
    expect(line(out, 'Signing Hash Algorithm')).toBe('unknown');
    expect(line(out, 'Signature Validation')).toBe('Unknown Validation Failure.');
  });

  itWithCertutil('with the region root trusted in NSS: the ES256 and PS256 department certificates are trusted; without the email-protection EKU NSS would not accept one', async () => {
    const nssdb = mkdtempSync(join(dir, 'nssdb-'));
    const rootFile = join(nssdb, 'root.der');
    writeFileSync(rootFile, fujian.pki.root.certificate.der);
    for (const args of [['-N', '-d', `sql:${nssdb}`, '--empty-password'], ['-A', '-d', `sql:${nssdb}`, '-n', 'demo-root', '-t', 'C,C,C', '-i', rootFile]]) {
      const r = spawnSync('certutil', args, { encoding: 'utf8' });
      expect({ args, status: r.status, err: r.stderr }).toEqual({ args, status: 0, err: '' });
    }
    const withRoot = ['-nssdir', `sql:${nssdb}`];
    for (const alg of ['ES256', 'PS256'] as const) {
      const out = pdfsig(cases.get(alg)!.pdf, `${alg}-rooted`, withRoot).out;
      expect({ alg, signature: line(out, 'Signature Validation'), certificate: line(out, 'Certificate Validation') }).toEqual({
        alg,
        signature: 'Signature is Valid.',
        certificate: 'Certificate is Trusted.',
      });
    }

    // Why the department certificate lists documentSigning and emailProtection beside licence signing
    // (docs/adr/0004 "Readers agree"): the same department certificate with licence signing as its only EKU,
    // as issued before issue 14, is refused by NSS's signer check.
    const c = cases.get('ES256')!;
    const dept = c.lic.department;
    const ca = fujian.pki.intermediates.find((i) => i.id === dept.issuerId)!;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issue = (ekus: string[]) =>
      issueUnderCa(
        { certificate: ca.certificate.der, signer: softwareKeySigner(ca.privateKey) },
        {
          subject: encodeSubjectName({ country: 'CN', organization: dept.name, commonName: dept.name, uscc: dept.uscc, divisionCode: dept.divisionCode }),
          publicKey,
          validity: { days: 730 },
          extensions: [basicConstraintsExtension(false), keyUsageExtension(['digitalSignature', 'nonRepudiation']), extendedKeyUsageExtension(ekus, false)],
        },
        { now: NOW },
      );
    const verdicts: Record<string, string | undefined> = {};
    for (const [name, ekus] of Object.entries({
      licenceOnly: [OID.ekuLicenseSigning],
      documentSigningOnly: [OID.ekuLicenseSigning, OID.ekuDocumentSigning],
      withEmailProtection: [OID.ekuLicenseSigning, OID.ekuEmailProtection],
    })) {
      const signer = new SoftwareSigner(privateKey, [(await issue(ekus)).der, ...ca.chain]);
      const pdf = await renderLicensePdf(c.lic.form, { standard: c.lic.standard, qrText: qrTextFor(c.lic), sealPng, signer, at: NOW, fonts });
      verdicts[name] = line(pdfsig(pdf, `eku-${name}`, withRoot).out, 'Certificate Validation');
    }
    expect(verdicts).toEqual({
      licenceOnly: 'Unknown issue with Certificate or corrupted data.',
      documentSigningOnly: 'Unknown issue with Certificate or corrupted data.',
      withEmailProtection: 'Certificate is Trusted.',
    });
  });
});
