import { constants, verify, type KeyObject } from 'node:crypto';
import { ecdsaDerToP1363 } from '../../crypto/ecdsaDerToP1363';
import { keyDecision } from '../../crypto/algorithms';
import { sm2Verify } from '../../crypto/sm2/sm2Verify';
import { isElicenseError } from '../../errors';
import { DerReader, contents, decodeOid, whole, type DerElement } from '../../pki/certificate/DerReader';
import { parseCertificate, type ParsedCertificate } from '../../pki/certificate/ParsedCertificate';
import { cadesDigest, type CadesDigest } from '../../forms/pdf/buildCadesSignature';
import { CADES_OID } from '../../forms/pdf/cadesOids';

export type CadesCheck =
  | { ok: true; signer: ParsedCertificate }
  | { ok: false; detail: string; signer?: ParsedCertificate };

const DIGESTS: Record<string, CadesDigest> = { [CADES_OID.sha256]: 'sha256', [CADES_OID.sha512]: 'sha512', [CADES_OID.sm3]: 'sm3' };
/** Hashes an ESSCertIDv2 may name: SHA-256 (the default) or SHA-512; what we write is always SHA-256. */
const CERT_HASHES: Record<string, CadesDigest> = { [CADES_OID.sha256]: 'sha256', [CADES_OID.sha512]: 'sha512' };

class CmsDefect extends Error {}
const defect = (why: string) => new CmsDefect(why);

/**
 * Checks a detached CAdES signature (the /Contents of a PAdES signature) over
 * `signedBytes`: strict DER, one SignerInfo whose certificate is among those
 * carried, signed attributes with content-type id-data, a message digest of
 * the signed bytes and a signing-certificate-v2 naming that certificate, and
 * the signature by an allowed algorithm. Only the outer ContentInfo is read:
 * bytes after it (the zero padding of the /Contents placeholder) are not
 * looked at. The certificate's path is not
 * validated here: the caller ties it to the licence's signer, whose path
 * verifyLicense validates.
 */
export function verifyCadesSignature(cms: Uint8Array, signedBytes: Uint8Array): CadesCheck {
  let signer: ParsedCertificate | undefined;
  try {
    const top = new DerReader(cms);
    const ci = DerReader.inside(cms, top.read(0x30, 'ContentInfo'));
    if (oid(cms, ci) !== CADES_OID.signedData) throw defect('not a SignedData');
    const sd = DerReader.inside(cms, DerReader.inside(cms, ci.read(0xa0, 'content')).read(0x30, 'SignedData'));
    sd.read(0x02, 'version');
    sd.read(0x31, 'digestAlgorithms');
    const encap = DerReader.inside(cms, sd.read(0x30, 'encapContentInfo'));
    if (oid(cms, encap) !== CADES_OID.data) throw defect('encapsulated content is not id-data');
    if (!encap.done) throw defect('the signature is not detached');
    const certsEl = sd.readOptional(0xa0, 'certificates');
    sd.readOptional(0xa1, 'crls');
    const infos = DerReader.inside(cms, sd.read(0x31, 'signerInfos'));
    const info = DerReader.inside(cms, infos.read(0x30, 'SignerInfo'));
    if (!infos.done) throw defect('more than one SignerInfo');

    info.read(0x02, 'SignerInfo version');
    const sid = DerReader.inside(cms, info.read(0x30, 'issuerAndSerialNumber'));
    const sidIssuer = whole(cms, sid.read(0x30, 'issuer'));
    const sidSerial = Buffer.from(contents(cms, sid.read(0x02, 'serialNumber'))).toString('hex').replace(/^00(?=[89a-f])/, '');
    const certs: ParsedCertificate[] = [];
    if (certsEl) {
      const r = DerReader.inside(cms, certsEl);
      while (!r.done) certs.push(parseCertificate(whole(cms, r.read(0x30, 'certificate'))));
    }
    signer = certs.find((c) => Buffer.from(c.issuer.der).equals(sidIssuer) && c.serialNumber === sidSerial);
    if (!signer) throw defect('the signer certificate is not in the CMS');

    const digestName = DIGESTS[algorithmOid(cms, info)];
    if (!digestName) throw defect('digest algorithm not allowed');
    const attrsEl = info.read(0xa0, 'signedAttrs');
    const signatureAlgorithm = algorithmOid(cms, info);
    const signature = contents(cms, info.read(0x04, 'signature'));
    info.readOptional(0xa1, 'unsignedAttrs');
    info.expectEnd('SignerInfo');

    const attrs = new Map<string, DerElement>();
    const ar = DerReader.inside(cms, attrsEl);
    while (!ar.done) {
      const a = DerReader.inside(cms, ar.read(0x30, 'Attribute'));
      const type = oid(cms, a);
      if (attrs.has(type)) throw defect(`attribute ${type} repeated`);
      const values = DerReader.inside(cms, a.read(0x31, 'attribute values'));
      attrs.set(type, values.read(undefined, 'attribute value'));
      if (!values.done) throw defect(`attribute ${type} has several values`);
    }
    const ct = attrs.get(CADES_OID.contentType);
    if (!ct || ct.tag !== 0x06 || decodeOid(contents(cms, ct)) !== CADES_OID.data) throw defect('content-type attribute missing or not id-data');
    const md = attrs.get(CADES_OID.messageDigest);
    if (!md || md.tag !== 0x04) throw defect('message-digest attribute missing');
    if (!Buffer.from(contents(cms, md)).equals(cadesDigest(digestName, signedBytes))) {
      return { ok: false, detail: 'the signed bytes do not match the message digest', signer };
    }
    checkSigningCertificateV2(cms, attrs.get(CADES_OID.signingCertificateV2), signer);

    // The signature covers the attributes as a SET OF: the same bytes with tag 0x31.
    const signedAttrs = Uint8Array.from(whole(cms, attrsEl));
    signedAttrs[0] = 0x31;
    if (!signer.publicKey) throw defect('the signer certificate key is not usable');
    if (!verifySignature(signatureAlgorithm, digestName, signer.publicKey, signedAttrs, signature)) {
      return { ok: false, detail: 'the CMS signature does not verify', signer };
    }
    return { ok: true, signer };
  } catch (e) {
    if (e instanceof CmsDefect || isElicenseError(e)) return { ok: false, detail: `CMS: ${e.message}`, ...(signer ? { signer } : {}) };
    throw e;
  }
}

function oid(bytes: Uint8Array, r: DerReader): string {
  return decodeOid(contents(bytes, r.read(0x06, 'OID')));
}

function algorithmOid(bytes: Uint8Array, r: DerReader): string {
  return oid(bytes, DerReader.inside(bytes, r.read(0x30, 'AlgorithmIdentifier')));
}

/** ESS signing-certificate-v2 (required by PAdES): its first certHash must be the signer certificate's. */
function checkSigningCertificateV2(bytes: Uint8Array, el: DerElement | undefined, signer: ParsedCertificate): void {
  if (!el || el.tag !== 0x30) throw defect('signing-certificate-v2 attribute missing');
  const certs = DerReader.inside(bytes, DerReader.inside(bytes, el).read(0x30, 'certs'));
  const id = DerReader.inside(bytes, certs.read(0x30, 'ESSCertIDv2'));
  let hash: CadesDigest = 'sha256';
  if (id.peekTag() === 0x30) {
    const h = CERT_HASHES[algorithmOid(bytes, id)];
    if (!h) throw defect('signing-certificate-v2 hash algorithm not allowed');
    hash = h;
  }
  const certHash = contents(bytes, id.read(0x04, 'certHash'));
  if (!Buffer.from(certHash).equals(cadesDigest(hash, signer.der))) throw defect('signing-certificate-v2 names another certificate');
}

function verifySignature(alg: string, digest: CadesDigest, key: KeyObject, data: Uint8Array, sig: Uint8Array): boolean {
  try {
    // SM2 (GB/T 35275): SM3 digest, the signature a strict DER SEQUENCE { r, s }, the default ID (sm2Verify).
    // SM3 goes with SM2 only, and SM2 with SM3 only.
    if (alg === CADES_OID.sm2WithSm3) {
      if (digest !== 'sm3') return false;
      const rs = ecdsaDerToP1363(sig, 32);
      return algorithmOf(key) === 'SM2' && rs !== undefined && sm2Verify(key, data, rs);
    }
    if (digest === 'sm3') return false;
    switch (alg) {
      case CADES_OID.ecdsaWithSha256:
        return algorithmOf(key) === 'ES256' && verify('sha256', data, { key, dsaEncoding: 'der' }, sig); // never an SM2-curve key
      case CADES_OID.ed25519:
        return key.asymmetricKeyType === 'ed25519' && verify(null, data, key, sig);
      case CADES_OID.rsassaPss:
        return key.asymmetricKeyType === 'rsa' && verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

function algorithmOf(key: KeyObject): string | undefined {
  const d = keyDecision(key);
  return d.ok ? d.algorithm : undefined;
}
