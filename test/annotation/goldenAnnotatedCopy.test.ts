/**
 * Golden vectors of the annotated copy 1.0.0 (standards/annotated-copy/annotated-copy-1.0.0.schema.json): a copy,
 * its QR text and the trust file of the demo region that signed them, made once and committed. Re-verified on every
 * run so that a copy signed today verifies after every change; regenerate only on a deliberate format change
 * (ELICENSE_REGENERATE_ANNOTATION_GOLDEN=1 npx jest test/annotation/goldenAnnotatedCopy.test.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAnnotatedCopyQr } from '../../src/annotation/annotatedCopyQr';
import { loadLocalTrustFile } from '../../src/trust/local/loadLocalTrustFile';
import { verifyAnyForm } from '../../src/verify/forms/verifyAnyForm';
import { annotationRegion, catalog, NOW } from './annotationRegion';

const dir = join(__dirname, 'golden');
const files = { copy: join(dir, 'business-licence.elac.json'), qr: join(dir, 'business-licence.elac.qr.txt'), trust: join(dir, 'trust.json') };

beforeAll(async () => {
  if (process.env['ELICENSE_REGENERATE_ANNOTATION_GOLDEN'] !== '1' && existsSync(files.copy)) return;
  const region = await annotationRegion();
  const copy = await region.copyOf({ copyId: 'golden-copy-0000000001' });
  writeFileSync(files.copy, `${JSON.stringify(copy, null, 1)}\n`);
  writeFileSync(files.qr, `${await encodeAnnotatedCopyQr(copy, region.signer)}\n`);
  writeFileSync(files.trust, `${JSON.stringify(region.demo.trustFile, null, 1)}\n`);
});

describe('golden annotated copies', () => {
  const at = (iso: string) => ({ trust: loadLocalTrustFile(readFileSync(files.trust), 'golden annotation trust'), catalog, at: new Date(iso) });

  it.each([
    ['the document', () => readFileSync(files.copy)],
    ['its QR text', () => readFileSync(files.qr)],
  ])('%s verifies while the copy is valid, and is ANNOTATION_EXPIRED after', async (_name, bytes) => {
    const ok = await verifyAnyForm(bytes(), at(NOW.toISOString()));
    expect([ok.result, ok.reasons, ok.annotatedCopy?.copyId, ok.annotatedCopy?.purpose]).toEqual(['accepted', [], 'golden-copy-0000000001', '办理住房公积金提取']);
    const late = await verifyAnyForm(bytes(), at('2027-02-24T08:00:01Z'));
    expect(late.reasons).toContain('ANNOTATION_EXPIRED');
  });
});
