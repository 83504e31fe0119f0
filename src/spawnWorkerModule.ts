import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module `name` that sits in `dir` beside its caller: the compiled JavaScript when
 * there is one (a built node), else its TypeScript source compiled as it loads with @swc/core (run from the TypeScript
 * sources, as the tests do; @swc/core is a dev dependency, as the tests' own transform is). The QR image pool,
 * the verification pool and the issuance self-check pool all start their workers this way.
 */
export function spawnWorkerModule(dir: string, name: string): Worker {
  const compiled = join(dir, `${name}.js`);
  if (existsSync(compiled)) return new Worker(compiled);
  return new Worker(
    `const { readFileSync } = require('node:fs');
     const { transformSync } = require('@swc/core');
     require.extensions['.ts'] = (module, filename) => {
       const { code } = transformSync(readFileSync(filename, 'utf8'), { filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
       module._compile(code, filename);
     };
     require(require('node:worker_threads').workerData);`,
    { eval: true, workerData: join(dir, `${name}.ts`) },
  );
}
