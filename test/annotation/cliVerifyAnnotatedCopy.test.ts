import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAnnotatedCopyQr } from '../../src/annotation/annotatedCopyQr';
import { cli, removeDir, tempDir } from '../cli/cliHarness';
import { renderAnnotatedCopyPdf } from '../../src/annotation/renderAnnotatedCopyPdf';
import { LicenseFonts } from '../../src/forms/pdf/LicenseFonts';
import { annotationRegion, NOW, type AnnotationRegion } from './annotationRegion';

let dir: string;
let region: AnnotationRegion;
beforeAll(async () => {
  dir = tempDir('cli-annotated-copy');
  region = await annotationRegion();
  mkdirSync(join(dir, 'trust'));
  writeFileSync(join(dir, 'trust', 'trust.json'), JSON.stringify(region.demo.trustFile));
  const copy = await region.copyOf();
  writeFileSync(join(dir, 'copy.elac.json'), JSON.stringify(copy));
  writeFileSync(join(dir, 'copy.qr.txt'), await encodeAnnotatedCopyQr(copy, region.signer));
  writeFileSync(join(dir, 'copy.pdf'), await renderAnnotatedCopyPdf(copy, { standard: region.licence.standard, signer: region.signer, at: NOW, fonts: LicenseFonts.load(), demo: true }));
}, 60_000);
afterAll(() => removeDir(dir));

describe('elicense verify on an annotated copy', () => {
  it('prints the copy\'s terms (purpose, user department, maker, times, mark) and exits 0 while it is valid', async () => {
    const r = await cli(['verify', join(dir, 'copy.elac.json'), '--trust', join(dir, 'trust'), '--at', NOW.toISOString()]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ACCEPTED/);
    expect(r.out).toContain('annotated copy (加注件) copy-0123456789abcdef of 1.2.156.3005.2.');
    expect(r.out).toContain('purpose (制作事由):           办理住房公积金提取');
    expect(r.out).toContain('user department (用证部门):   福州市住房公积金中心 (11350100DM0000021X)');
    expect(r.out).toContain('valid until (有效期至): 2027-02-24T08:00:00Z');
    expect(r.out).toContain('mark: 仅供福州市住房公积金中心办理住房公积金提取使用，他用无效');
  });

  it('--at after notAfter: rejected, ANNOTATION_EXPIRED, exit 1; --json carries annotatedCopy', async () => {
    const r = await cli(['verify', join(dir, 'copy.elac.json'), '--trust', join(dir, 'trust'), '--at', '2027-03-01T00:00:00Z', '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { result: string; reasons: string[]; annotatedCopy: { purpose: string } };
    expect([json.result, json.reasons, json.annotatedCopy.purpose]).toEqual(['rejected', ['ANNOTATION_EXPIRED'], '办理住房公积金提取']);
  });

  it("the copy's QR text verifies too, and says the licence itself was not presented", async () => {
    const r = await cli(['verify', join(dir, 'copy.qr.txt'), '--trust', join(dir, 'trust'), '--at', NOW.toISOString()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('(from its QR: the licence itself was not presented)');
  });

  it("the copy's PDF verifies from the file alone (the attached copy and the PDF signature by the copy's signer)", async () => {
    const r = await cli(['verify', join(dir, 'copy.pdf'), '--trust', join(dir, 'trust'), '--at', NOW.toISOString()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('purpose (制作事由):           办理住房公积金提取');
  });
});
