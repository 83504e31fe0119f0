import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

/**
 * Every pointer to a file of this repository, in code comments, tests, scripts and documents, names a
 * file that exists (issue 11: comments cited a brief outside the repository and a `routeTable.ts` that
 * never existed). Two kinds of pointer are checked:
 * - paths from the repository root (`src/…`, `docs/…`, `test/…`, `scripts/…`, `standards/…`,
 *   `fixtures/…`, `web/…`); `docs/adr/0004` names the ADR starting with that number, and a path without
 *   extension may name a `.ts` file;
 * - bare file names ending in `.ts` or `.md` in src/, scripts/, docs/ and the README: some file of that
 *   name exists in the repository.
 */
const ROOT = join(__dirname, '..', '..');
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'bench-results', 'demo-out', 'coverage']);
const PATH_REF = /(?<![\w./@-])((?:src|docs|test|scripts|standards|fixtures|web)\/[\w./-]*\w)/g;
const NAME_REF = /(?<![\w./@-])([A-Za-z][\w-]*\.(?:ts|md))(?![\w/])/g;
/** File names that appear in code as strings for something other than a file of ours. */
const NOT_FILE_NAMES = new Set(['generated.ts']);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

export function pathExists(ref: string): boolean {
  const p = join(ROOT, ref);
  if (existsSync(p) || existsSync(`${p}.ts`)) return true;
  const dir = dirname(p);
  return existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).some((n) => n.startsWith(`${basename(p)}-`));
}

describe('references to files of the repository', () => {
  const all = walk(ROOT);
  const names = new Set(all.map((p) => basename(p)));
  const texts = all.filter(
    (p) => p !== __filename && /\.(ts|md|js|html)$/.test(p) && /^(src|scripts|test|docs|web)\/|^README\.md$|^standards\/README\.md$/.test(relative(ROOT, p)),
  );

  it('every path from the repository root names a file or folder that exists', () => {
    const broken: string[] = [];
    for (const file of texts) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(PATH_REF)) {
        const ref = m[1]!.replace(/\.$/, '');
        if (!pathExists(ref)) broken.push(`${relative(ROOT, file)}: ${ref}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every bare .ts or .md file name in src, scripts, docs and the README names a file that exists', () => {
    const broken: string[] = [];
    for (const file of texts.filter((p) => !relative(ROOT, p).startsWith('test/'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(NAME_REF)) {
        const name = m[1]!;
        if (!names.has(name) && !NOT_FILE_NAMES.has(name)) broken.push(`${relative(ROOT, file)}: ${name}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds a stale pointer (the checks can fail)', () => {
    expect(pathExists('src/http/routeTable.ts')).toBe(false);
    expect(pathExists('docs/adr/0004')).toBe(true);
    expect(pathExists('docs/adr/0099')).toBe(false);
    expect(pathExists('src/verify/checkStatus')).toBe(true);
  });
});
