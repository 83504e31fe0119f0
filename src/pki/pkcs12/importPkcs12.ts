import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { ElicenseError } from '../../errors';
import { parseCertificate } from '../certificate/ParsedCertificate';
import { MAX_ITERATIONS, pbes2Decrypt } from './pbes2';
import { asn1, fromBinary, PKCS12_OIDS, toBinary, type Asn1 } from './pkcs12Asn1';
import { pkcs12Mac, type MacHash } from './pkcs12Mac';
import { parseDer, readChildren, readInteger, readOctets, readOid } from './readPkcs12Asn1';

export interface ImportedPkcs12 {
  privateKey: KeyObject;
  /** The key's certificate first, then its issuers as far as the file has them (DER). */
  certificateChain: Uint8Array[];
}

const MAC_HASHES: Record<string, MacHash> = {
  [PKCS12_OIDS.sha1]: 'sha1',
  [PKCS12_OIDS.sha256]: 'sha256',
  [PKCS12_OIDS.sha384]: 'sha384',
  [PKCS12_OIDS.sha512]: 'sha512',
};

/**
 * Reads a password-integrity PKCS#12 file (ours, or OpenSSL's with PBES2 or
 * the legacy 3DES PBE). Wrong passphrase → PASSPHRASE_INVALID; anything
 * structurally wrong (truncated, no MAC, no key, several keys) → PKCS12_INVALID.
 */
export function importPkcs12(bytes: Uint8Array, passphrase: string): ImportedPkcs12 {
  const pfx = readChildren(parseDer(bytes, 'the file'), 'PFX is not a SEQUENCE');
  const [version, authSafeInfo, macData] = pfx;
  if (readInteger(version) !== 3) throw new ElicenseError('PKCS12_INVALID', 'unsupported PFX version');
  const [contentType, content] = readChildren(authSafeInfo, 'malformed authSafe');
  if (readOid(contentType) !== PKCS12_OIDS.data) throw new ElicenseError('PKCS12_INVALID', 'only password-integrity PKCS#12 is supported');
  const authSafe = readOctets(readChildren(content, 'malformed authSafe content')[0]);
  if (!macData) throw new ElicenseError('PKCS12_INVALID', 'the file has no integrity MAC');
  verifyMac(macData, authSafe, passphrase);

  const keys: Uint8Array[] = [];
  const certificates: Uint8Array[] = [];
  for (const info of readChildren(parseDer(authSafe, 'AuthenticatedSafe'), 'malformed AuthenticatedSafe')) {
    const [type, wrapped] = readChildren(info, 'malformed ContentInfo');
    const inner = readChildren(wrapped, 'malformed ContentInfo content')[0];
    const typeOid = readOid(type);
    const safeContents =
      typeOid === PKCS12_OIDS.data ? readOctets(inner)
      : typeOid === PKCS12_OIDS.encryptedData ? decryptEncryptedData(inner, passphrase)
      : unsupported(`content type ${typeOid}`);
    for (const bag of readChildren(parseDer(safeContents, 'SafeContents'), 'malformed SafeContents')) {
      const [bagId, bagValue] = readChildren(bag, 'malformed SafeBag');
      const value = readChildren(bagValue, 'malformed SafeBag value')[0];
      const bagOid = readOid(bagId);
      if (bagOid === PKCS12_OIDS.pkcs8ShroudedKeyBag) {
        const [alg, data] = readChildren(value, 'malformed EncryptedPrivateKeyInfo');
        keys.push(decrypt(alg!, readOctets(data), passphrase));
      } else if (bagOid === PKCS12_OIDS.keyBag) {
        keys.push(fromBinary(asn1.toDer(value!).getBytes()));
      } else if (bagOid === PKCS12_OIDS.certBag) {
        const [certType, certValue] = readChildren(value, 'malformed CertBag');
        if (readOid(certType) !== PKCS12_OIDS.x509Certificate) continue; // SDSI certificates: not ours to read
        certificates.push(readOctets(readChildren(certValue, 'malformed CertBag value')[0]));
      } // CRL, secret and nested bags carry nothing we need
    }
  }
  if (keys.length !== 1) throw new ElicenseError('PKCS12_INVALID', `expected exactly one private key, found ${keys.length}`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(keys[0]!), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new ElicenseError('PKCS12_INVALID', 'the private key cannot be read', undefined, { cause });
  } finally {
    keys[0]!.fill(0);
  }
  return { privateKey, certificateChain: orderChain(privateKey, certificates) };
}

function verifyMac(macData: Asn1, authSafe: Uint8Array, passphrase: string): void {
  const [digestInfo, saltNode, iterNode] = readChildren(macData, 'malformed MacData');
  const [alg, digest] = readChildren(digestInfo, 'malformed MAC DigestInfo');
  const hash = MAC_HASHES[readOid(readChildren(alg, 'malformed MAC algorithm')[0])];
  if (!hash) throw new ElicenseError('PKCS12_INVALID', 'unsupported MAC algorithm');
  const iterations = iterNode ? readInteger(iterNode) : 1;
  if (iterations < 1 || iterations > MAX_ITERATIONS) throw new ElicenseError('PKCS12_INVALID', `MAC iteration count ${iterations} out of range`);
  const expected = readOctets(digest);
  const actual = pkcs12Mac(passphrase, readOctets(saltNode), iterations, hash, authSafe);
  if (!Buffer.from(actual).equals(Buffer.from(expected))) {
    throw new ElicenseError('PASSPHRASE_INVALID', 'PKCS#12 integrity check failed: wrong passphrase or altered file');
  }
}

function decryptEncryptedData(node: Asn1 | undefined, passphrase: string): Uint8Array {
  const [, encryptedContentInfo] = readChildren(node, 'malformed EncryptedData');
  const [type, alg, data] = readChildren(encryptedContentInfo, 'malformed EncryptedContentInfo');
  if (readOid(type) !== PKCS12_OIDS.data || !alg || !data) throw new ElicenseError('PKCS12_INVALID', 'malformed EncryptedContentInfo');
  return decrypt(alg, readOctets(data), passphrase);
}

/** PBES2 natively; legacy PKCS#12 PBE schemes (3DES) through forge. */
function decrypt(algorithm: Asn1, ciphertext: Uint8Array, passphrase: string): Uint8Array {
  const [algOid, params] = readChildren(algorithm, 'malformed encryption algorithm');
  const id = readOid(algOid);
  if (id === PKCS12_OIDS.pbes2) return pbes2Decrypt(params!, ciphertext, passphrase);
  let cipher: forge.cipher.BlockCipher;
  try {
    cipher = (forge.pki as unknown as ForgePbe).pbe.getCipher(id, params!, passphrase);
  } catch {
    return unsupported(`encryption scheme ${id}`);
  }
  cipher.update(forge.util.createBuffer(toBinary(ciphertext)));
  if (!cipher.finish()) throw new ElicenseError('PASSPHRASE_INVALID', 'cannot decrypt: wrong passphrase or damaged file');
  return fromBinary(cipher.output.getBytes());
}

/** forge.pki.pbe exists at run time but is missing from @types/node-forge. */
interface ForgePbe {
  pbe: { getCipher(oid: string, params: Asn1, password: string): forge.cipher.BlockCipher };
}

function unsupported(what: string): never {
  throw new ElicenseError('PKCS12_INVALID', `unsupported PKCS#12 ${what}`);
}

/** Leaf = the certificate of the private key; then follow issuer names; leftovers keep file order. */
function orderChain(privateKey: KeyObject, certificates: Uint8Array[]): Uint8Array[] {
  const spki = Buffer.from(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  const parsed = certificates.map((der) => {
    try {
      return { der, cert: parseCertificate(der) };
    } catch (cause) {
      throw new ElicenseError('PKCS12_INVALID', 'a certificate in the file is malformed', undefined, { cause });
    }
  });
  const leaf = parsed.find((c) => spki.equals(c.cert.spki));
  if (!leaf) throw new ElicenseError('PKCS12_INVALID', 'no certificate in the file matches the private key');
  const chain = [leaf];
  for (let cur = leaf; ; ) {
    const next = parsed.find((c) => !chain.includes(c) && Buffer.from(c.cert.subject.der).equals(cur.cert.issuer.der));
    if (!next) break;
    chain.push(next);
    cur = next;
  }
  return [...chain, ...parsed.filter((c) => !chain.includes(c))].map((c) => c.der);
}
