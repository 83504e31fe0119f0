import { ElicenseError } from '../../../errors';
import { decodeOid } from './decodeOid';
import { readDerChildren, readDerWhole } from './readDer';

export interface NameAttribute {
  oid: string;
  value: string;
}

/** X.501 Name (DER) → its attributes in order; string values decoded from the common string types. */
export function readNameAttributes(nameDer: Uint8Array): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const rdn of readDerChildren(readDerWhole(nameDer))) {
    if (rdn.tag !== 0x31) throw new ElicenseError('CERT_MALFORMED', 'malformed name: RDN is not a SET');
    for (const atv of readDerChildren(rdn)) {
      const [type, value] = readDerChildren(atv);
      if (!type || !value || type.tag !== 0x06) throw new ElicenseError('CERT_MALFORMED', 'malformed name attribute');
      out.push({ oid: decodeOid(type.content), value: decodeDirectoryString(value.tag, value.content) });
    }
  }
  return out;
}

function decodeDirectoryString(tag: number, content: Uint8Array): string {
  switch (tag) {
    case 0x0c: // UTF8String
      return new TextDecoder('utf-8', { fatal: true }).decode(content);
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString, treated as Latin-1 as most software does
      return Buffer.from(content).toString('latin1');
    case 0x1e: // BMPString, UTF-16BE
      return Buffer.from(content).swap16().toString('utf16le');
    default:
      throw new ElicenseError('CERT_MALFORMED', `unsupported name attribute string type 0x${tag.toString(16)}`);
  }
}
