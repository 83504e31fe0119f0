/**
 * Jest environment for tests that open the embedded database. PGlite loads
 * Node built-ins with dynamic import(), which jest's module sandbox refuses
 * (without --experimental-vm-modules). This environment loads PGlite with
 * Node's own require, outside the sandbox, and hands it to the tests as the
 * global `__ELICENSE_PGLITE__`, which test code passes to EmbeddedDatabase.
 *
 * Use it with a docblock at the top of the test file:
 *   /** @jest-environment ./test/store/pgliteEnvironment.js *\/
 */
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

class PGliteEnvironment extends NodeEnvironment {
  async setup() {
    await super.setup();
    this.global.__ELICENSE_PGLITE__ = require('@electric-sql/pglite').PGlite;
  }
}

module.exports = PGliteEnvironment;
