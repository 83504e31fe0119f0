import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where the public test vectors are read in place (never copied into the
 * project): ELICENSE_VECTORS_DIR, else ../shared/vectors next to the checkout,
 * else this workplace's /work/shared/vectors (CI may check out elsewhere).
 * Tests that need a suite skip with a message when it is absent.
 */
export function vectorsDir(...suite: string[]): string {
  const candidates = [
    process.env['ELICENSE_VECTORS_DIR'],
    resolve(__dirname, '..', '..', 'shared', 'vectors'),
    '/work/shared/vectors',
  ].filter((d): d is string => typeof d === 'string' && d !== '');
  const base = candidates.find((d) => existsSync(d)) ?? candidates[0]!;
  return join(base, ...suite);
}
