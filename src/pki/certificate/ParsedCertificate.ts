import { KeyObject, createHash } from 'node:crypto';
import { ElicenseError } from '../../errors';
import { CertificateExtension, CertificateExtensions, decodeExtensions } from './CertificateExtensions';
import { CertificateName, namesMatch, parseName } from './CertificateName';
import { DerReader, contents, decodeOid, whole } from './DerReader';
import { parsePublicKey } from './parsePublicKey';
import { parseTime } from './parseTime';
import { AlgorithmIdentifierInfo } from './SignatureScheme';

/**
 * A certificate as path validation sees it: the original DER beside the parsed
 * view. Immutable; safe to cache by `fingerprint`.
 */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  /** Lower-case hex SHA-256 of `der`. */
  readonly fingerprint: string;
  readonly version: 1 | 2 | 3;
  /** Lower-case hex of the serial number's content octets. */
  readonly serialNumber: string;
  readonly issuer: CertificateName;
  readonly subject: CertificateName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The imported key, or null when its algorithm/size is refused (see publicKeyProblem). */
  readonly publicKey: KeyObject | null;
  readonly publicKeyProblem: string | undefined;
  readonly signatureAlgorithm: AlgorithmIdentifierInfo;
  /** DER of tbsCertificate: the signed bytes. */
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  /** Every extension in order, with its critical flag and raw value. */
  readonly extensionList: readonly CertificateExtension[];
  /** The decoded extensions we understand. */
  readonly ext: Readonly<CertificateExtensions>;
  /** Issuer and subject match (RFC 5280 "self-issued"). */
  readonly selfIssued: boolean;
}

function malformed(message: string): ElicenseError {
  return new ElicenseError('CERT_MALFORMED', message);
}

function readAlgorithm(bytes: Uint8Array, r: DerReader): AlgorithmIdentifierInfo {
  const el = r.read(0x30, 'AlgorithmIdentifier');
  const a = DerReader.inside(bytes, el);
  const oid = decodeOid(contents(bytes, a.read(0x06, 'algorithm OID')));
  const params = a.done ? undefined : whole(bytes, a.read(undefined, 'algorithm parameters'));
  a.expectEnd('AlgorithmIdentifier');
  return { oid, params, der: whole(bytes, el) };
}

function readSerial(c: Uint8Array): string {
  if (c.length === 0) throw malformed('empty serial number');
  if (c.length > 1 && ((c[0] === 0 && !(c[1]! & 0x80)) || (c[0] === 0xff && c[1]! & 0x80))) throw malformed('non-minimal serial number');
  if (c[0]! & 0x80) throw malformed('negative serial number');
  const digits = c[0] === 0 ? c.subarray(1) : c;
  // RFC 5280 4.1.2.2: non-negative (zero tolerated: some long-lived roots use it), at most 20 octets.
  if (c.length > 20) throw malformed('serial number longer than 20 octets');
  return digits.length ? Buffer.from(digits).toString('hex') : '00';
}

function readExtensions(bytes: Uint8Array, el: ReturnType<DerReader['read']>): CertificateExtension[] {
  const outer = DerReader.inside(bytes, el);
  const seqEl = outer.read(0x30, 'Extensions');
  outer.expectEnd('extensions');
  const r = DerReader.inside(bytes, seqEl);
  const list: CertificateExtension[] = [];
  const seen = new Set<string>();
  while (!r.done) {
    const e = DerReader.inside(bytes, r.read(0x30, 'Extension'));
    const oid = decodeOid(contents(bytes, e.read(0x06, 'extnID')));
    let critical = false;
    const b = e.readOptional(0x01, 'critical');
    if (b) {
      const v = contents(bytes, b);
      // DER: DEFAULT FALSE is omitted, TRUE is 0xff.
      if (v.length !== 1 || v[0] !== 0xff) throw malformed(`bad critical flag on ${oid}`);
      critical = true;
    }
    const value = contents(bytes, e.read(0x04, 'extnValue'));
    e.expectEnd('Extension');
    if (seen.has(oid)) throw malformed(`duplicate extension ${oid}`);
    seen.add(oid);
    list.push({ oid, critical, value });
  }
  if (list.length === 0) throw malformed('empty extensions');
  return list;
}

/** Parses one DER certificate strictly. Throws ElicenseError('CERT_MALFORMED') on any defect. */
export function parseCertificate(input: Uint8Array): ParsedCertificate {
  const der = new Uint8Array(input); // our own copy: callers may reuse their buffer
  try {
    return parseInner(der);
  } catch (e) {
    if (e instanceof ElicenseError) throw e;
    throw new ElicenseError('CERT_MALFORMED', 'undecodable certificate', undefined, { cause: e });
  }
}

function parseInner(der: Uint8Array): ParsedCertificate {
  const top = new DerReader(der);
  const certEl = top.read(0x30, 'Certificate');
  top.expectEnd('certificate');
  const cert = DerReader.inside(der, certEl);
  const tbsEl = cert.read(0x30, 'tbsCertificate');
  const signatureAlgorithm = readAlgorithm(der, cert);
  const sigEl = cert.read(0x03, 'signatureValue');
  cert.expectEnd('Certificate');
  const sig = contents(der, sigEl);
  if (sig.length < 1 || sig[0] !== 0) throw malformed('signature BIT STRING with unused bits');

  const t = DerReader.inside(der, tbsEl);
  let version: 1 | 2 | 3 = 1;
  const vEl = t.readOptional(0xa0, 'version');
  if (vEl) {
    const vr = DerReader.inside(der, vEl);
    const v = contents(der, vr.read(0x02, 'version'));
    vr.expectEnd('version');
    // DER: v1 (0) is DEFAULT and must be omitted.
    if (v.length !== 1 || (v[0] !== 1 && v[0] !== 2)) throw malformed('bad certificate version');
    version = (v[0]! + 1) as 2 | 3;
  }
  const serialNumber = readSerial(contents(der, t.read(0x02, 'serialNumber')));
  const innerAlg = readAlgorithm(der, t);
  if (!Buffer.from(innerAlg.der).equals(signatureAlgorithm.der)) {
    throw malformed('signature algorithm in tbsCertificate differs from the outer one');
  }
  const issuer = parseName(der, t.read(0x30, 'issuer'));
  const validity = DerReader.inside(der, t.read(0x30, 'validity'));
  const nb = validity.read(undefined, 'notBefore');
  const na = validity.read(undefined, 'notAfter');
  validity.expectEnd('validity');
  const notBefore = parseTime(nb.tag, contents(der, nb));
  const notAfter = parseTime(na.tag, contents(der, na));
  const subject = parseName(der, t.read(0x30, 'subject'));
  const spki = whole(der, t.read(0x30, 'subjectPublicKeyInfo'));
  const iu = t.readOptional(0x81, 'issuerUniqueID');
  const su = t.readOptional(0x82, 'subjectUniqueID');
  if ((iu || su) && version === 1) throw malformed('unique identifiers in a v1 certificate');
  const extEl = t.readOptional(0xa3, 'extensions');
  t.expectEnd('tbsCertificate');
  if (extEl && version !== 3) throw malformed('extensions in a pre-v3 certificate');
  const extensionList = extEl ? readExtensions(der, extEl) : [];
  const key = parsePublicKey(spki);

  return {
    der,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    version,
    serialNumber,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki,
    publicKey: typeof key === 'string' ? null : key,
    publicKeyProblem: typeof key === 'string' ? key : undefined,
    signatureAlgorithm,
    tbs: whole(der, tbsEl),
    signature: sig.subarray(1),
    extensionList,
    ext: decodeExtensions(extensionList),
    selfIssued: namesMatch(issuer, subject),
  };
}
