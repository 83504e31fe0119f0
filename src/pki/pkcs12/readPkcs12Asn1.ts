import { ElicenseError } from '../../errors';
import { asn1, fromBinary, type Asn1 } from './pkcs12Asn1';

/** Typed readers over forge ASN.1 nodes; any shape mismatch is PKCS12_INVALID. */
const bad = (what: string): never => {
  throw new ElicenseError('PKCS12_INVALID', `malformed PKCS#12: ${what}`);
};

export function readOid(node: Asn1 | undefined): string {
  if (!node || node.type !== asn1.Type.OID || typeof node.value !== 'string') return bad('expected an OID');
  return asn1.derToOid(node.value);
}

/** OCTET STRING content, joining the chunks of a BER constructed encoding. */
export function readOctets(node: Asn1 | undefined): Uint8Array {
  if (!node) return bad('expected an OCTET STRING');
  if (typeof node.value === 'string') return fromBinary(node.value);
  if (!node.constructed || !Array.isArray(node.value)) return bad('expected an OCTET STRING');
  return Buffer.concat(node.value.map((n) => readOctets(n)));
}

export function readInteger(node: Asn1 | undefined): number {
  if (!node || node.type !== asn1.Type.INTEGER || typeof node.value !== 'string' || node.value.length > 4) return bad('expected a small INTEGER');
  return asn1.derToInteger(node.value);
}

export function readChildren(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !node.constructed || !Array.isArray(node.value)) return bad(what);
  return node.value;
}

export function parseDer(bytes: Uint8Array, what: string): Asn1 {
  try {
    // strict: lengths must fit the input (forge's lax mode silently accepts truncation); indefinite lengths are still read.
    const options = { strict: true, parseAllBytes: true, decodeBitStrings: false };
    return asn1.fromDer(Buffer.from(bytes).toString('binary'), options as unknown as boolean); // @types/node-forge lacks the options form
  } catch (cause) {
    throw new ElicenseError('PKCS12_INVALID', `malformed PKCS#12: ${what} is not valid DER/BER`, undefined, { cause });
  }
}
