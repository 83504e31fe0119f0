import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { algorithmForKey } from '../../../src/crypto/algorithms';
import { samePublicKey } from '../../../src/crypto/samePublicKey';
import { signBytes } from '../../../src/crypto/signBytes';
import { verifyBytes } from '../../../src/crypto/verifyBytes';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePem } from '../../../src/pki/ca/encodePem';
import { softwareKeySigner } from '../../../src/crypto/softwareKeySigner';
import { generateKeyPair } from '../../../src/pki/ca/generateKeyPair';
import { issueDepartmentCertificate } from '../../../src/pki/ca/issueDepartmentCertificate';
import { issueRootCa } from '../../../src/pki/ca/issueRootCa';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../../../src/crypto/algorithms';
import { exportPkcs12 } from '../../../src/pki/pkcs12/exportPkcs12';
import { importPkcs12 } from '../../../src/pki/pkcs12/importPkcs12';
import { pkcs12Mac } from '../../../src/pki/pkcs12/pkcs12Mac';
import forge from 'node-forge';
import { createHmac } from 'node:crypto';

const now = new Date('2026-03-01T00:00:00Z');
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const PASS = 'correct horse 电池 staple';
/** Low count keeps the suite fast; one test below uses the 600,000 default. */
const FAST = { iterations: 2048 };

async function departmentMaterial(alg: JwsAlgorithm) {
  // A path is all SM2 or has no SM2 key (docs/adr/0009-national-cryptography.md).
  const rootKeys = await generateKeyPair(alg === 'SM2' ? 'SM2' : 'ES256');
  const signer = softwareKeySigner(rootKeys.privateKey);
  const root = await issueRootCa({ subject: { commonName: 'Root' }, publicKey: rootKeys.publicKey, validityYears: 10, pathLen: 0 }, signer, { now });
  const keys = await generateKeyPair(alg);
  const dept = await issueDepartmentCertificate(
    { certificate: root.der, signer },
    { department: { name: '福州市民政局', uscc: '11350100DM0000021X', divisionCode: '350100' }, publicKey: keys.publicKey, validityDays: 730 },
    { now },
  );
  return { privateKey: keys.privateKey, chain: [dept.der, root.der] };
}

function sameKey(a: KeyObject, b: KeyObject): boolean {
  const data = Buffer.from('licence bytes');
  const alg = algorithmForKey(a);
  return verifyBytes(alg, createPublicKey(b), data, signBytes(alg, a, data));
}

describe.each(JWS_ALGORITHMS)('PKCS#12 with a %s key', (alg) => {
  let m: Awaited<ReturnType<typeof departmentMaterial>>;
  let p12: Uint8Array;
  beforeAll(async () => {
    m = await departmentMaterial(alg);
    p12 = exportPkcs12({ privateKey: m.privateKey, certificateChain: m.chain, friendlyName: '福州市民政局 签章' }, PASS, FAST);
  });

  it('round-trips the key and the chain', () => {
    const back = importPkcs12(p12, PASS);
    expect(sameKey(back.privateKey, m.privateKey)).toBe(true);
    expect(back.certificateChain.map((c) => Buffer.from(c))).toEqual(m.chain.map((c) => Buffer.from(c)));
  });

  it('wrong passphrase → PASSPHRASE_INVALID', () => {
    expect(() => importPkcs12(p12, 'wrong')).toThrow(expect.objectContaining({ code: 'PASSPHRASE_INVALID' }));
  });

  it('truncated or garbage → PKCS12_INVALID', () => {
    for (const n of [0, 1, 10, p12.length / 2, p12.length - 1]) {
      expect(() => importPkcs12(p12.subarray(0, Math.floor(n)), PASS)).toThrow(expect.objectContaining({ code: 'PKCS12_INVALID' }));
    }
    expect(() => importPkcs12(new Uint8Array(200).fill(0x30), PASS)).toThrow(expect.objectContaining({ code: 'PKCS12_INVALID' }));
  });

  it('an altered byte inside the protected content fails the integrity check', () => {
    const bad = Uint8Array.from(p12);
    bad[200]! ^= 0x01;
    expect(() => importPkcs12(bad, PASS)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^(PASSPHRASE_INVALID|PKCS12_INVALID)$/) }));
  });

  (hasOpenssl ? it : it.skip)('openssl pkcs12 reads it (key and both certificates)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elicense-p12-'));
    try {
      const file = join(dir, 'f.p12');
      writeFileSync(file, p12);
      const out = execFileSync('openssl', ['pkcs12', '-info', '-in', file, '-passin', `pass:${PASS}`, '-nodes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
      expect(out).toContain('BEGIN PRIVATE KEY');
      const pem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(out)![0];
      expect(samePublicKey(createPublicKey(pem), createPublicKey(m.privateKey))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PKCS#12 interoperability and settings', () => {
  it('uses the 600,000-iteration default and SHA-256 MAC, and openssl reads it', async () => {
    const m = await departmentMaterial('ES256');
    const p12 = exportPkcs12({ privateKey: m.privateKey, certificateChain: m.chain }, PASS);
    expect(importPkcs12(p12, PASS).certificateChain).toHaveLength(2);
    if (!hasOpenssl) return;
    const dir = mkdtempSync(join(tmpdir(), 'elicense-p12-'));
    try {
      writeFileSync(join(dir, 'f.p12'), p12);
      const info = execFileSync('openssl', ['pkcs12', '-info', '-in', join(dir, 'f.p12'), '-passin', `pass:${PASS}`, '-noout'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const err = spawnSync('openssl', ['pkcs12', '-info', '-in', join(dir, 'f.p12'), '-passin', `pass:${PASS}`, '-noout'], { encoding: 'utf8' }).stderr;
      const text = info + err;
      expect(text).toMatch(/MAC: sha256, Iteration 600000/);
      expect(text).toMatch(/PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  (hasOpenssl ? it : it.skip)('imports files made by openssl pkcs12 -export (default PBES2 and legacy 3DES)', async () => {
    const m = await departmentMaterial('EdDSA');
    const dir = mkdtempSync(join(tmpdir(), 'elicense-p12-'));
    try {
      writeFileSync(join(dir, 'key.pem'), m.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      writeFileSync(join(dir, 'cert.pem'), m.chain.map((d) => encodePem(d, 'CERTIFICATE')).join(''));
      for (const extra of [[], ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']]) {
        const out = join(dir, 'o.p12');
        execFileSync('openssl', ['pkcs12', '-export', '-inkey', join(dir, 'key.pem'), '-in', join(dir, 'cert.pem'), '-passout', `pass:${PASS}`, '-out', out, ...extra]);
        const back = importPkcs12(readFileSync(out), PASS);
        expect(sameKey(back.privateKey, m.privateKey)).toBe(true);
        expect(back.certificateChain.map((c) => Buffer.from(c))).toEqual(m.chain.map((c) => Buffer.from(c)));
        expect(() => importPkcs12(readFileSync(out), 'nope')).toThrow(expect.objectContaining({ code: 'PASSPHRASE_INVALID' }));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an empty passphrase and a missing certificate', async () => {
    const m = await departmentMaterial('ES256');
    expect(() => exportPkcs12({ privateKey: m.privateKey, certificateChain: m.chain }, '')).toThrow(expect.objectContaining({ code: 'PASSPHRASE_INVALID' }));
    expect(() => exportPkcs12({ privateKey: m.privateKey, certificateChain: [] }, PASS)).toThrow(expect.objectContaining({ code: 'CERT_MALFORMED' }));
  });
});

describe('pkcs12Mac', () => {
  it('matches node-forge\'s RFC 7292 KDF + HMAC for SHA-1/256/512 and non-ASCII passphrases', () => {
    const cases = [['sha1', () => forge.md.sha1.create(), 20], ['sha256', () => forge.md.sha256.create(), 32], ['sha512', () => forge.md.sha512.create(), 64]] as const;
    for (const [hash, md, n] of cases) {
      for (const pw of ['pw', PASS, 'a'.repeat(40)]) {
        const salt = Buffer.from('0123456789abcdef0123');
        const key = forge.pkcs12.generateKey(pw, forge.util.createBuffer(salt.toString('binary')), 3, 1000, n, md());
        const want = createHmac(hash, Buffer.from(key.getBytes(), 'binary')).update('data').digest('hex');
        expect(Buffer.from(pkcs12Mac(pw, salt, 1000, hash, Buffer.from('data'))).toString('hex')).toBe(want);
      }
    }
  });
});
