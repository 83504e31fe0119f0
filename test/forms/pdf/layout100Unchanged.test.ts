/**
 * 1.0.0 layouts are published: their licences print exactly as they always have (issue 14 changes only
 * 1.1.0 faces). Each golden 1.0.0 licence is rendered unsigned with a fixed QR text, time and seal, and the
 * bytes are compared with the SHA-256 recorded before the issue-14 layout work.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { FullForm } from '../../../src/format/FullForm';
import { renderLicensePdf } from '../../../src/forms/pdf/renderLicensePdf';
import { repoPath } from '../../../src/repoPath';
import { NOW, catalog, fonts, sealPng } from './pdfTestRegion';

const PINNED: Record<string, string> = {
  'birth-medical-certificate.elic.json': '453c23478f080928465f1e2d4a6dedd9cbf0119ce9afbcb09523890f8a096d74',
  'business-licence.elic.json': '81ef4b8ec40db36406e77f8f71d5c0f6804a25fdf98206c7c253e59976c3074a',
  'degree-certificate.elic.json': '31125ea30d9ef90dc16289350f27e05464569752107876ee40bc63908e6188b3',
  'driving-licence.elic.json': '9e209a4f9b2f7fbca208f8170027aaf6c60e7f781aa3ed7218e982902d6fac25',
  'food-business-permit.elic.json': '58baa1b3e460316e39ba1a6fb706cf562ba192fa680e480b366649db7afd6df8',
  'marriage-certificate.elic.json': 'af85d045d19b7e3adffedd204e890f781986b603638ca10464413ffadde739b4',
  'real-estate-title.elic.json': '007e53d518426f97d0f69882f028bda63c4b7374c5799b6c4aa9b36ebb1a2ba2',
  'social-security-card.elic.json': 'f1bd8b5a5db36ccf12d2d9e9d6a8cfc2247ec3e1505ac9944febdc41933a445d',
};

const dir = repoPath('test', 'golden', 'licences');
const golden = readdirSync(dir).filter((f) => f.endsWith('.elic.json')).sort();

it('renders every golden 1.0.0 licence byte for byte as before', async () => {
  const got: Record<string, string> = {};
  for (const f of golden) {
    const form = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as FullForm;
    const standard = catalog.getType(String(form.license['certificateTypeCode']), String(form.license['standardVersion']))!;
    expect(standard.version).toBe('1.0.0');
    const pdf = await renderLicensePdf(form, { standard, qrText: `LC1:GOLDEN${standard.slug.toUpperCase()}`, sealPng, at: NOW, fonts });
    got[f] = createHash('sha256').update(pdf).digest('hex');
  }
  expect(got).toEqual(PINNED);
});
