import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, DATA_DIR, removeDir, tempDir } from './cliHarness';

/** `verify` where no trust material is (default ./trust): exit 2 saying what is missing and how to get it, not `trust/trust.json: ENOENT`. */
let dir: string;
beforeAll(() => {
  dir = tempDir('cli-missing-trust');
});
afterAll(() => removeDir(dir));

describe('verify without trust material', () => {
  it.each([
    ['no --trust and no ./trust', []],
    ['--trust naming an empty directory', ['--trust', 'EMPTY']],
  ])('%s → 2, naming the missing file, --trust, demo-out/trust and the bundle route', async (_what, extra) => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const args = extra.map((a) => (a === 'EMPTY' ? empty : a));
    const r = await cli(['verify', join(DATA_DIR, 'business-licence.json'), ...args]);
    expect(r.code).toBe(2);
    const expected = args.length > 0 ? join(empty, 'trust.json') : join('trust', 'trust.json');
    expect(r.err).toContain(`no trust material: ${expected} does not exist`);
    expect(r.err).not.toMatch(/: ENOENT$/m);
    expect(r.err).toContain('--trust demo-out/trust');
    expect(r.err).toContain('GET /v1/federation/export');
    expect(r.err).toContain('elicense trust export --out bundle.json');
    expect(r.err).toContain('--bundle bundle.json --pin <SHA-256 of the region root>');
  });
});
