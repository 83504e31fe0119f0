import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { standardsDir } from '../../src/standards/standardsDir';

/**
 * Published standards are immutable: licences signed against them must validate forever. Editing a
 * published file fails here; publish a new version instead and add its digest to standards/published.json.
 */
const dir = standardsDir();
const published = JSON.parse(readFileSync(join(dir, 'published.json'), 'utf8')) as { files: Record<string, string> };

describe('published standards never change', () => {
  it.each(Object.entries(published.files))('%s keeps its SHA-256', (file, digest) => {
    expect(createHash('sha256').update(readFileSync(join(dir, file))).digest('hex')).toBe(digest);
  });

  it('lists every type standard file', () => {
    const files: string[] = [];
    for (const slug of readdirSync(join(dir, 'types'))) {
      for (const f of readdirSync(join(dir, 'types', slug))) files.push(`types/${slug}/${f}`);
    }
    for (const f of files) expect([f, published.files[f] !== undefined]).toEqual([f, true]);
  });
});
