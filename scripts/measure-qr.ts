/**
 * Measures the two proven compact-QR precedents on our golden licences
 * (test/golden/licences/*.elic.json, one of each type; docs/adr/0003):
 * (a) EU DCC: CBOR claims → COSE_Sign1 → zlib → base45 → prefix, alphanumeric QR (what we use);
 * (b) SMART Health Cards: JSON claims deflated in a compact JWS → "shc:/" numeric QR.
 * Each record is signed with a demo department key of each allowed algorithm. Prints
 * COSE/JWS bytes, compressed bytes, characters and the QR version at error-correction
 * level Q per type and algorithm, and writes bench-results/qr-measure.json.
 *
 *   npm run build && node dist/scripts/measure-qr.js
 */
import { deflateRawSync } from 'node:zlib';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import QRCode from 'qrcode';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { buildDemoRegion } from '../src/demo/buildDemoRegion';
import { SoftwareSigner } from '../src/crypto/SoftwareSigner';
import { softwareKeySigner } from '../src/crypto/softwareKeySigner';
import { issueDepartmentCertificate } from '../src/pki/ca/issueDepartmentCertificate';
import { COMPACT_PREFIX, compactClaimsOf, encodeCompactLicense, unwrapCompactText } from '../src/forms/qr/compactLicense';
import { base45Decode } from '../src/forms/qr/base45';
import { repoPath } from '../src/repoPath';
import { StandardsCatalog } from '../src/standards/StandardsCatalog';
import type { Signer } from '../src/crypto/Signer';
import type { FullForm } from '../src/format/FullForm';
import type { TypeStandard } from '../src/standards/generated/TypeStandard';

async function shcText(form: FullForm, standard: TypeStandard, signer: Signer, at: Date): Promise<{ text: string; jwsBytes: number; deflatedBytes: number }> {
  const c = compactClaimsOf(form, standard, at);
  const claims = { id: c.identifier, v: c.standardVersion, nbf: c.effectiveDate, ...(c.expiringDate ? { exp: c.expiringDate } : {}), hn: c.holderName, face: c.face, dig: Buffer.from(c.fullFormDigest).toString('base64url'), iat: Math.floor(at.getTime() / 1000) };
  const header = Buffer.from(JSON.stringify({ alg: signer.algorithm, kid: signer.keyId, zip: 'DEF' })).toString('base64url');
  const payload = deflateRawSync(Buffer.from(JSON.stringify(claims)), { level: 9 }).toString('base64url');
  const sig = Buffer.from(await signer.sign(Buffer.from(`${header}.${payload}`))).toString('base64url');
  const jws = `${header}.${payload}.${sig}`;
  return { text: 'shc:/' + [...jws].map((ch) => String(ch.charCodeAt(0) - 45).padStart(2, '0')).join(''), jwsBytes: jws.length, deflatedBytes: payload.length };
}

/** The golden licences (real signed full forms of every type), with their type standards. */
function goldenLicenses(catalog: StandardsCatalog): Array<{ slug: string; form: FullForm; standard: TypeStandard }> {
  const dir = repoPath('test', 'golden', 'licences');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.elic.json'))
    .sort()
    .map((f) => {
      const form = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as FullForm;
      const standard = catalog.getType(String(form.license['certificateTypeCode']), String(form.license['standardVersion']));
      if (!standard) throw new Error(`${f}: no type standard`);
      return { slug: standard.slug, form, standard };
    });
}

const version = (segments: QRCode.QRCodeSegment[]) => QRCode.create(segments, { errorCorrectionLevel: 'Q' }).version;

async function edDsaSigner(root: { certificate: { der: Uint8Array }; privateKey: import('node:crypto').KeyObject }, now: Date): Promise<Signer> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const certificate = await issueDepartmentCertificate(
    { certificate: root.certificate.der, signer: softwareKeySigner(root.privateKey) },
    { department: { name: 'QR size measurement (EdDSA)', uscc: '11350100DM0000021X', divisionCode: '350100' }, publicKey, validityDays: 30 },
    { now, randomBytes: (n) => new Uint8Array(randomBytes(n)) },
  );
  return new SoftwareSigner(privateKey, [certificate.der]);
}

async function main(): Promise<void> {
  const now = new Date();
  const catalog = StandardsCatalog.load();
  const demo = await buildDemoRegion({ catalog, now });
  const rows: Array<Record<string, unknown>> = [];
  const issuedWith = new Map(demo.licenses.map((l) => [l.slug, l.department.algorithm]));
  for (const alg of ['ES256', 'EdDSA', 'PS256'] as const) {
    const department = demo.pki.departments.find((d) => d.algorithm === alg);
    // No demo department has an EdDSA key any more (docs/adr/0004, "Readers agree"): certify one under the demo root to measure it.
    const signer = department ? demo.signerOf(department) : await edDsaSigner(demo.pki.root, now);
    for (const lic of goldenLicenses(catalog)) {
      const dcc = await encodeCompactLicense(lic.form, lic.standard, signer, now);
      const shc = await shcText(lic.form, lic.standard, signer, now);
      const row = {
        type: lic.slug,
        alg,
        demoDepartmentAlg: issuedWith.get(lic.slug),
        dccCoseBytes: unwrapCompactText(dcc).length,
        dccZlibBytes: base45Decode(dcc.slice(COMPACT_PREFIX.length)).length,
        dccChars: dcc.length,
        dccVersion: version([{ data: dcc, mode: 'alphanumeric' }]),
        shcJwsBytes: shc.jwsBytes,
        shcChars: shc.text.length,
        shcVersion: version([{ data: Buffer.from('shc:/'), mode: 'byte' }, { data: shc.text.slice(5), mode: 'numeric' }]),
      };
      rows.push(row);
      process.stdout.write(
        `${alg.padEnd(6)} ${lic.slug.padEnd(26)} DCC ${String(row.dccCoseBytes).padStart(4)} B COSE, ${String(row.dccZlibBytes).padStart(4)} B zlib, ${String(row.dccChars).padStart(5)} chars v${row.dccVersion}` +
          `   SHC ${String(row.shcJwsBytes).padStart(5)} B JWS, ${String(row.shcChars).padStart(5)} digits v${row.shcVersion}${row.demoDepartmentAlg === alg ? '   (demo issuer)' : ''}\n`,
      );
    }
  }
  mkdirSync(repoPath('bench-results'), { recursive: true });
  writeFileSync(repoPath('bench-results', 'qr-measure.json'), JSON.stringify({ measuredAt: now.toISOString(), level: 'Q', rows }, null, 2));
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
