import { signDetachedJws } from '../crypto/jws';
import type { Signer } from '../crypto/Signer';
import { checkUscc } from '../codes/uscc';
import { ElicenseError } from '../errors';
import type { FullForm } from '../format/FullForm';
import { canonicalJson } from '../json/canonicalJson';
import { findRefusedText, textError } from '../json/checkRequestText';
import {
  ANNOTATED_COPY_FORMAT,
  ANNOTATED_COPY_JWS_TYPE,
  ANNOTATED_COPY_VERSION,
  annotationInstant,
  isAnnotatedCopyDocument,
  type AnnotatedCopy,
  type Annotation,
  type AnnotationParty,
} from './AnnotatedCopy';
import { annotatedCopySchemaError } from './annotatedCopySchema';
import { originalDigest } from './originalDigest';

export interface AnnotatedCopyInput {
  /** The original full form exactly as issued (the caller has checked that it is current). */
  original: FullForm;
  /** 制作事由 */
  purpose: string;
  /** 用证部门: name and USCC. */
  userDepartment: AnnotationParty;
  /** 制作方: the platform making the copy (name, and its USCC or region code). */
  maker: AnnotationParty;
  madeAt: Date;
  notAfter: Date;
  /** A random identifier of 16–64 base64url characters (newCopyId). */
  copyId: string;
  /** The region (6-digit code) whose trust-list signer signs. */
  region: string;
}

const invalid = (path: string, message: string) => new ElicenseError('SCHEMA_INVALID', `${path} ${message}`, { errors: [{ path, message }] });

/** A fresh copy id: 128 random bits, base64url (22 characters). */
export function newCopyId(randomBytes: (n: number) => Uint8Array): string {
  return Buffer.from(randomBytes(16)).toString('base64url');
}

/**
 * Makes an annotated copy: checks the terms (single-line text without control
 * characters, names within MAX_ANNOTATION_TEXT, the user department's USCC,
 * notAfter after madeAt, the published schema), binds the original by the
 * SHA-256 of its JCS bytes, and signs the JCS bytes of the annotation with a
 * detached JWS (typ elicense-annotated-copy+jws, x5c = the signer's chain).
 * `signer` is the region's trust-list signer. Limits on duration and count are
 * the caller's (type standard, region configuration).
 * Errors: TEXT_CONTROL_CHARACTER, SCHEMA_INVALID, CODE_INVALID (422).
 */
export async function makeAnnotatedCopy(input: AnnotatedCopyInput, signer: Signer): Promise<AnnotatedCopy> {
  const terms = { purpose: input.purpose, userDepartment: input.userDepartment, maker: input.maker };
  const refused = findRefusedText(terms, { singleLine: true });
  if (refused) throw textError(refused);
  for (const [path, value] of [
    ['/purpose', input.purpose],
    ['/userDepartment/name', input.userDepartment?.name],
    ['/maker/name', input.maker?.name],
  ] as const) {
    if (typeof value !== 'string' || value.trim().length === 0) throw invalid(path, 'must be non-empty text');
    if (value !== value.trim()) throw invalid(path, 'must not begin or end with white space');
  }
  const uscc = checkUscc(input.userDepartment.code);
  if (!uscc.ok) throw new ElicenseError('CODE_INVALID', `/userDepartment/code ${uscc.message}`, { errors: [{ path: '/userDepartment/code', code: uscc.code, message: uscc.message }] });
  if (!(input.madeAt instanceof Date) || Number.isNaN(input.madeAt.getTime())) throw invalid('/madeAt', 'must be a time');
  if (!(input.notAfter instanceof Date) || Number.isNaN(input.notAfter.getTime())) throw invalid('/notAfter', 'must be a time');
  const madeAt = annotationInstant(input.madeAt);
  const notAfter = annotationInstant(input.notAfter);
  if (notAfter <= madeAt) throw invalid('/notAfter', 'must be after madeAt');

  const original = input.original as unknown;
  if (isAnnotatedCopyDocument(original)) throw invalid('/original', 'is an annotated copy; copies are made of full-form licences only');
  const record = typeof original === 'object' && original !== null ? (original as { license?: unknown }).license : undefined;
  const identifier = typeof record === 'object' && record !== null ? (record as Record<string, unknown>)['certificateIdentifier'] : undefined;
  const typeCode = typeof record === 'object' && record !== null ? (record as Record<string, unknown>)['certificateTypeCode'] : undefined;
  if (typeof identifier !== 'string' || typeof typeCode !== 'string') throw invalid('/original', 'must be a full-form licence with its identifier and type code');

  const annotatedCopy: Annotation = {
    format: ANNOTATED_COPY_FORMAT,
    version: ANNOTATED_COPY_VERSION,
    copyId: input.copyId,
    region: input.region,
    original: { identifier, typeCode, digest: { alg: 'SHA-256', value: originalDigest(input.original) } },
    purpose: input.purpose,
    userDepartment: { name: input.userDepartment.name, code: input.userDepartment.code },
    maker: { name: input.maker.name, code: input.maker.code },
    madeAt,
    notAfter,
  };
  const unsigned = { annotatedCopy, original: input.original, signature: 'AA..AA' };
  const schemaError = annotatedCopySchemaError(unsigned);
  if (schemaError) throw invalid(schemaError.split(' ')[0]!, schemaError.slice(schemaError.indexOf(' ') + 1));
  const signature = await signDetachedJws(signer, Buffer.from(canonicalJson(annotatedCopy), 'utf8'), { typ: ANNOTATED_COPY_JWS_TYPE });
  return { annotatedCopy, original: input.original, signature };
}
