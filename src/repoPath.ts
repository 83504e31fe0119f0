import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/**
 * A path inside the repository (or the installed package), found by walking
 * up from this file to package.json, so it resolves the same from src/ (jest)
 * and from dist/src/ (compiled).
 */
export function repoPath(...segments: string[]): string {
  if (root === undefined) {
    let dir = __dirname;
    while (!existsSync(join(dir, 'package.json'))) {
      const parent = dirname(dir);
      if (parent === dir) throw new Error(`package.json not found above ${__dirname}`);
      dir = parent;
    }
    root = dir;
  }
  return join(root, ...segments);
}
