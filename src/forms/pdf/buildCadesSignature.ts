import { createHash } from 'node:crypto';
import type { JwsAlgorithm } from '../../crypto/algorithms';
import { ecdsaP1363ToDer } from '../../crypto/ecdsaP1363ToDer';
import type { Signer } from '../../crypto/Signer';
import { sm3 } from '../../crypto/sm2/sm3';
import {
  concatBytes,
  encodeExplicit,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeSmallInteger,
  encodeTlv,
  encodeUnsignedInteger,
} from '../../pki/ca/der/encodeDer';
import { signatureAlgorithmIdentifier } from '../../pki/ca/signatureAlgorithmIdentifier';
import { parseCertificate } from '../../pki/certificate/ParsedCertificate';
import { CADES_OID } from './cadesOids';

export type CadesDigest = 'sha256' | 'sha512' | 'sm3';

/** RFC 8419: with Ed25519 the message digest is SHA-512; SM2 goes with SM3 (GB/T 35275); the others here use SHA-256. */
export function cadesDigestFor(alg: JwsAlgorithm): CadesDigest {
  return alg === 'EdDSA' ? 'sha512' : alg === 'SM2' ? 'sm3' : 'sha256';
}

const DIGEST_OID: Record<CadesDigest, string> = { sha256: CADES_OID.sha256, sha512: CADES_OID.sha512, sm3: CADES_OID.sm3 };

/** The digest of `bytes` (SM3 by the project's own implementation, which does not depend on Node's OpenSSL build). */
export function cadesDigest(name: CadesDigest, bytes: Uint8Array): Buffer {
  return name === 'sm3' ? sm3(bytes) : createHash(name).update(bytes).digest();
}

const algorithm = (oid: string) => encodeSequence(encodeOid(oid));
const set = (members: Uint8Array[]) => encodeTlv(0x31, concatBytes(members));
const attribute = (oid: string, value: Uint8Array) => encodeSequence(encodeOid(oid), set([value]));

/**
 * A detached CMS SignedData (RFC 5652) in the CAdES baseline form that PAdES
 * B-B asks for (ETSI EN 319 142-1): signed attributes content-type,
 * message-digest and signing-certificate-v2; no signing-time attribute (the
 * claimed time is the signature dictionary's /M); the signer's chain. The
 * signature comes from the narrow Signer, so an HSM can take the key's place.
 * Written with the project's DER writer (docs/adr/0008-asn1-and-dependencies.md).
 */
export async function buildCadesSignature(signedBytes: Uint8Array, signer: Signer): Promise<Uint8Array> {
  const leafDer = signer.certificateChain[0];
  if (!leafDer) throw new RangeError('the signer has no certificate');
  const leaf = parseCertificate(leafDer);
  const serial = encodeUnsignedInteger(Buffer.from(leaf.serialNumber, 'hex'));
  const digest = cadesDigestFor(signer.algorithm);
  const digestAlgorithm = algorithm(DIGEST_OID[digest]);

  // SigningCertificateV2 { certs: [ESSCertIDv2 { certHash (SHA-256, the default, so not encoded), issuerSerial }] } (RFC 5035);
  // SHA-256 with SM2 too: GM/T 0010 defines no ESS attribute, and the default needs no hash identifier a reader might not know.
  const issuerSerial = encodeSequence(encodeSequence(encodeTlv(0xa4, leaf.issuer.der)), serial);
  const essCertId = encodeSequence(encodeOctetString(createHash('sha256').update(leafDer).digest()), issuerSerial);
  const attributes = [
    attribute(CADES_OID.contentType, encodeOid(CADES_OID.data)),
    attribute(CADES_OID.messageDigest, encodeOctetString(cadesDigest(digest, signedBytes))),
    attribute(CADES_OID.signingCertificateV2, encodeSequence(encodeSequence(essCertId))),
  ].sort((a, b) => Buffer.compare(a, b)); // DER orders a SET OF by encoding

  // The signature covers the attributes encoded as a SET OF (tag 0x31); the SignerInfo carries them as [0].
  const attrsContent = concatBytes(attributes);
  const raw = await signer.sign(encodeTlv(0x31, attrsContent));
  // ECDSA and SM2 signatures are a DER SEQUENCE { r, s } in CMS (RFC 5753, GB/T 35275); the Signer gives r‖s.
  // SM2 signs with the default ID 1234567812345678 (docs/adr/0009-national-cryptography.md).
  const signature = signer.algorithm === 'ES256' || signer.algorithm === 'SM2' ? ecdsaP1363ToDer(raw) : raw;

  const signerInfo = encodeSequence(
    encodeSmallInteger(1),
    encodeSequence(leaf.issuer.der, serial), // IssuerAndSerialNumber
    digestAlgorithm,
    encodeTlv(0xa0, attrsContent),
    signatureAlgorithmIdentifier(signer.algorithm), // the same identifiers certificates carry
    encodeOctetString(signature),
  );
  const signedData = encodeSequence(
    encodeSmallInteger(1),
    set([digestAlgorithm]),
    encodeSequence(encodeOid(CADES_OID.data)), // detached: no eContent
    encodeTlv(0xa0, concatBytes(signer.certificateChain.map((c) => Uint8Array.from(c)))),
    set([signerInfo]),
  );
  return encodeSequence(encodeOid(CADES_OID.signedData), encodeExplicit(0, signedData));
}
