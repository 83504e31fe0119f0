import { canonicalJson } from '../../src/json/canonicalJson';
import { annotatedCopySchemaError } from '../../src/annotation/annotatedCopySchema';
import { originalDigest } from '../../src/annotation/originalDigest';
import { newCopyId } from '../../src/annotation/makeAnnotatedCopy';
import { isElicenseError } from '../../src/errors';
import { annotationRegion, DAY, NOW, type AnnotationRegion } from './annotationRegion';

let region: AnnotationRegion;
beforeAll(async () => {
  region = await annotationRegion();
});

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'no error';
  } catch (e) {
    return isElicenseError(e) ? `${e.code} ${String((e.details?.['errors'] as { path: string }[] | undefined)?.[0]?.path)}` : String(e);
  }
};

describe('makeAnnotatedCopy', () => {
  it('makes a document matching the published schema, bound to the original by the SHA-256 of its JCS bytes', async () => {
    const copy = await region.copyOf();
    expect(annotatedCopySchemaError(copy)).toBeUndefined();
    expect(copy.annotatedCopy).toMatchObject({
      format: 'elicense-annotated-copy',
      version: '1.0.0',
      region: '350000',
      purpose: '办理住房公积金提取',
      madeAt: '2026-11-26T08:00:00Z',
      notAfter: '2027-02-24T08:00:00Z',
      original: { identifier: region.licence.form.license['certificateIdentifier'], typeCode: region.licence.standard.typeCode, digest: { alg: 'SHA-256' } },
    });
    expect(copy.annotatedCopy.original.digest.value).toBe(originalDigest(region.licence.form));
    expect(copy.original).toBe(region.licence.form);
    const header = JSON.parse(Buffer.from(copy.signature.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toMatchObject({ typ: 'elicense-annotated-copy+jws', alg: region.signer.algorithm, kid: region.signer.keyId });
    expect((header['x5c'] as string[]).length).toBe(region.signer.certificateChain.length);
    // The document survives a JSON round trip unchanged (what a holder downloads is what is verified).
    expect(canonicalJson(JSON.parse(JSON.stringify(copy)))).toBe(canonicalJson(copy));
  });

  it('copy ids are 128 random bits, base64url', () => {
    let n = 0;
    const id = newCopyId((k) => new Uint8Array(k).map(() => n++));
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it.each([
    ['a control character in the purpose', { purpose: '办理\u0007提取' }, 'TEXT_CONTROL_CHARACTER /purpose'],
    ['a line break in the department name', { userDepartment: { name: '福州市\n中心', code: '11350100DM0000021X' } }, 'TEXT_CONTROL_CHARACTER /userDepartment/name'],
    ['an empty purpose', { purpose: '  ' }, 'SCHEMA_INVALID /purpose'],
    ['a purpose beyond 64 characters', { purpose: '办'.repeat(65) }, 'SCHEMA_INVALID /annotatedCopy/purpose'],
    ['a malformed USCC', { userDepartment: { name: '某部门', code: '123' } }, 'CODE_INVALID /userDepartment/code'],
    ['notAfter before madeAt', { notAfter: new Date(NOW.getTime() - DAY) }, 'SCHEMA_INVALID /notAfter'],
    ['an invalid time', { madeAt: new Date('x') }, 'SCHEMA_INVALID /madeAt'],
    ['a short copy id', { copyId: 'abc' }, 'SCHEMA_INVALID /annotatedCopy/copyId'],
    ['a region that is not a code', { region: 'Fujian' }, 'SCHEMA_INVALID /annotatedCopy/region'],
  ])('refuses %s with a stable code naming the field', async (_name, overrides, expected) => {
    expect(await codeOf(region.copyOf(overrides))).toBe(expected);
  });

  it('refuses to copy a copy, or something that is no full form', async () => {
    const copy = await region.copyOf();
    expect(await codeOf(region.copyOf({ original: copy as never }))).toBe('SCHEMA_INVALID /original');
    expect(await codeOf(region.copyOf({ original: { format: 'elicense/full@1' } as never }))).toBe('SCHEMA_INVALID /original');
  });
});
