import { ElicenseError } from '../../errors';
import { DerReader, contents, decodeOid, whole } from './DerReader';

/** One attribute of a distinguished name. */
export interface NameAttribute {
  readonly oid: string;
  /** ASN.1 tag of the value (0x0c UTF8String, 0x13 PrintableString, ...). */
  readonly tag: number;
  /** Decoded text for string types; undefined for other types. */
  readonly text: string | undefined;
  readonly valueDer: Uint8Array;
}

/** A distinguished name: its exact DER, its RDNs and a comparison key. */
export interface CertificateName {
  readonly der: Uint8Array;
  readonly rdns: readonly (readonly NameAttribute[])[];
  /** Per-RDN comparison keys (for name-constraint prefix matching). */
  readonly rdnKeys: readonly string[];
  /** RFC 5280 7.1 comparison key: equal keys mean matching names. */
  readonly key: string;
  /** Readable form in DER order, e.g. "C=CN, O=Region, CN=Root" (as written by @peculiar/x509 strings). */
  readonly text: string;
  readonly isEmpty: boolean;
}

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
};

const TEXT_TAGS = new Set([0x0c, 0x13, 0x16, 0x14, 0x1e, 0x1c]);

function decodeText(tag: number, c: Uint8Array): string | undefined {
  switch (tag) {
    case 0x0c: // UTF8String
      return new TextDecoder('utf-8', { fatal: true }).decode(c);
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString, treated as Latin-1 (as browsers do)
      return Buffer.from(c).toString('latin1');
    case 0x1e: {
      // BMPString, UCS-2 big endian
      if (c.length % 2) throw new ElicenseError('CERT_MALFORMED', 'odd BMPString');
      let s = '';
      for (let i = 0; i < c.length; i += 2) s += String.fromCharCode((c[i]! << 8) | c[i + 1]!);
      return s;
    }
    case 0x1c: {
      // UniversalString, UCS-4 big endian
      if (c.length % 4) throw new ElicenseError('CERT_MALFORMED', 'bad UniversalString');
      let s = '';
      for (let i = 0; i < c.length; i += 4) s += String.fromCodePoint(((c[i]! << 24) | (c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!) >>> 0);
      return s;
    }
    default:
      return undefined;
  }
}

/** RFC 4518-lite: case-insensitive, insignificant whitespace ignored. */
function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}

/** Parses a Name from the DER bytes of its SEQUENCE (the element itself). */
export function parseName(bytes: Uint8Array, el: ReturnType<DerReader['read']>): CertificateName {
  const rdns: NameAttribute[][] = [];
  const outer = DerReader.inside(bytes, el);
  while (!outer.done) {
    const setEl = outer.read(0x31, 'RDN');
    const set = DerReader.inside(bytes, setEl);
    const rdn: NameAttribute[] = [];
    while (!set.done) {
      const atvEl = set.read(0x30, 'AttributeTypeAndValue');
      const atv = DerReader.inside(bytes, atvEl);
      const oid = decodeOid(contents(bytes, atv.read(0x06, 'attribute type')));
      const v = atv.read(undefined, 'attribute value');
      atv.expectEnd('AttributeTypeAndValue');
      const c = contents(bytes, v);
      let text: string | undefined;
      try {
        text = decodeText(v.tag, c);
      } catch (e) {
        throw new ElicenseError('CERT_MALFORMED', 'undecodable name attribute', undefined, { cause: e });
      }
      rdn.push({ oid, tag: v.tag, text, valueDer: whole(bytes, v) });
    }
    if (rdn.length === 0) throw new ElicenseError('CERT_MALFORMED', 'empty RDN');
    rdns.push(rdn);
  }
  const rdnKeys = rdns
    .map((rdn) =>
      rdn
        .map((a) => `${a.oid}=${a.text !== undefined && TEXT_TAGS.has(a.tag) ? 's:' + normalise(a.text) : 'x:' + Buffer.from(a.valueDer).toString('hex')}`)
        .sort()
        .join('+'),
    );
  const key = rdnKeys.join('/');
  const text = rdns
    .map((rdn) => rdn.map((a) => `${SHORT_NAMES[a.oid] ?? a.oid}=${a.text ?? '#' + Buffer.from(a.valueDer).toString('hex')}`).join('+'))
    .join(', ');
  return { der: whole(bytes, el), rdns, rdnKeys, key, text, isEmpty: rdns.length === 0 };
}

/** RFC 5280 7.1 name matching (exact bytes, or equal after normalisation). */
export function namesMatch(a: CertificateName, b: CertificateName): boolean {
  return a.key === b.key;
}
