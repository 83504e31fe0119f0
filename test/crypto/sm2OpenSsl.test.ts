import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { ecdsaDerToP1363 } from '../../src/crypto/ecdsaDerToP1363';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import { verifyBytes } from '../../src/crypto/verifyBytes';
import { ecdsaP1363ToDer } from '../../src/crypto/ecdsaP1363ToDer';
import { sm2Backend } from '../../src/crypto/sm2/chooseSm2Backend';
import { jsSm2Backend } from '../../src/crypto/sm2/jsSm2Backend';
import { sm2Sign } from '../../src/crypto/sm2/sm2Sign';
import { sm2Verify } from '../../src/crypto/sm2/sm2Verify';
import { hasOpenSsl, sm2KeyPair } from './sm2Test';

const DISTID = 'distid:1234567812345678';
/** The pure-JS backend always, and the process's choice (the native binding where it is built). */
const backends = [...new Set([jsSm2Backend, sm2Backend()])];
const describeOpenSsl = hasOpenSsl ? describe : describe.skip;
if (!hasOpenSsl) console.warn('openssl is not installed: the SM2 OpenSSL interop tests are skipped');

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describeOpenSsl('SM2 interop with the openssl command line', () => {
  let dir: string;
  const { privateKey, publicKey } = sm2KeyPair();
  const message = Buffer.from('{"licence":"SM2 interop"}');
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sm2-openssl-'));
    writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'msg'), message);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const verifyArgs = (sig: string, withId: boolean) => [
    'pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', join(dir, 'pub.pem'), '-in', join(dir, 'msg'), '-sigfile', join(dir, sig),
    ...(withId ? ['-pkeyopt', DISTID] : []),
  ];

  it('OpenSSL verifies our signatures (r‖s converted to DER) with distid 1234567812345678, and not with its default empty ID', () => {
    for (let i = 0; i < 6; i++) {
      writeFileSync(join(dir, 'ours.der'), ecdsaP1363ToDer(sm2Sign(privateKey, message, backends[i % backends.length])));
      const ok = openssl(verifyArgs('ours.der', true));
      expect(ok.out).toContain('Signature Verified Successfully');
      expect(ok.status).toBe(0);
      expect(openssl(verifyArgs('ours.der', false)).status).not.toBe(0);
    }
    writeFileSync(join(dir, 'ours.der'), ecdsaP1363ToDer(sm2Sign(privateKey, message)));
    const dgst = openssl(['dgst', '-sm3', '-verify', join(dir, 'pub.pem'), '-sigopt', DISTID, '-signature', join(dir, 'ours.der'), join(dir, 'msg')]);
    expect(dgst.out).toContain('Verified OK');
  });

  it("we verify OpenSSL's signatures made with distid 1234567812345678, and refuse those made with its default ID", () => {
    const sign = (out: string, withId: boolean) =>
      openssl(['pkeyutl', '-sign', '-rawin', '-digest', 'sm3', '-inkey', join(dir, 'key.pem'), '-in', join(dir, 'msg'), '-out', join(dir, out), ...(withId ? ['-pkeyopt', DISTID] : [])]);
    expect(sign('theirs.der', true).status).toBe(0);
    const theirs = ecdsaDerToP1363(readFileSync(join(dir, 'theirs.der')));
    expect(theirs).toBeDefined();
    for (const b of backends) {
      expect(sm2Verify(publicKey, message, theirs!, b)).toBe(true);
      expect(sm2Verify(publicKey, Buffer.from('another'), theirs!, b)).toBe(false);
    }
    expect(sign('empty.der', false).status).toBe(0);
    const empty = ecdsaDerToP1363(readFileSync(join(dir, 'empty.der')));
    for (const b of backends) expect(sm2Verify(publicKey, message, empty!, b)).toBe(false);
    expect(openssl(['dgst', '-sm3', '-sign', join(dir, 'key.pem'), '-sigopt', DISTID, '-out', join(dir, 'dgst.der'), join(dir, 'msg')]).status).toBe(0);
    expect(sm2Verify(publicKey, message, ecdsaDerToP1363(readFileSync(join(dir, 'dgst.der')))!)).toBe(true);
  });

  it('a SoftwareSigner takes a generated SM2 key with its certificate made by OpenSSL, and the certificate key verifies its signatures', async () => {
    const made = openssl(['req', '-x509', '-new', '-key', join(dir, 'key.pem'), '-sm3', '-sigopt', DISTID, '-subj', '/CN=elicense SM2 test', '-days', '30', '-outform', 'DER', '-out', join(dir, 'cert.der')]);
    expect(made.status).toBe(0);
    const der = readFileSync(join(dir, 'cert.der'));
    const certKey = new X509Certificate(der).publicKey;
    expect(certKey.equals(publicKey)).toBe(false); // Node's own equality fails across its two SM2 key types
    const signer = new SoftwareSigner(privateKey, [der]);
    expect(signer.algorithm).toBe('SM2');
    const sig = await signer.sign(message);
    expect(verifyBytes('SM2', certKey, message, sig)).toBe(true);
    expect(verifyBytes('ES256', certKey, message, sig)).toBe(false);
  });
});
