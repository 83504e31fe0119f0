import { ElicenseError } from '../../errors';
import { CertificateName, parseName } from './CertificateName';
import { DerReader, contents } from './DerReader';

/** A GeneralName (RFC 5280 4.2.1.6) in the forms path validation needs. */
export type GeneralName =
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string }
  /** 4 or 16 bytes in a SAN; 8 or 32 (address + mask) in a name constraint. */
  | { readonly type: 'ip'; readonly bytes: Uint8Array }
  | { readonly type: 'dn'; readonly name: CertificateName }
  /** otherName, x400Address, ediPartyName, registeredID: kept by kind only. */
  | { readonly type: 'other'; readonly tag: number };

function ia5(c: Uint8Array, what: string): string {
  for (const b of c) if (b > 0x7e || b < 0x20) throw new ElicenseError('CERT_MALFORMED', `${what} is not printable IA5`);
  return Buffer.from(c).toString('latin1');
}

/** Reads one GeneralName element (the element itself, context-tagged). */
export function readGeneralName(bytes: Uint8Array, r: DerReader): GeneralName {
  const el = r.read(undefined, 'GeneralName');
  const c = contents(bytes, el);
  switch (el.tag) {
    case 0x81:
      return { type: 'email', value: ia5(c, 'rfc822Name') };
    case 0x82:
      return { type: 'dns', value: ia5(c, 'dNSName') };
    case 0x86:
      return { type: 'uri', value: ia5(c, 'uniformResourceIdentifier') };
    case 0x87:
      return { type: 'ip', bytes: c };
    case 0xa4: {
      const inner = DerReader.inside(bytes, el);
      const nameEl = inner.read(0x30, 'directoryName');
      inner.expectEnd('directoryName');
      return { type: 'dn', name: parseName(bytes, nameEl) };
    }
    case 0xa0:
    case 0xa3:
    case 0xa5:
    case 0x88:
      return { type: 'other', tag: el.tag & 0x1f };
    default:
      throw new ElicenseError('CERT_MALFORMED', `unknown GeneralName tag 0x${el.tag.toString(16)}`);
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName, from the whole DER value. */
export function parseGeneralNames(der: Uint8Array, what: string): GeneralName[] {
  const top = new DerReader(der);
  const seq = top.read(0x30, what);
  top.expectEnd(what);
  const r = DerReader.inside(der, seq);
  const names: GeneralName[] = [];
  while (!r.done) names.push(readGeneralName(der, r));
  if (names.length === 0) throw new ElicenseError('CERT_MALFORMED', `empty ${what}`);
  return names;
}
