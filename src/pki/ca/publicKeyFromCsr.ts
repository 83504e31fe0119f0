import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { algorithmForKey } from '../../crypto/algorithms';
import { ElicenseError } from '../../errors';
import { certificateKeyType } from '../certificate/certificateKeyType';
import { DerReader, contents, decodeOid, readDerAs, whole, type DerElement } from '../certificate/DerReader';
import { verifySm2DerSignature } from '../certificate/verifySm2DerSignature';
import { decodePem } from './encodePem';

const HASH_BY_OID: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/**
 * Checks a PKCS#10 request's proof of possession and returns only its public
 * key. Everything else in the CSR (subject, requested extensions) is ignored:
 * the CA writes the subject from the department record.
 */
export function publicKeyFromCsr(csr: Uint8Array | string): KeyObject {
  const der = typeof csr === 'string' ? decodePem(csr, 'CERTIFICATE REQUEST') : csr;
  if (!der) throw new ElicenseError('CSR_INVALID', 'no PEM "CERTIFICATE REQUEST" block found');
  return readDerAs('CSR_INVALID', () => checkedPublicKey(der));
}

function checkedPublicKey(der: Uint8Array): KeyObject {
  const top = new DerReader(der);
  const request = top.read(undefined, 'CertificationRequest');
  top.expectEnd('CertificationRequest');
  const [info, sigAlg, sigValue] = children(der, request);
  if (!info || !sigAlg || !sigValue || info.tag !== 0x30 || sigAlg.tag !== 0x30 || sigValue.tag !== 0x03) {
    throw new ElicenseError('CSR_INVALID', 'not a PKCS#10 certification request');
  }
  const [version, , spki] = children(der, info);
  if (!version || version.tag !== 0x02 || !Buffer.from(contents(der, version)).equals(Buffer.of(0)) || !spki || spki.tag !== 0x30) {
    throw new ElicenseError('CSR_INVALID', 'unsupported certification request version or layout');
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(whole(der, spki)), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new ElicenseError('CSR_INVALID', 'the request public key cannot be read', undefined, { cause });
  }
  algorithmForKey(publicKey); // refuses keys we do not certify
  const bits = contents(der, sigValue);
  if (bits[0] !== 0) throw new ElicenseError('CSR_INVALID', 'malformed signature bit string');
  if (!verifyCsrSignature(der, sigAlg, publicKey, whole(der, info), bits.subarray(1))) {
    throw new ElicenseError('CSR_INVALID', 'the request signature does not verify: no proof of possession of the private key');
  }
  return publicKey;
}

/** Every element inside a constructed one; callers take the fields they need and ignore any after them. */
function children(der: Uint8Array, parent: DerElement): DerElement[] {
  if ((parent.tag & 0x20) === 0) throw new ElicenseError('CSR_INVALID', 'malformed DER: expected a constructed element');
  const r = DerReader.inside(der, parent);
  const out: DerElement[] = [];
  while (!r.done) out.push(r.read());
  return out;
}

function verifyCsrSignature(der: Uint8Array, sigAlg: DerElement, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const [oidEl, params] = children(der, sigAlg);
  if (!oidEl || oidEl.tag !== 0x06) throw new ElicenseError('CSR_INVALID', 'malformed signature algorithm');
  const oid = decodeOid(contents(der, oidEl));
  const keyType = certificateKeyType(key);
  try {
    switch (oid) {
      case '1.2.840.10045.4.3.2': // ecdsa-with-SHA256 / 384 / 512
      case '1.2.840.10045.4.3.3':
      case '1.2.840.10045.4.3.4':
        if (keyType !== 'ec') break;
        return verify({ '1.2.840.10045.4.3.2': 'sha256', '1.2.840.10045.4.3.3': 'sha384', '1.2.840.10045.4.3.4': 'sha512' }[oid], data, key, signature);
      case '1.3.101.112': // Ed25519
        if (keyType !== 'ed25519') break;
        return verify(null, data, key, signature);
      case '1.2.840.113549.1.1.11': // sha256WithRSAEncryption / 384 / 512
      case '1.2.840.113549.1.1.12':
      case '1.2.840.113549.1.1.13':
        if (keyType !== 'rsa') break;
        return verify({ '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512' }[oid], data, key, signature);
      case '1.2.156.10197.1.501': // SM3withSM2, parameters absent, default distinguishing ID
        if (keyType !== 'sm2' || params) break;
        return verifySm2DerSignature(key, data, signature);
      case '1.2.840.113549.1.1.10': {
        if (keyType !== 'rsa' && keyType !== 'rsa-pss') break;
        const { hash, saltLength } = readPssParams(der, params);
        return verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
      }
    }
  } catch (cause) {
    if (cause instanceof ElicenseError) throw cause;
    return false;
  }
  throw new ElicenseError('CSR_INVALID', `signature algorithm ${oid} is not allowed for this key`);
}

/** RSASSA-PSS-params with MGF1 over the same hash; trailerField must be 1 (RFC 4055). */
function readPssParams(der: Uint8Array, params: DerElement | undefined): { hash: string; saltLength: number } {
  if (!params || params.tag !== 0x30) throw new ElicenseError('CSR_INVALID', 'RSASSA-PSS without parameters is not allowed (SHA-1 default)');
  let hash: string | undefined;
  let mgfHash: string | undefined;
  let saltLength = 20;
  for (const field of children(der, params)) {
    const [inner] = children(der, field);
    if (field.tag === 0xa0 && inner) hash = HASH_BY_OID[algOid(der, inner)];
    if (field.tag === 0xa1 && inner) {
      const [, mgfParams] = children(der, inner);
      if (algOid(der, inner) !== '1.2.840.113549.1.1.8' || !mgfParams) throw new ElicenseError('CSR_INVALID', 'unsupported PSS mask generation');
      mgfHash = HASH_BY_OID[algOid(der, mgfParams)];
    }
    const value = inner && contents(der, inner);
    if (field.tag === 0xa2 && value) saltLength = value.reduce((n, b) => n * 256 + b, 0);
    if (field.tag === 0xa3 && value && !(value.length === 1 && value[0] === 1)) {
      throw new ElicenseError('CSR_INVALID', 'unsupported PSS trailer field');
    }
  }
  if (!hash || hash !== mgfHash) throw new ElicenseError('CSR_INVALID', 'RSASSA-PSS needs SHA-2 with a matching MGF1 hash');
  return { hash, saltLength };
}

function algOid(der: Uint8Array, algorithmIdentifier: DerElement): string {
  const [oid] = children(der, algorithmIdentifier);
  if (!oid || oid.tag !== 0x06) throw new ElicenseError('CSR_INVALID', 'malformed algorithm identifier');
  return decodeOid(contents(der, oid));
}
