import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { ElicenseError } from '../errors';

/**
 * PGlite does not stop a second process from opening the same data
 * directory, and two writers would corrupt it. A `<dataDir>.lock` file holds
 * the owner's pid; a lock whose process is gone (a killed node) is taken over.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): DataDirLock {
    const path = `${dataDir.replace(/[\\/]+$/, '')}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new DataDirLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new ElicenseError('STORE_UNAVAILABLE', 'the embedded database lock file could not be written', { path }, { cause: e });
        }
      }
      const owner = Number.parseInt(readOrEmpty(path), 10);
      if (Number.isSafeInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new ElicenseError('STORE_UNAVAILABLE', `the embedded database is in use by process ${owner}; use PostgreSQL (DATABASE_URL) to run several node processes`, {
          path,
          pid: owner,
        });
      }
      // Stale: its process is gone (or is this one, restarted under the same pid in a container).
      try {
        unlinkSync(path);
      } catch {
        // another process removed it first; the next attempt decides
      }
    }
    throw new ElicenseError('STORE_UNAVAILABLE', 'another process is taking the embedded database lock', { path });
  }

  release(): void {
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
