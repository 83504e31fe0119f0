/**
 * Writes the golden vectors under test/golden: a signed licence of every type,
 * the trust file they verify against, bad variants, and the expected result of
 * each at a fixed time. Run once and commit; test/golden re-verifies them on
 * every run so that what is signed today verifies forever. Re-running replaces
 * them with new keys: do that only when the format deliberately changes.
 *
 *   npm run build && node dist/scripts/gen-golden.js
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemoRegion } from '../src/demo/buildDemoRegion';
import { tamperedVariants } from '../src/demo/tamperedVariants';
import { repoPath } from '../src/repoPath';
import { StandardsCatalog } from '../src/standards/StandardsCatalog';

export const GOLDEN_TIME = '2026-11-26T08:00:00.000Z';
/** Too big to be worth committing; the tests generate them on the fly instead. */
const NOT_COMMITTED = new Set(['oversized']);

async function main(): Promise<void> {
  const dir = repoPath('test', 'golden');
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
    const file = `licences/${lic.slug}.elic.json`;
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
