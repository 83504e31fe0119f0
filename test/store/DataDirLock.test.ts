import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock } from '../../src/store/DataDirLock';

describe('DataDirLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'elicense-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes our pid next to the data directory and removes it on release', () => {
    const lock = DataDirLock.acquire(join(dir, 'pg'));
    expect(readFileSync(join(dir, 'pg.lock'), 'utf8')).toBe(String(process.pid));
    lock.release();
    expect(existsSync(join(dir, 'pg.lock'))).toBe(false);
  });

  it('keeps a second live process out', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'pg.lock'), String(other.pid));
      expect(() => DataDirLock.acquire(join(dir, 'pg'))).toThrow(expect.objectContaining({ code: 'STORE_UNAVAILABLE', details: expect.objectContaining({ pid: other.pid }) }));
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over the lock of a process that died (a killed node)', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(dir, 'pg.lock'), dead);
    const lock = DataDirLock.acquire(join(dir, 'pg'));
    expect(readFileSync(join(dir, 'pg.lock'), 'utf8')).toBe(String(process.pid));
    lock.release();
  });
});
