/**
 * Jest environment for tests that open the embedded database.
 *
 * PGlite loads Node built-ins with dynamic import(), which jest's module
 * sandbox refuses (short of running node with --experimental-vm-modules).
 * This environment loads PGlite with Node's own require, outside the sandbox,
 * and gives the tests a `create(dataDir)` that EmbeddedDatabase accepts as its
 * PGlite class. Rows are copied into the sandbox's realm, so code under test
 * sees ordinary objects (canonical JSON, instanceof Date) as in production.
 *
 * Use it with this docblock at the top of a test file:
 *   @jest-environment ./test/store/pgliteEnvironment.js
 */
const vm = require('node:vm');
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

const CLONE_INTO_REALM = `(function clone(v) {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(clone);
  if (Object.prototype.toString.call(v) === '[object Date]') return new Date(v.getTime());
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  const out = {};
  for (const key of Object.keys(v)) out[key] = clone(v[key]);
  return out;
})`;

class PGliteEnvironment extends NodeEnvironment {
  async setup() {
    await super.setup();
    const { PGlite } = require('@electric-sql/pglite');
    const clone = vm.runInContext(CLONE_INTO_REALM, this.getVmContext());
    const withRows = (result) => ({ ...result, rows: clone(result.rows) });
    this.global.__ELICENSE_PGLITE__ = {
      async create(dataDir, options) {
        const pg = await PGlite.create(dataDir, options);
        return {
          query: async (sql, params) => withRows(await pg.query(sql, params)),
          exec: async (sql) => (await pg.exec(sql)).map(withRows),
          close: () => pg.close(),
        };
      },
    };
  }
}

module.exports = PGliteEnvironment;
