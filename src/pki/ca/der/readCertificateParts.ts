import { ElicenseError } from '../../../errors';
import { decodeOid } from './decodeOid';
import { readDerChildren, readDerWhole, type DerElement } from './readDer';

export interface CertificateExtensionPart {
  oid: string;
  critical: boolean;
  /** extnValue contents (the DER of the extension's own structure). */
  value: Uint8Array;
}

/** Raw slices of an X.509 certificate; the CA uses them to chain (issuer name, key id, validity). */
export interface CertificateParts {
  tbs: Uint8Array;
  serialNumber: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKeyInfo: Uint8Array;
  extensions: CertificateExtensionPart[];
}

export function readCertificateParts(der: Uint8Array): CertificateParts {
  const [tbsEl] = readDerChildren(readDerWhole(der));
  if (!tbsEl || tbsEl.tag !== 0x30) throw new ElicenseError('CERT_MALFORMED', 'certificate has no TBSCertificate');
  const fields = readDerChildren(tbsEl);
  const hasVersion = fields[0]?.tag === 0xa0;
  const [serial, , issuer, validity, subject, spki, ...rest] = hasVersion ? fields.slice(1) : fields;
  if (!serial || !issuer || !validity || !subject || !spki) {
    throw new ElicenseError('CERT_MALFORMED', 'certificate TBSCertificate is incomplete');
  }
  const [nb, na] = readDerChildren(validity);
  if (!nb || !na) throw new ElicenseError('CERT_MALFORMED', 'certificate validity is incomplete');
  const extField = rest.find((f) => f.tag === 0xa3);
  return {
    tbs: tbsEl.raw,
    serialNumber: serial.content,
    issuer: issuer.raw,
    subject: subject.raw,
    notBefore: decodeTime(nb),
    notAfter: decodeTime(na),
    subjectPublicKeyInfo: spki.raw,
    extensions: extField ? readExtensions(extField) : [],
  };
}

function readExtensions(field: DerElement): CertificateExtensionPart[] {
  const [seq] = readDerChildren(field);
  if (!seq) return [];
  return readDerChildren(seq).map((ext) => {
    const parts = readDerChildren(ext);
    const id = parts[0];
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && parts[1]!.content[0] !== 0;
    const value = parts[parts.length - 1];
    if (!id || id.tag !== 0x06 || !value || value.tag !== 0x04) throw new ElicenseError('CERT_MALFORMED', 'malformed extension');
    return { oid: decodeOid(id.content), critical, value: value.content };
  });
}

function decodeTime(el: DerElement): Date {
  const s = Buffer.from(el.content).toString('latin1');
  const m = el.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : el.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : null;
  if (!m) throw new ElicenseError('CERT_MALFORMED', 'malformed certificate time');
  let year = Number(m[1]);
  if (el.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}
