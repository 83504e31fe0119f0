import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedDir, generateTypes } from '../../scripts/gen-types';

// The generator runs with format: false, but json-schema-to-typescript still loads prettier, whose CJS
// entry starts a dynamic import that jest cannot run. Nothing here needs prettier.
jest.mock('prettier', () => ({}));

describe('generated TypeScript types', () => {
  it('are up to date with the schemas (run: npm run build && npm run gen:types)', async () => {
    const expected = await generateTypes();
    expect(readdirSync(generatedDir()).sort()).toEqual([...expected.keys()].sort());
    for (const [name, content] of expected) {
      expect([name, readFileSync(join(generatedDir(), name), 'utf8')]).toEqual([name, content]);
    }
  });
});
