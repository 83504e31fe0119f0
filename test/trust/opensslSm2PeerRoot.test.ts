/**
 * A peer region whose PKI was made entirely with the OpenSSL command line, on SM2 with SM3 (issue 12, item 5):
 * its root is pinned as a peer root, its trust-list signer (certified by OpenSSL with our trust-list-signing
 * EKU) signs a trust list, and the one peer document gate accepts it — and refuses the same list when the
 * signer's certificate was made with OpenSSL's default empty distinguishing ID.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftwareSigner } from '../../src/crypto/SoftwareSigner';
import type { TrustListDocument } from '../../src/format/federation/documentTypes';
import { decodePem } from '../../src/pki/ca/encodePem';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { OID } from '../../src/pki/oids';
import { signFederationDocument } from '../../src/trust/peer/federationDocument';
import { peerDocumentGate, type AcceptedBefore } from '../../src/trust/peer/peerDocumentGate';

const ID = 'distid:1234567812345678';
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) console.warn('openssl not found: the OpenSSL-made SM2 peer root test is skipped');
const withOpenssl = hasOpenssl ? describe : describe.skip;
const NOTHING: AcceptedBefore = { trustList: null, pinnedRegion: null, copy: null };

withOpenssl('an SM2 peer region made by the openssl command line', () => {
  let dir: string;
  const openssl = (...args: string[]): string => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const der = (file: string): Uint8Array => decodePem(readFileSync(join(dir, file), 'utf8'), 'CERTIFICATE')!;
  const signerExt = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', `extendedKeyUsage=critical,${OID.ekuTrustListSigning}`, 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'elicense-sm2-peer-'));
    openssl('genpkey', '-algorithm', 'SM2', '-out', 'root.key');
    openssl('req', '-x509', '-new', '-key', 'root.key', '-sm3', '-sigopt', ID, '-subj', '/CN=SM2 Peer Root (openssl)', '-days', '3650',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash', '-out', 'root.pem');
    writeFileSync(join(dir, 'signer.cnf'), `[v3]\n${signerExt.join('\n')}\n`);
    openssl('genpkey', '-algorithm', 'SM2', '-out', 'signer.key');
    openssl('req', '-new', '-key', 'signer.key', '-sm3', '-sigopt', ID, '-subj', '/CN=SM2 Peer Trust List Signer (openssl)', '-out', 'signer.csr');
    for (const [out, digest] of [['signer.pem', ['-sm3', '-sigopt', ID]], ['signer-emptyid.pem', ['-sm3']]] as const) {
      openssl('x509', '-req', '-in', 'signer.csr', '-vfyopt', ID, '-CA', 'root.pem', '-CAkey', 'root.key', ...digest, '-days', '365',
        '-set_serial', String(Math.floor(Math.random() * 1e9)), '-extfile', 'signer.cnf', '-extensions', 'v3', '-out', out);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const trustList = (at: Date): TrustListDocument => ({
    format: 'elicense/trust-list@1',
    region: { code: '310000', name: '上海市' },
    sequence: 1,
    issuedAt: at.toISOString(),
    nextUpdate: new Date(at.getTime() + 86_400_000).toISOString(),
    rootCertificate: Buffer.from(der('root.pem')).toString('base64'),
    timestampAuthorities: [],
    departments: [],
    statusLists: [],
  });

  const judge = async (signerFile: string) => {
    const at = new Date();
    const signer = new SoftwareSigner(createPrivateKey(readFileSync(join(dir, 'signer.key'))), [der(signerFile)]);
    expect(signer.algorithm).toBe('SM2');
    const jws = await signFederationDocument('trust-list', trustList(at), signer, der('root.pem'));
    const root = parseCertificate(der('root.pem')).fingerprint;
    return peerDocumentGate({ kind: 'trust-list', jws, peer: { rootSha256: root, regionCode: '310000' }, docId: 'current', at, before: NOTHING, ownRegion: '350000' });
  };

  it('its root pinned as a peer root, its SM2-signed trust list passes the gate', async () => {
    const header = JSON.parse(Buffer.from((await signFederationDocument('trust-list', trustList(new Date()), new SoftwareSigner(createPrivateKey(readFileSync(join(dir, 'signer.key'))), [der('signer.pem')]), der('root.pem'))).split('.')[0]!, 'base64url').toString('utf8'));
    expect(header.alg).toBe('SM2');
    expect(await judge('signer.pem')).toMatchObject({ ok: true, kind: 'trust-list', region: { code: '310000' } });
  });

  it("a signer certificate OpenSSL signed with its default empty ID does not chain: the document is refused", async () => {
    expect(await judge('signer-emptyid.pem')).toMatchObject({ ok: false, code: 'DOCUMENT_CHAIN_INVALID' });
  });
});
