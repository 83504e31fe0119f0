import { loadSampleLicences } from '../../../src/demo/sampleDraft';

/** The sample business licence of fixtures/data as an issue request body. */
export function businessLicenceRequest(overrides: Record<string, unknown> = {}): { type: string; data: Record<string, unknown> } {
  const sample = loadSampleLicences().find((s) => s.slug === 'business-licence')!;
  return { type: 'business-licence', data: { ...JSON.parse(JSON.stringify(sample.draft)), ...overrides } };
}
