import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../src/repoPath';
import { importCycles, importEdges, layerOf, ruleViolations } from './dependencyRule';

describe('the dependency rule of src/ (docs/adr/0007-layout.md)', () => {
  const edges = importEdges(repoPath('src'));

  it('reads the imports of the tree, type-only ones included', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges.some((e) => e.typeOnly)).toBe(true);
    // every file of src/ belongs to a layer
    for (const e of edges) {
      expect(() => layerOf(e.from)).not.toThrow();
      expect(() => layerOf(e.to)).not.toThrow();
    }
  });

  it('no layer imports one it may not: format ← verify ← issue, http and cli → region, nothing → http but the node', () => {
    expect(ruleViolations(edges)).toEqual([]);
  });

  it('no file reaches itself through its imports', () => {
    expect(importCycles(edges)).toEqual([]);
  });

  describe('fails on a deliberate back-import', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'elicense-deps-'));
      for (const d of ['format', 'verify', 'issue', 'region', 'http', 'cli']) mkdirSync(join(dir, d));
      writeFileSync(join(dir, 'format', 'FullForm.ts'), "export interface FullForm { a: string }\n");
      writeFileSync(join(dir, 'verify', 'verify.ts'), "import type { FullForm } from '../format/FullForm';\nexport const v = (f: FullForm) => f.a;\n");
      writeFileSync(join(dir, 'issue', 'issue.ts'), "import { v } from '../verify/verify';\nexport const i = v;\n");
      writeFileSync(join(dir, 'region', 'useCase.ts'), "import { i } from '../issue/issue';\nexport const u = i;\n");
      writeFileSync(join(dir, 'http', 'route.ts'), "import { u } from '../region/useCase';\nexport const r = u;\n");
      // the back-imports: verify reaching up to issue (type-only), the CLI reaching into http
      writeFileSync(join(dir, 'verify', 'back.ts'), "import type { i } from '../issue/issue';\nexport type B = typeof i;\n");
      writeFileSync(join(dir, 'cli', 'command.ts'), "import { r } from '../http/route';\nexport const c = r;\n");
      // and a cycle inside one layer
      writeFileSync(join(dir, 'format', 'a.ts'), "import { b } from './b';\nexport const a = () => b;\n");
      writeFileSync(join(dir, 'format', 'b.ts'), "import type { a } from './a';\nexport const b = 1; export type A = typeof a;\n");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('names each import that breaks the rule, and each cycle', () => {
      const sample = importEdges(dir);
      expect(ruleViolations(sample).sort()).toEqual([
        'cli/command.ts (cli) imports http/route.ts (http)',
        'verify/back.ts (verify) imports type from issue/issue.ts (issue)',
      ]);
      expect(importCycles(sample)).toEqual([['format/a.ts', 'format/b.ts']]);
    });
  });
});
