import { createHash, randomBytes as nodeRandomBytes, type KeyObject } from 'node:crypto';
import { ElicenseError } from '../../errors';
import { pbes2Encrypt } from './pbes2';
import { asn1, explicit0, int, nul, octets, oid, PKCS12_OIDS, seq, set, toDer, type Asn1 } from './pkcs12Asn1';
import { pkcs12Mac } from './pkcs12Mac';

export interface Pkcs12Contents {
  privateKey: KeyObject;
  /** Leaf (the key's certificate) first, then its issuers; DER. */
  certificateChain: readonly Uint8Array[];
  friendlyName?: string;
}

export interface Pkcs12ExportOptions {
  /** PBKDF2 and MAC iteration count; default 600,000 (OWASP 2023 for PBKDF2-HMAC-SHA256). */
  iterations?: number;
  randomBytes?: (n: number) => Uint8Array;
}

export const DEFAULT_PKCS12_ITERATIONS = 600_000;

/**
 * A password-protected PKCS#12 file that OpenSSL 3 and Windows read: key as
 * a pkcs8ShroudedKeyBag and certificates in an EncryptedData, both PBES2
 * (PBKDF2-HMAC-SHA256, AES-256-CBC), integrity by HMAC-SHA-256. The key is
 * stored as its PKCS#8 bytes, so EC and Ed25519 keys work (forge's own
 * toPkcs12Asn1 handles RSA only and uses a SHA-1 MAC).
 */
export function exportPkcs12(contents: Pkcs12Contents, passphrase: string, options: Pkcs12ExportOptions = {}): Uint8Array {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new ElicenseError('PASSPHRASE_INVALID', 'a PKCS#12 file needs a non-empty passphrase');
  }
  if (contents.privateKey.type !== 'private') throw new ElicenseError('KEY_INVALID', 'PKCS#12 export needs a private key');
  const leaf = contents.certificateChain[0];
  if (!leaf) throw new ElicenseError('CERT_MALFORMED', 'PKCS#12 export needs at least the key\'s certificate');
  const iterations = options.iterations ?? DEFAULT_PKCS12_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1000 || iterations > 10_000_000) {
    throw new ElicenseError('CONFIG_INVALID', `PKCS#12 iteration count must be 1,000 to 10,000,000, got ${iterations}`);
  }
  const rand = options.randomBytes ?? ((n: number) => new Uint8Array(nodeRandomBytes(n)));
  const pbes = { iterations, randomBytes: rand };

  // localKeyId pairs the key with its certificate; SHA-1 of the certificate is the convention OpenSSL and Windows follow.
  const localKeyId = new Uint8Array(createHash('sha1').update(leaf).digest());
  const attributes = set(
    ...(contents.friendlyName ? [seq(oid(PKCS12_OIDS.friendlyName), set(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, bmp(contents.friendlyName))))] : []),
    seq(oid(PKCS12_OIDS.localKeyId), set(octets(localKeyId))),
  );

  const certBags = contents.certificateChain.map((der, i) =>
    seq(oid(PKCS12_OIDS.certBag), explicit0(seq(oid(PKCS12_OIDS.x509Certificate), explicit0(octets(der)))), ...(i === 0 ? [attributes] : [])),
  );
  const certs = pbes2Encrypt(toDer(seq(...certBags)), passphrase, pbes);
  const certInfo = seq(
    oid(PKCS12_OIDS.encryptedData),
    explicit0(
      seq(
        int(0),
        seq(oid(PKCS12_OIDS.data), certs.algorithm, asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, Buffer.from(certs.ciphertext).toString('binary'))),
      ),
    ),
  );

  const pkcs8 = new Uint8Array(contents.privateKey.export({ type: 'pkcs8', format: 'der' }));
  const key = pbes2Encrypt(pkcs8, passphrase, pbes);
  pkcs8.fill(0);
  const keyBag = seq(oid(PKCS12_OIDS.pkcs8ShroudedKeyBag), explicit0(seq(key.algorithm, octets(key.ciphertext))), attributes);
  const keyInfo = seq(oid(PKCS12_OIDS.data), explicit0(octets(toDer(seq(keyBag)))));

  const authSafe = toDer(seq(certInfo, keyInfo));
  const macSalt = rand(16);
  const mac = pkcs12Mac(passphrase, macSalt, iterations, 'sha256', authSafe);
  const macData: Asn1 = seq(seq(seq(oid(PKCS12_OIDS.sha256), nul()), octets(mac)), octets(macSalt), int(iterations));
  return toDer(seq(int(3), seq(oid(PKCS12_OIDS.data), explicit0(octets(authSafe))), macData));
}

/** BMPString content as forge expects it: UTF-16BE in a binary string. */
function bmp(s: string): string {
  return Buffer.from(s, 'utf16le').swap16().toString('binary');
}
