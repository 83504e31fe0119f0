import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository's standards/ folder, found by walking up from this file, so it resolves both from
 * src/standards (ts-jest, swc) and from dist/src/standards (compiled).
 */
export function standardsDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'standards');
    if (existsSync(join(candidate, 'envelope'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('standards/ folder not found above ' + __dirname);
    dir = parent;
  }
}
