import type { FullForm } from '../format/FullForm';
import { ANNOTATED_COPY_ATTACHMENT_NAME, MAX_ANNOTATED_COPY_BYTES } from '../forms/pdf/readLicensePdf';

/**
 * The annotated copy (加注件) of a licence, file `*.elac.json`
 * (standards/annotated-copy/annotated-copy-1.0.0.schema.json, docs/adr/0012):
 * a copy of one licence made for one stated purpose (制作事由) and one user
 * department (用证部门), valid until notAfter, signed by the region's
 * trust-list signing key over the JCS bytes of `annotatedCopy`.
 */
export const ANNOTATED_COPY_FORMAT = 'elicense-annotated-copy';
export const ANNOTATED_COPY_VERSION = '1.0.0';
/** JWS `typ` of the copy's detached signature. */
export const ANNOTATED_COPY_JWS_TYPE = 'elicense-annotated-copy+jws';
/** File name of the copy inside its PDF (read by the PDF reader, which cannot import this layer), and the extension of the file. */
export { ANNOTATED_COPY_ATTACHMENT_NAME };
/** Longest purpose, department or maker name (characters). */
export const MAX_ANNOTATION_TEXT = 64;
/** Largest copy read (bytes): the original full form at its largest plus the annotation and its signature with a certificate chain. */
export { MAX_ANNOTATED_COPY_BYTES };

/** A party named on the copy: the user department (USCC) or the maker (USCC or region code). */
export interface AnnotationParty {
  name: string;
  code: string;
}

/** The signed part. */
export interface Annotation {
  format: typeof ANNOTATED_COPY_FORMAT;
  version: typeof ANNOTATED_COPY_VERSION;
  copyId: string;
  /** The region (6-digit code) whose platform made and signed the copy. */
  region: string;
  original: {
    identifier: string;
    typeCode: string;
    /** SHA-256 of the original full form's JCS bytes, base64url. */
    digest: { alg: 'SHA-256'; value: string };
  };
  purpose: string;
  userDepartment: AnnotationParty;
  maker: AnnotationParty;
  /** UTC, whole seconds: 2026-12-06T07:21:04Z. */
  madeAt: string;
  notAfter: string;
}

/** The whole document. */
export interface AnnotatedCopy {
  annotatedCopy: Annotation;
  original: FullForm;
  /** Detached compact JWS over the JCS bytes of annotatedCopy. */
  signature: string;
}

/** What a verification answer says about an annotated copy (VerificationResult.annotatedCopy). */
export interface AnnotatedCopyAnswer {
  copyId: string;
  region: string;
  purpose: string;
  userDepartment: AnnotationParty;
  maker: AnnotationParty;
  madeAt: string;
  notAfter: string;
  /** The licence the copy was made of. */
  originalIdentifier: string;
  /** The visible mark the copy carries: 仅供<用证部门><制作事由>使用，他用无效. */
  mark: string;
  /** Which form of the copy was verified: the document (with its original) or its QR (the annotation alone). */
  form: 'document' | 'qr';
  /** The copy's signer (its region's trust-list signer), when its signature verified. */
  signer?: { keyId: string; subject: string; certificateSha256: string };
}

/** The mark printed on the copy and returned with its verification. */
export function annotationMark(a: Pick<Annotation, 'purpose' | 'userDepartment'>): string {
  return `仅供${a.userDepartment.name}${a.purpose}使用，他用无效`;
}

/** Whether a parsed document is an annotated copy (has a top-level annotatedCopy), as opposed to a full form. */
export function isAnnotatedCopyDocument(doc: unknown): doc is Record<string, unknown> {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && Object.prototype.hasOwnProperty.call(doc, 'annotatedCopy');
}

/** An instant as the copy writes it: UTC, whole seconds. */
export function annotationInstant(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
