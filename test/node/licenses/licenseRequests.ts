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

/** Issues a business licence on a test node and reads its QR text: the full form and `LC1:…` for verification tests. */
export async function issueBusinessLicenceWithQr(node: { url: string; keys: { issuerOf(t: string): string } }): Promise<{ license: Record<string, any>; qrText: string }> {
  const key = node.keys.issuerOf('business-licence');
  const issued = await fetch(`${node.url}/v1/licenses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(businessLicenseRequest()) });
  if (issued.status !== 201) throw new Error(`issuing failed: ${issued.status} ${await issued.text()}`);
  // Parsed here (not by fetch): objects of this realm, as the tests' own documents are.
  const license = JSON.parse(await issued.text()) as Record<string, any>;
  const qr = await fetch(`${node.url}/v1/licenses/${license['license'].certificateIdentifier}.qr.txt`, { headers: { authorization: `Bearer ${key}` } });
  const qrText = (await qr.text()).trim();
  if (!qrText.startsWith('LC1:')) throw new Error(`no QR text: ${qrText.slice(0, 80)}`);
  return { license, qrText };
}
