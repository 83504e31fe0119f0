import { createHash } from 'node:crypto';
import type { JwsAlgorithm } from '../../crypto/algorithms';
import { ecdsaP1363ToDer } from '../../crypto/ecdsaP1363ToDer';
import type { Signer } from '../../crypto/Signer';
import { ElicenseError } from '../../errors';
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

/** RFC 8419: with Ed25519 the message digest is SHA-512; the others here use SHA-256. */
export function cadesDigestFor(alg: JwsAlgorithm): 'sha256' | 'sha512' {
  return alg === 'EdDSA' ? 'sha512' : 'sha256';
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
  if (signer.algorithm === 'SM2') throw new ElicenseError('ALGORITHM_NOT_ALLOWED', 'the PDF form does not carry SM2 signatures yet (docs/adr/0009-national-cryptography.md)');
  const leaf = parseCertificate(leafDer);
  const serial = encodeUnsignedInteger(Buffer.from(leaf.serialNumber, 'hex'));
  const digest = cadesDigestFor(signer.algorithm);
  const digestAlgorithm = algorithm(digest === 'sha256' ? CADES_OID.sha256 : CADES_OID.sha512);

  // SigningCertificateV2 { certs: [ESSCertIDv2 { certHash (SHA-256, the default, so not encoded), issuerSerial }] } (RFC 5035)
  const issuerSerial = encodeSequence(encodeSequence(encodeTlv(0xa4, leaf.issuer.der)), serial);
  const essCertId = encodeSequence(encodeOctetString(createHash('sha256').update(leafDer).digest()), issuerSerial);
  const attributes = [
    attribute(CADES_OID.contentType, encodeOid(CADES_OID.data)),
    attribute(CADES_OID.messageDigest, encodeOctetString(createHash(digest).update(signedBytes).digest())),
    attribute(CADES_OID.signingCertificateV2, encodeSequence(encodeSequence(essCertId))),
  ].sort((a, b) => Buffer.compare(a, b)); // DER orders a SET OF by encoding

  // The signature covers the attributes encoded as a SET OF (tag 0x31); the SignerInfo carries them as [0].
  const attrsContent = concatBytes(attributes);
  const raw = await signer.sign(encodeTlv(0x31, attrsContent));
  const signature = signer.algorithm === 'ES256' ? ecdsaP1363ToDer(raw) : raw;

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
