import { createHash } from 'node:crypto';
import type { JwsAlgorithm } from '../../crypto/algorithms';
import type { Signer } from '../../crypto/Signer';
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
import { parseCertificate } from '../../pki/certificate/ParsedCertificate';
import { CADES_OID } from './cadesOids';

/** RFC 8419: with Ed25519 the message digest is SHA-512; the others here use SHA-256. */
export function cadesDigestFor(alg: JwsAlgorithm): 'sha256' | 'sha512' {
  return alg === 'EdDSA' ? 'sha512' : 'sha256';
}

const NULL = Uint8Array.of(0x05, 0x00);
const algorithm = (oid: string, params?: Uint8Array) => (params ? encodeSequence(encodeOid(oid), params) : encodeSequence(encodeOid(oid)));
const set = (members: Uint8Array[]) => encodeTlv(0x31, concatBytes(members));
const attribute = (oid: string, value: Uint8Array) => encodeSequence(encodeOid(oid), set([value]));

/**
 * A detached CMS SignedData (RFC 5652) in the CAdES baseline form that PAdES
 * B-B asks for (ETSI EN 319 142-1): signed attributes content-type,
 * message-digest and signing-certificate-v2; no signing-time attribute (the
 * claimed time is the signature dictionary's /M); the signer's chain. The
 * signature comes from the narrow Signer, so an HSM can take the key's place.
 * Written with the project's DER writer: asn1js/pkijs are ES modules only.
 */
export async function buildCadesSignature(signedBytes: Uint8Array, signer: Signer): Promise<Uint8Array> {
  const leafDer = signer.certificateChain[0];
  if (!leafDer) throw new RangeError('the signer has no certificate');
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
  const signature = signer.algorithm === 'ES256' ? ecdsaSigValue(raw) : raw;

  const signerInfo = encodeSequence(
    encodeSmallInteger(1),
    encodeSequence(leaf.issuer.der, serial), // IssuerAndSerialNumber
    digestAlgorithm,
    encodeTlv(0xa0, attrsContent),
    signatureAlgorithmFor(signer.algorithm),
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

/** ECDSA r‖s (the JWS form the Signer returns) as the DER ECDSA-Sig-Value CMS carries: SEQUENCE { INTEGER r, INTEGER s }. */
function ecdsaSigValue(sig: Uint8Array): Uint8Array {
  if (sig.length === 0 || sig.length % 2 !== 0) throw new RangeError('r‖s must have an even, non-zero length');
  const half = sig.length / 2;
  return encodeSequence(encodeUnsignedInteger(sig.subarray(0, half)), encodeUnsignedInteger(sig.subarray(half)));
}

function signatureAlgorithmFor(alg: JwsAlgorithm): Uint8Array {
  switch (alg) {
    case 'ES256':
      return algorithm(CADES_OID.ecdsaWithSha256);
    case 'EdDSA':
      return algorithm(CADES_OID.ed25519);
    case 'PS256': {
      // RSASSA-PSS-params (RFC 4055): SHA-256, MGF1 with SHA-256, salt 32, trailer field 1 (default).
      const sha256 = algorithm(CADES_OID.sha256, NULL);
      const params = encodeSequence(encodeExplicit(0, sha256), encodeExplicit(1, algorithm(CADES_OID.mgf1, sha256)), encodeExplicit(2, encodeSmallInteger(32)));
      return algorithm(CADES_OID.rsassaPss, params);
    }
    default:
      throw new RangeError(`no CMS signature algorithm for ${String(alg)}`);
  }
}
