/**
 * @jest-environment ./test/store/pgliteEnvironment.js
 *
 * Issue 10, item 5: the node vouches only for what it issued. A licence
 * signed outside the node (with a department-held key certified from a CSR)
 * that names the status slot of a genuine valid licence, or the genuine
 * licence's identifier with another slot, is answered STATUS_UNKNOWN — from
 * the in-memory fast path (cache warm) and from the database (slow path) —
 * and in every form the node verifies.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLicenseIdentifier, parseLicenseIdentifier } from '../../../src/codes/licenseIdentifier';
import { SoftwareSigner } from '../../../src/crypto/SoftwareSigner';
import { loadSampleLicenses } from '../../../src/demo/sampleDraft';
import { deflateSync } from 'node:zlib';
import cbor from 'cbor';
import { base45Encode } from '../../../src/forms/qr/base45';
import { CLAIM, COMPACT_PREFIX, decodeCompactLicense, encodeCompactLicense } from '../../../src/forms/qr/compactLicense';
import { cborEncoder, coseSign1ToBeSigned, encodeCoseSign1 } from '../../../src/forms/qr/coseSign1';
import { toLowS } from '../../../src/forms/qr/ecdsaLowS';
import { LicenseFonts } from '../../../src/forms/pdf/LicenseFonts';
import { renderLicensePdf } from '../../../src/forms/pdf/renderLicensePdf';
import type { FullForm } from '../../../src/format/FullForm';
import { signLicense } from '../../../src/issue/signLicense';
import { http } from '../helpers/http';
import { startTestNode, type TestNode } from '../helpers/startTestNode';

let node: TestNode;
let work: string;
let genuine: FullForm;
let heldSigner: SoftwareSigner;
let uscc: string;

const pemToDer = (pem: string): Uint8Array => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));

/** A record like the genuine one, changed as given, signed with the department-held key (never recorded by the node). */
async function forge(change: (record: Record<string, unknown>) => void): Promise<FullForm> {
  const record = JSON.parse(JSON.stringify(genuine.license)) as Record<string, unknown>;
  change(record);
  return signLicense(record, { department: heldSigner }, new Date());
}

function otherIdentifier(identifier: string): string {
  const parsed = parseLicenseIdentifier(identifier);
  if (!parsed.ok) throw new Error('genuine identifier unreadable');
  const { typeCode, issuerCode, version } = parsed.value;
  return buildLicenseIdentifier({ typeCode, issuerCode, serial: 'FORGED0001', version });
}

/** A QR as made before QRs carried their status entry (claim 11), signed with the held key. */
async function qrWithoutStatusEntry(form: FullForm): Promise<string> {
  const standard = node.services.catalog.getType(String(form.license['certificateTypeCode']))!;
  const { cose } = decodeCompactLicense(await encodeCompactLicense(form, standard, heldSigner, new Date()));
  const claims = cbor.decodeFirstSync(Buffer.from(cose.payload)) as Map<number, unknown>;
  claims.delete(CLAIM.statusEntry);
  const payload = cborEncoder.encode(claims);
  const signature = toLowS(await heldSigner.sign(coseSign1ToBeSigned(cose.protectedBytes, payload)));
  return COMPACT_PREFIX + base45Encode(deflateSync(encodeCoseSign1(cose.protectedBytes, payload, signature), { level: 9 }));
}

const verify = async (body: unknown) => {
  const r = await http(node.url, 'POST', '/v1/verifications', { json: body });
  expect(r.status).toBe(200);
  const status = (r.body.checks as Array<{ check: string; status: string; detail?: string }>).find((c) => c.check === 'status')!;
  return { result: r.body.result as string, reasons: r.body.reasons as string[], detail: status.detail ?? '' };
};

beforeAll(async () => {
  node = await startTestNode();
  work = mkdtempSync(join(tmpdir(), 'elicense-forged-'));
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
  const issued = await http(node.url, 'POST', '/v1/licenses', { key: node.keys.issuerOf('business-licence'), json: { type: 'business-licence', data: sample.draft } });
  expect(issued.status).toBe(201);
  genuine = JSON.parse(issued.text) as FullForm;
  uscc = String(genuine.license['certificateIssuingAuthorityCode']);
  // The department now holds its own key: the node certifies it from a CSR and never sees the private key.
  execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=held', '-keyout', join(work, 'k.pem'), '-out', join(work, 'csr.pem')], { stdio: 'ignore' });
  const certified = await http(node.url, 'POST', `/v1/departments/${uscc}/keys`, { key: node.keys.admin, json: { csr: readFileSync(join(work, 'csr.pem'), 'utf8') } });
  expect(certified.status).toBe(201);
  const key = certified.body.key as { certificate: string; chain: string[] };
  // Verification re-reads trust data at most once a second: see the new key now.
  node.services.trust.invalidate();
  heldSigner = new SoftwareSigner(createPrivateKey(readFileSync(join(work, 'k.pem'))), [pemToDer(key.certificate), ...key.chain.map(pemToDer)]);
}, 180_000);

afterAll(async () => {
  await node?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('a licence the node never issued gets no status from it', () => {
  it('the genuine licence verifies (and warms the in-memory list)', async () => {
    for (let i = 0; i < 2; i++) expect(await verify(genuine)).toMatchObject({ result: 'accepted', reasons: [] });
  });

  it("another identifier on a genuine licence's slot: STATUS_UNKNOWN from the warm cache, and the admin cannot revoke it (404)", async () => {
    const forged = await forge((r) => (r['certificateIdentifier'] = otherIdentifier(String(genuine.license['certificateIdentifier']))));
    const r = await verify(forged);
    expect({ result: r.result, reasons: r.reasons }).toEqual({ result: 'rejected', reasons: ['STATUS_UNKNOWN'] });
    expect(r.detail).toMatch(/issuing node/);
    const revoke = await http(node.url, 'POST', `/v1/licenses/${encodeURIComponent(String(forged.license['certificateIdentifier']))}/revoke`, { key: node.keys.admin, json: { reason: 'forged' } });
    expect(revoke.status).toBe(404);
    // The genuine licence is untouched.
    expect(await verify(genuine)).toMatchObject({ result: 'accepted', reasons: [] });
  });

  it('the same licence on the slow path (no in-memory list): STATUS_UNKNOWN', async () => {
    const forged = await forge((r) => (r['certificateIdentifier'] = otherIdentifier(String(genuine.license['certificateIdentifier']))));
    await node.services.ownStatus.close();
    try {
      expect(await verify(forged)).toMatchObject({ result: 'rejected', reasons: ['STATUS_UNKNOWN'] });
      expect(await verify(genuine)).toMatchObject({ result: 'accepted', reasons: [] });
    } finally {
      await node.services.ownStatus.start();
    }
  });

  it("the genuine licence's identifier with another slot, or with none: STATUS_UNKNOWN", async () => {
    const entry = genuine.license['statusEntry'] as { listId: string; index: number };
    const elsewhere = await forge((r) => (r['statusEntry'] = { ...entry, index: entry.index + 5000 }));
    expect(await verify(elsewhere)).toMatchObject({ result: 'rejected', reasons: ['STATUS_UNKNOWN'] });
    const none = await forge((r) => delete r['statusEntry']);
    expect(await verify(none)).toMatchObject({ result: 'rejected', reasons: ['STATUS_UNKNOWN'] });
  });

  it('the forged-slot licence as a QR (signed with the held key): STATUS_UNKNOWN too', async () => {
    const forged = await forge((r) => (r['certificateIdentifier'] = otherIdentifier(String(genuine.license['certificateIdentifier']))));
    const standard = node.services.catalog.getType(String(genuine.license['certificateTypeCode']))!;
    const qr = await encodeCompactLicense(forged, standard, heldSigner, new Date());
    expect(await verify({ qr })).toMatchObject({ result: 'rejected', reasons: ['STATUS_UNKNOWN'] });
  });

  it('the forged-slot licence as a PDF (signed with the held key): STATUS_UNKNOWN too', async () => {
    const forged = await forge((r) => (r['certificateIdentifier'] = otherIdentifier(String(genuine.license['certificateIdentifier']))));
    const standard = node.services.catalog.getType(String(genuine.license['certificateTypeCode']))!;
    const at = new Date();
    const qrText = await encodeCompactLicense(forged, standard, heldSigner, at);
    const pdf = await renderLicensePdf(forged, { standard, qrText, signer: heldSigner, at, fonts: LicenseFonts.load() });
    const r = await http(node.url, 'POST', '/v1/verifications', { raw: pdf, headers: { 'content-type': 'application/pdf' } });
    expect(r.status).toBe(200);
    expect({ result: r.body.result, reasons: r.body.reasons }).toEqual({ result: 'rejected', reasons: ['STATUS_UNKNOWN'] });
  });

  it('a QR without a status entry (as made before QRs carried one) is bound by its record digest: the genuine record verifies, a changed one is STATUS_UNKNOWN', async () => {
    expect(await verify({ qr: await qrWithoutStatusEntry(genuine) })).toMatchObject({ result: 'accepted', reasons: [] });
    const changed = await forge((r) => (r['certificateHolderName'] = `${String(r['certificateHolderName'])}（伪）`));
    expect(await verify({ qr: await qrWithoutStatusEntry(changed) })).toMatchObject({ result: 'rejected', reasons: ['STATUS_UNKNOWN'] });
  });
});
