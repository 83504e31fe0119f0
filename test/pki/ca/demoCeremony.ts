import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCeremony, type RegionPki } from '../../../src/pki/ca/ceremony';

export const CEREMONY_TIME = new Date('2026-03-01T08:00:00Z');

export function loadDemoConfig(): Record<string, any> {
  return JSON.parse(readFileSync(join(__dirname, '../../../fixtures/ceremony/demo-region.json'), 'utf8'));
}

/** The config with every key SM2: root, intermediates, trust-list signer, TSA and departments. */
export function allSm2(c: Record<string, any>): Record<string, any> {
  for (const x of [c.root, ...(c.intermediates ?? []), c.trustListSigner, c.timestampAuthority, ...c.departments]) x.algorithm = 'SM2';
  return c;
}

let cached: Promise<RegionPki> | undefined;
/** The demo region, generated once per test file (RSA-3072 key generation is slow). */
export function demoRegion(): Promise<RegionPki> {
  cached ??= runCeremony(loadDemoConfig(), { now: CEREMONY_TIME });
  return cached;
}
