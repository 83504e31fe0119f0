import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { ElicenseError } from '../../errors';
import { asn1, int, nul, octets, oid, PKCS12_OIDS, seq, type Asn1 } from './pkcs12Asn1';
import { readInteger, readOctets, readOid } from './readPkcs12Asn1';


export interface Pbes2Settings {
  iterations: number;
  /** Salt and IV source; node's CSPRNG by default. */
  randomBytes?: (n: number) => Uint8Array;
}

/**
 * PBES2 (RFC 8018) with PBKDF2-HMAC-SHA256 and AES-256-CBC, done with
 * node:crypto (forge's pure-JS PBKDF2 is ~30x slower, which matters at the
 * iteration counts we use). The password is its UTF-8 bytes, as OpenSSL does.
 */
export function pbes2Encrypt(plaintext: Uint8Array, passphrase: string, settings: Pbes2Settings): { algorithm: Asn1; ciphertext: Uint8Array } {
  const rand = settings.randomBytes ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const salt = rand(16);
  const iv = rand(16);
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, settings.iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final()]));
  const algorithm = seq(
    oid(PKCS12_OIDS.pbes2),
    seq(
      seq(oid(PKCS12_OIDS.pbkdf2), seq(octets(salt), int(settings.iterations), seq(oid(PKCS12_OIDS.hmacWithSHA256), nul()))),
      seq(oid(PKCS12_OIDS.aes256Cbc), octets(iv)),
    ),
  );
  return { algorithm, ciphertext };
}

const PRF: Record<string, string> = {
  [PKCS12_OIDS.hmacWithSHA1]: 'sha1',
  [PKCS12_OIDS.hmacWithSHA256]: 'sha256',
  [PKCS12_OIDS.hmacWithSHA384]: 'sha384',
  [PKCS12_OIDS.hmacWithSHA512]: 'sha512',
};
const AES: Record<string, { name: string; keyLength: number }> = {
  [PKCS12_OIDS.aes128Cbc]: { name: 'aes-128-cbc', keyLength: 16 },
  [PKCS12_OIDS.aes192Cbc]: { name: 'aes-192-cbc', keyLength: 24 },
  [PKCS12_OIDS.aes256Cbc]: { name: 'aes-256-cbc', keyLength: 32 },
};

/** Refuse absurd counts in files we are given: they only burn CPU. */
export const MAX_ITERATIONS = 10_000_000;

/** Decrypts PBES2 content; a padding failure means a wrong passphrase (or a damaged file). */
export function pbes2Decrypt(params: Asn1, ciphertext: Uint8Array, passphrase: string): Uint8Array {
  const [kdf, enc] = params.value as Asn1[];
  if (!kdf || !enc) throw new ElicenseError('PKCS12_INVALID', 'malformed PBES2 parameters');
  const [kdfOid, kdfParams] = kdf.value as Asn1[];
  if (readOid(kdfOid) !== PKCS12_OIDS.pbkdf2 || !kdfParams) throw new ElicenseError('PKCS12_INVALID', 'PBES2 key derivation is not PBKDF2');
  const fields = kdfParams.value as Asn1[];
  const salt = readOctets(fields[0]);
  const iterations = readInteger(fields[1]);
  if (iterations < 1 || iterations > MAX_ITERATIONS) throw new ElicenseError('PKCS12_INVALID', `PBKDF2 iteration count ${iterations} out of range`);
  let prf = 'sha1'; // RFC 8018 default
  for (const f of fields.slice(2)) {
    if (f.type === asn1.Type.SEQUENCE) {
      const name = PRF[readOid((f.value as Asn1[])[0])];
      if (!name) throw new ElicenseError('PKCS12_INVALID', 'unsupported PBKDF2 PRF');
      prf = name;
    }
  }
  const [encOid, ivNode] = enc.value as Asn1[];
  const aes = AES[readOid(encOid)];
  if (!aes) throw new ElicenseError('PKCS12_INVALID', 'unsupported PBES2 cipher (AES-CBC only)');
  const iv = readOctets(ivNode);
  if (iv.length !== 16) throw new ElicenseError('PKCS12_INVALID', 'malformed AES IV');
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, aes.keyLength, prf);
  try {
    const decipher = createDecipheriv(aes.name, key, iv);
    return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch (cause) {
    throw new ElicenseError('PASSPHRASE_INVALID', 'cannot decrypt: wrong passphrase or damaged file', undefined, { cause });
  }
}
