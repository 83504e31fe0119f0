import type { KeyObject } from 'node:crypto';
import { algorithmForKey, CERTIFIED_ALGORITHMS, type JwsAlgorithm } from '../../crypto/algorithms';
import { ecdsaP1363ToDer } from '../../crypto/ecdsaP1363ToDer';
import { samePublicKey } from '../../crypto/samePublicKey';
import { isPlausibleSignatureLength } from '../../crypto/jws/isPlausibleSignatureLength';
import type { KeySigner } from '../../crypto/Signer';
import { ElicenseError } from '../../errors';
import {
  authorityKeyIdentifierExtension,
  extensionsField,
  subjectKeyIdentifierExtension,
} from './certificateExtensions';
import { encodeBitString, encodeExplicit, encodeSequence, encodeSmallInteger, encodeTime, encodeUnsignedInteger } from './der/encodeDer';
import { encodePem } from './encodePem';
import { keyIdentifier } from './keyIdentifier';
import { signatureAlgorithmIdentifier } from './signatureAlgorithmIdentifier';

/** A certificate as issued: the DER is the truth, the PEM is for people and files. */
export interface IssuedCertificate {
  der: Uint8Array;
  pem: string;
}

/** What a child certificate needs to know about its issuer. */
export interface IssuerInfo {
  /** The issuer's subject Name, DER, copied byte for byte. */
  name: Uint8Array;
  keyIdentifier: Uint8Array;
  signer: KeySigner;
}

export interface IssueCertificateParams {
  subject: Uint8Array;
  publicKey: KeyObject;
  /** Absent: self-signed with `selfSigner`. */
  issuer?: IssuerInfo;
  selfSigner?: KeySigner;
  serialNumber: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** Profile extensions (DER); SKI and AKI are added here. */
  extensions: readonly Uint8Array[];
}

/**
 * Assembles and signs one X.509 v3 certificate. The TBSCertificate is built
 * from raw DER parts and the exact bytes that were signed are the bytes
 * returned, so no encoder round trip can change what the CA signed. Both
 * the certified key and the signer's key must pass the key policy
 * (crypto/algorithms: algorithmForKey), as every signing and verifying side does.
 */
export async function issueCertificate(params: IssueCertificateParams): Promise<IssuedCertificate> {
  const { publicKey, subject, issuer } = params;
  if (publicKey.type !== 'public') throw new ElicenseError('KEY_INVALID', 'the certified key must be a public key');
  if (params.notAfter.getTime() <= params.notBefore.getTime()) {
    throw new ElicenseError('CONFIG_INVALID', 'certificate notAfter must be after notBefore');
  }
  const signer = issuer ? issuer.signer : params.selfSigner;
  if (!signer) throw new ElicenseError('KEY_INVALID', 'a self-signed certificate needs its own signer');
  algorithmForKey(publicKey);
  if (algorithmForKey(signer.publicKey) !== signer.algorithm) {
    throw new ElicenseError('ALGORITHM_KEY_MISMATCH', `the CA signer's key cannot be used with ${signer.algorithm}`);
  }
  const certified: readonly JwsAlgorithm[] = CERTIFIED_ALGORITHMS;
  if (!certified.includes(algorithmForKey(publicKey)) || !certified.includes(signer.algorithm)) {
    throw new ElicenseError('ALGORITHM_NOT_ALLOWED', 'the CA does not certify this algorithm');
  }
  if ((algorithmForKey(publicKey) === 'SM2') !== (signer.algorithm === 'SM2')) {
    // Our path validator refuses such a link (ALGORITHM_MIXED, docs/adr/0009-national-cryptography.md).
    throw new ElicenseError('ALGORITHM_NOT_ALLOWED', 'an SM2 key is certified by an SM2 CA only, and an SM2 CA certifies SM2 keys only');
  }
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  if (!issuer && !samePublicKey(signer.publicKey, publicKey)) {
    throw new ElicenseError('ALGORITHM_KEY_MISMATCH', 'self-signed certificate: signer key does not match the subject key');
  }
  const ski = keyIdentifier(spki);
  const extensions = [
    ...params.extensions,
    subjectKeyIdentifierExtension(ski),
    ...(issuer ? [authorityKeyIdentifierExtension(issuer.keyIdentifier)] : []),
  ];
  const algorithmId = signatureAlgorithmIdentifier(signer.algorithm);
  const tbs = encodeSequence(
    encodeExplicit(0, encodeSmallInteger(2)), // v3
    encodeUnsignedInteger(params.serialNumber),
    algorithmId,
    issuer ? issuer.name : subject,
    encodeSequence(encodeTime(params.notBefore), encodeTime(params.notAfter)),
    subject,
    new Uint8Array(spki),
    extensionsField(extensions),
  );
  const raw = await signer.sign(tbs);
  if (!isPlausibleSignatureLength(signer.algorithm, raw.byteLength)) {
    throw new ElicenseError('KEY_INVALID', `signer returned ${raw.byteLength} bytes, not a ${signer.algorithm} signature`);
  }
  // The Signer answers in the JWS form (r‖s); X.509 carries ECDSA and SM3withSM2 as a DER SEQUENCE { r, s }.
  const signature = signer.algorithm === 'ES256' || signer.algorithm === 'SM2' ? ecdsaP1363ToDer(raw) : raw;
  const der = encodeSequence(tbs, algorithmId, encodeBitString(signature));
  return { der, pem: encodePem(der, 'CERTIFICATE') };
}
