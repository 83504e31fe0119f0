/**
 * Writes the golden vectors of the current standards under test/golden/<envelope version> (today
 * test/golden/1.1.0): a signed licence of every sample in fixtures/data (every type and face variant), the
 * trust file they verify against, bad variants, and the expected result of each at a fixed time. Run once
 * and commit; test/golden re-verifies every set on every run so that what is signed today verifies forever.
 * Re-running replaces the set with new keys: do that only when the format deliberately changes. The 1.0.0
 * set (test/golden/licences, tampered, trust.json, expected.json) was signed under the 1.0.0 standards and
 * is never regenerated.
 *
 *   npm run build && node dist/scripts/gen-golden.js
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemoRegion } from '../src/demo/buildDemoRegion';
import { tamperedVariants } from '../src/demo/tamperedVariants';
import { repoPath } from '../src/repoPath';
import { StandardsCatalog } from '../src/standards/StandardsCatalog';

export const GOLDEN_TIME = '2026-12-06T08:00:00.000Z';
/** The envelope (and type standards) the vectors are signed under: the folder they go to. */
const SET = '1.1.0';
/** Too big to be worth committing; the tests generate them on the fly instead. */
const NOT_COMMITTED = new Set(['oversized']);

async function main(): Promise<void> {
  const dir = repoPath('test', 'golden', SET);
  const now = new Date(GOLDEN_TIME);
  const catalog = StandardsCatalog.load();
  const demo = await buildDemoRegion({ catalog, now });
  rmSync(join(dir, 'licences'), { recursive: true, force: true });
  rmSync(join(dir, 'tampered'), { recursive: true, force: true });
  mkdirSync(join(dir, 'licences'), { recursive: true });
  mkdirSync(join(dir, 'tampered'), { recursive: true });
  writeFileSync(join(dir, 'trust.json'), JSON.stringify(demo.trustFile, null, 2));
  const expected: Record<string, { at: string; result: 'accepted' | 'rejected'; reason?: string }> = {};
  for (const lic of demo.licenses) {
    if (lic.form.license['envelopeVersion'] !== SET) throw new Error(`${lic.sample} is not signed under envelope ${SET}`);
    const file = `licences/${lic.sample}.elic.json`;
    writeFileSync(join(dir, file), JSON.stringify(lic.form, null, 2));
    expected[file] = { at: GOLDEN_TIME, result: 'accepted' };
  }
  for (const t of await tamperedVariants(demo, catalog, now)) {
    if (NOT_COMMITTED.has(t.name)) continue;
    const file = `tampered/${t.name}.elic.json`;
    writeFileSync(join(dir, file), t.bytes);
    expected[file] = { at: t.at ?? GOLDEN_TIME, result: 'rejected', reason: t.expected };
  }
  writeFileSync(join(dir, 'expected.json'), JSON.stringify(expected, null, 2));
  process.stdout.write(`golden vectors written to ${dir} (${Object.keys(expected).length} files)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
