import { readFileSync } from 'node:fs';
import { deflateSync, inflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import type { DemoRegion } from '../../../src/demo/buildDemoRegion';
import { renderLicensePdf } from '../../../src/forms/pdf/renderLicensePdf';
import { MAX_LICENSE_PDF_BYTES, verifyLicensePdf } from '../../../src/verify/forms/verifyLicensePdf';
import type { FullForm } from '../../../src/format/FullForm';
import { repoPath } from '../../../src/repoPath';
import { loadLocalTrustFile } from '../../../src/trust/local/loadLocalTrustFile';
import { NOW, catalog, contextOf, demoRegion, fonts, sealPng, signedPdf } from './pdfTestRegion';

let demo: DemoRegion;
let pdf: Uint8Array; // driving licence, ES256
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

beforeAll(async () => {
  demo = await demoRegion();
  pdf = await signedPdf(demo, demo.licenses.find((l) => l.slug === 'driving-licence')!);
});

const verify = (bytes: Uint8Array) => verifyLicensePdf(bytes, contextOf(demo));

describe('verifyLicensePdf: input that is not a licence PDF', () => {
  it('refuses bytes that are not a PDF', async () => {
    const r = await verify(Buffer.from('{"format":"elicense/full@1"}'));
    expect(r.result).toBe('rejected');
    expect(r.reasons).toEqual(['FORMAT_UNSUPPORTED']);
    expect(r.pdf.signed).toBe(false);
  });

  it('refuses an oversized upload before parsing it', async () => {
    const big = Buffer.alloc(MAX_LICENSE_PDF_BYTES + 1, 0x20);
    big.write('%PDF-1.7\n', 0, 'latin1');
    expect((await verify(big)).reasons).toEqual(['INPUT_TOO_LARGE']);
  });

  it('refuses a truncated PDF as malformed or unsigned, never crashing', async () => {
    const r = await verify(pdf.subarray(0, 2000));
    expect(r.result).toBe('rejected');
    expect(r.reasons.length).toBeGreaterThan(0);
  });

  it('reports a PDF without the embedded licence (and without signature)', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const r = await verify(await doc.save());
    expect(r.result).toBe('rejected');
    expect(r.reasons).toEqual(['PDF_NO_ATTACHMENT', 'PDF_SIGNATURE_MISSING']);
  });
});

describe('verifyLicensePdf: altered licence PDFs', () => {
  it('rejects a tampered attachment: both the licence signature and the PDF signature fail', async () => {
    const tampered = await tamperAttachment(pdf, (json) => json.replace('"name":"陈志强"', '"name":"陈志刚"').replace('"certificateHolderName":"陈志强"', '"certificateHolderName":"陈志刚"'));
    const r = await verify(tampered);
    expect(r.result).toBe('rejected');
    expect(r.reasons).toContain('SIGNATURE_INVALID');
    expect(r.reasons).toContain('PDF_SIGNATURE_INVALID');
    expect((r.license as { certificateHolderName?: string }).certificateHolderName).toBe('陈志刚');
  });

  it('rejects a PDF whose signature field was removed, even though the embedded licence is fine', async () => {
    const doc = await PDFDocument.load(pdf);
    doc.catalog.delete(PDFName.of('AcroForm'));
    doc.getPage(0).node.delete(PDFName.of('Annots'));
    const r = await verify(await doc.save());
    expect(r.reasons).toEqual(['PDF_SIGNATURE_MISSING']);
    expect(r.checks.find((c) => c.check === 'issuer')?.status).toBe('passed');
    expect(r.result).toBe('rejected');
  });

  it('rejects a PDF whose signature value was blanked', async () => {
    const text = latin1(pdf);
    const at = text.indexOf('/Contents <') + '/Contents <'.length;
    const blanked = Buffer.from(pdf);
    blanked.fill(0x30, at, text.indexOf('>', at));
    const r = await verify(blanked);
    expect(r.reasons).toEqual(['PDF_SIGNATURE_INVALID']);
    expect(r.pdf).toMatchObject({ signed: true, signatureValid: false });
  });

  it('reports bytes appended after signing', async () => {
    const r = await verify(Buffer.concat([pdf, Buffer.from('\n% appended\n')]));
    expect(r.reasons).toEqual(['PDF_MODIFIED_AFTER_SIGNING']);
    expect(r.pdf).toMatchObject({ signatureValid: true, coversWholeFile: false, appendedBytes: 12, incrementalUpdates: 0 });
  });

  it('reports an incremental update appended after signing (a new page object and xref section)', async () => {
    const r = await verify(appendIncrementalUpdate(pdf));
    expect(r.result).toBe('rejected');
    expect(r.reasons).toEqual(['PDF_MODIFIED_AFTER_SIGNING']);
    expect(r.pdf.signatureValid).toBe(true);
    expect(r.pdf.incrementalUpdates).toBe(1);
    expect(r.pdf.appendedBytes).toBeGreaterThan(0);
  });

  it('rejects a PDF re-saved with an extra page (the signed byte range no longer matches)', async () => {
    const doc = await PDFDocument.load(pdf);
    doc.addPage();
    const r = await verify(await doc.save({ useObjectStreams: false }));
    expect(r.result).toBe('rejected');
    expect(r.reasons).toContain('PDF_SIGNATURE_INVALID');
  });

  it('rejects a PDF signed by another department than the licence (signer mismatch)', async () => {
    const golden = JSON.parse(readFileSync(repoPath('test', 'golden', 'licences', 'driving-licence.elic.json'), 'utf8')) as FullForm;
    const lic = demo.licenses.find((l) => l.slug === 'driving-licence')!;
    const other = await renderLicensePdf(golden, { standard: lic.standard, qrText: 'LC1:X', sealPng, signer: demo.signerOf(lic.department), at: NOW, fonts });
    const goldenTrust = loadLocalTrustFile(readFileSync(repoPath('test', 'golden', 'trust.json')), 'golden trust');
    const r = await verifyLicensePdf(other, { trust: goldenTrust, catalog, at: NOW });
    expect(r.reasons).toEqual(['PDF_SIGNER_MISMATCH']);
    expect(r.pdf.signatureValid).toBe(true);
    expect(r.checks.find((c) => c.check === 'signature')?.status).toBe('failed');
  });

  it('reports an unsigned PDF of a genuine licence as unsigned, licence checks passing', async () => {
    const lic = demo.licenses[0]!;
    const unsigned = await renderLicensePdf(lic.form, { standard: lic.standard, qrText: 'LC1:X', at: NOW, fonts });
    const r = await verify(unsigned);
    expect(r.reasons).toEqual(['PDF_SIGNATURE_MISSING']);
    expect(r.pdf.signed).toBe(false);
  });
});

/**
 * Rewrites the embedded full form with `edit` applied, keeping the stream the
 * same length when some compression level allows (so only the signed bytes
 * differ), otherwise with the stream's /Length fixed up.
 */
async function tamperAttachment(original: Uint8Array, edit: (json: string) => string): Promise<Uint8Array> {
  const doc = await PDFDocument.load(original);
  const stream = doc.context.enumerateIndirectObjects().map(([, o]) => o).find(
    (o): o is PDFRawStream => o instanceof PDFRawStream && o.dict.get(PDFName.of('Type'))?.toString() === '/EmbeddedFile',
  )!;
  const old = Buffer.from(stream.contents);
  const json = edit(inflateSync(old).toString('utf8'));
  expect(json).not.toBe(inflateSync(old).toString('utf8'));
  const bytes = Buffer.from(original);
  const at = bytes.indexOf(old);
  for (let level = 1; level <= 9; level++) {
    const candidate = deflateSync(json, { level });
    if (candidate.length === old.length) {
      candidate.copy(bytes, at);
      return bytes;
    }
  }
  const fresh = deflateSync(json);
  const head = latin1(bytes.subarray(0, at)).replace(new RegExp(`/Length ${old.length}(?![0-9])(?![\\s\\S]*/Length ${old.length}(?![0-9]))`), `/Length ${fresh.length}`);
  return Buffer.concat([Buffer.from(head, 'latin1'), fresh, bytes.subarray(at + old.length)]);
}

/** A classic incremental update: one new object, an xref section for it, a trailer pointing back with /Prev. */
function appendIncrementalUpdate(original: Uint8Array): Uint8Array {
  const text = latin1(original);
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1]);
  const size = Number(/\/Size (\d+)/.exec(text.slice(text.lastIndexOf('trailer')))![1]);
  const root = /\/Root (\d+ \d+ R)/.exec(text.slice(text.lastIndexOf('trailer')))![1];
  const obj = `${size} 0 obj\n<< /Type /Annot /Subtype /Text /Rect [100 100 120 120] /Contents (added after signing) >>\nendobj\n`;
  const objAt = original.length + 1;
  const xrefAt = objAt + obj.length;
  const update =
    `\n${obj}xref\n0 1\n0000000000 65535 f \n${size} 1\n${String(objAt).padStart(10, '0')} 00000 n \n` +
    `trailer\n<< /Size ${size + 1} /Root ${root} /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([original, Buffer.from(update, 'latin1')]);
}
