import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { spawnSync } from 'node:child_process';

export function sm2KeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'SM2' });
}

/** True when the openssl command line is installed (CI installs it); tests that need it skip otherwise. */
export const hasOpenSsl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
