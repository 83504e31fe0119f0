import { loadSampleLicenses } from '../../../src/demo/sampleDraft';

let issued = 0;

/**
 * The sample business licence of fixtures/data as an issue request body. Each call gets its own
 * certificate number unless one is given: a node holds one valid licence per number (issue 10).
 */
export function businessLicenseRequest(overrides: Record<string, unknown> = {}): { type: string; data: Record<string, unknown> } {
  const sample = loadSampleLicenses().find((s) => s.slug === 'business-licence')!;
  const certificateNumber = `${sample.draft.certificateNumber}-${process.pid}-${++issued}`;
  return { type: 'business-licence', data: { ...JSON.parse(JSON.stringify(sample.draft)), certificateNumber, ...overrides } };
}
