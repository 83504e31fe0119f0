import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRawStream, PDFString, type PDFObject } from 'pdf-lib';
import { MAX_FULL_FORM_BYTES } from '../../format/FullForm';
import { FULL_FORM_ATTACHMENT_NAME } from './embedFullForm';

/** One signature dictionary, as found through the AcroForm's signature fields. */
export interface PdfSignatureField {
  byteRange: number[] | null;
  /** /Contents decoded from hex (the CMS, zero padded). */
  contents: Uint8Array | null;
  subFilter: string | null;
  /** /M, the claimed signing time, as written. */
  claimedTime: string | null;
}

export type PdfAttachment = { found: false } | { found: true; bytes: Uint8Array } | { found: true; error: string };

export interface LicensePdfParts {
  signatures: PdfSignatureField[];
  attachment: PdfAttachment;
}

/** The attachment of an annotated copy's PDF (加注件, docs/adr/0012): the signed copy with its original, read when there is no licence.elic.json. */
export const ANNOTATED_COPY_ATTACHMENT_NAME = 'annotated-copy.elac.json';
/** Largest annotated copy read: the full form at its largest and the annotation with its signature and chain. */
export const MAX_ANNOTATED_COPY_BYTES = MAX_FULL_FORM_BYTES + 16 * 1024;

/** Name trees and field trees nest; ours are flat, anything deeper than this is refused. */
const MAX_TREE_DEPTH = 8;

/**
 * Reads what verification needs out of a PDF: the signature dictionaries of
 * its signature fields and the embedded full form. pdf-lib parses the whole
 * file, incremental updates included (later objects win). Throws when the
 * file is not a readable PDF.
 */
export async function readLicensePdf(pdf: Uint8Array): Promise<LicensePdfParts> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false, throwOnInvalidObject: true });
  return { signatures: signatureFields(doc), attachment: attachment(doc) };
}

function signatureFields(doc: PDFDocument): PdfSignatureField[] {
  const acroForm = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  const fields = acroForm?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  const out: PdfSignatureField[] = [];
  const visit = (arr: PDFArray, depth: number, inheritedSig: boolean) => {
    if (depth > MAX_TREE_DEPTH) return;
    for (let i = 0; i < arr.size(); i++) {
      const field = arr.lookup(i);
      if (!(field instanceof PDFDict)) continue;
      const ft = field.lookup(PDFName.of('FT'));
      const isSig = ft instanceof PDFName ? ft.asString() === '/Sig' : inheritedSig;
      const kids = field.lookupMaybe(PDFName.of('Kids'), PDFArray);
      if (kids) visit(kids, depth + 1, isSig);
      const v = field.lookup(PDFName.of('V'));
      if (isSig && v instanceof PDFDict) out.push(signatureDictionary(v));
    }
  };
  if (fields) visit(fields, 0, false);
  return out;
}

function signatureDictionary(v: PDFDict): PdfSignatureField {
  const range = v.lookup(PDFName.of('ByteRange'));
  let byteRange: number[] | null = null;
  if (range instanceof PDFArray) {
    const nums = range.asArray().map((o) => (o instanceof PDFNumber ? o.asNumber() : NaN));
    byteRange = nums.every((n) => Number.isSafeInteger(n)) ? nums : null;
  }
  const c = v.lookup(PDFName.of('Contents'));
  const sub = v.lookup(PDFName.of('SubFilter'));
  const m = v.lookup(PDFName.of('M'));
  return {
    byteRange,
    contents: c instanceof PDFHexString || c instanceof PDFString ? c.asBytes() : null,
    subFilter: sub instanceof PDFName ? sub.decodeText() : null,
    claimedTime: m instanceof PDFString || m instanceof PDFHexString ? m.decodeText() : null,
  };
}

function attachment(doc: PDFDocument): PdfAttachment {
  const names = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  const tree = names?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  const licence = tree ? findInNameTree(tree, FULL_FORM_ATTACHMENT_NAME, 0) : undefined;
  const copy = tree && !(licence instanceof PDFDict) ? findInNameTree(tree, ANNOTATED_COPY_ATTACHMENT_NAME, 0) : undefined;
  const spec = licence instanceof PDFDict ? licence : copy;
  if (!(spec instanceof PDFDict)) return { found: false };
  const max = spec === copy ? MAX_ANNOTATED_COPY_BYTES : MAX_FULL_FORM_BYTES;
  const stream = spec.lookupMaybe(PDFName.of('EF'), PDFDict)?.lookup(PDFName.of('F'));
  if (!(stream instanceof PDFRawStream)) return { found: true, error: 'the attachment has no embedded file stream' };
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  const filterName = filter instanceof PDFArray && filter.size() === 1 ? filter.lookup(0) : filter;
  if (filterName === undefined) return sized(stream.contents, max);
  if (!(filterName instanceof PDFName) || filterName.asString() !== '/FlateDecode' || stream.dict.has(PDFName.of('DecodeParms'))) {
    return { found: true, error: 'the attachment uses a filter other than plain FlateDecode' };
  }
  try {
    // Capped: a compressed stream could otherwise expand without bound.
    return sized(inflateSync(stream.contents, { maxOutputLength: max + 1 }), max);
  } catch {
    return { found: true, error: `the attachment does not inflate to at most ${max} bytes` };
  }
}

function sized(bytes: Uint8Array, max: number): PdfAttachment {
  return bytes.length > max ? { found: true, error: `the attachment exceeds ${max} bytes` } : { found: true, bytes };
}

function findInNameTree(node: PDFDict, key: string, depth: number): PDFObject | undefined {
  if (depth > MAX_TREE_DEPTH) return undefined;
  const names = node.lookupMaybe(PDFName.of('Names'), PDFArray);
  if (names) {
    for (let i = 0; i + 1 < names.size(); i += 2) {
      const k = names.lookup(i);
      if ((k instanceof PDFString || k instanceof PDFHexString) && k.decodeText() === key) return names.lookup(i + 1);
    }
  }
  const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
  for (let i = 0; kids && i < kids.size(); i++) {
    const kid = kids.lookup(i);
    const found = kid instanceof PDFDict ? findInNameTree(kid, key, depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}
