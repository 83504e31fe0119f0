import { DerReader, contents, decodeOid } from './DerReader';

/** An AlgorithmIdentifier as found in a certificate. */
export interface AlgorithmIdentifierInfo {
  readonly oid: string;
  /** DER of the parameters element, when present. */
  readonly params: Uint8Array | undefined;
  /** DER of the whole AlgorithmIdentifier (for exact comparisons). */
  readonly der: Uint8Array;
}

/** How node:crypto verifies a certificate signature made with an allowed algorithm. */
export interface SignatureScheme {
  readonly name: string;
  /** Digest for crypto.verify; null for EdDSA and for SM2 (SM3 over Z_A ‖ TBS, done by sm2Verify). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** Key types the scheme verifies with; 'sm2' is a key on the SM2 curve (see certificateKeyType). */
  readonly keyTypes: readonly string[];
  readonly pssSaltLength?: number;
}

const HASH_BY_OID: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const HASH_LEN = { sha256: 32, sha384: 48, sha512: 64 } as const;
const MGF1 = '1.2.840.113549.1.1.8';
const RSA_PSS = '1.2.840.113549.1.1.10';

const SIMPLE: Record<string, SignatureScheme & { nullParams: boolean }> = {
  '1.2.840.113549.1.1.11': { name: 'RS256', hash: 'sha256', keyTypes: ['rsa'], nullParams: true },
  '1.2.840.113549.1.1.12': { name: 'RS384', hash: 'sha384', keyTypes: ['rsa'], nullParams: true },
  '1.2.840.113549.1.1.13': { name: 'RS512', hash: 'sha512', keyTypes: ['rsa'], nullParams: true },
  '1.2.840.10045.4.3.2': { name: 'ES256', hash: 'sha256', keyTypes: ['ec'], nullParams: false },
  '1.2.840.10045.4.3.3': { name: 'ES384', hash: 'sha384', keyTypes: ['ec'], nullParams: false },
  '1.2.840.10045.4.3.4': { name: 'ES512', hash: 'sha512', keyTypes: ['ec'], nullParams: false },
  '1.3.101.112': { name: 'Ed25519', hash: null, keyTypes: ['ed25519'], nullParams: false },
  '1.3.101.113': { name: 'Ed448', hash: null, keyTypes: ['ed448'], nullParams: false },
  // SM3withSM2 (GM/T 0006): parameters absent, as for ECDSA; a NULL is refused.
  '1.2.156.10197.1.501': { name: 'SM2', hash: null, keyTypes: ['sm2'], nullParams: false },
};

function isDerNull(p: Uint8Array): boolean {
  return p.length === 2 && p[0] === 0x05 && p[1] === 0x00;
}

/** HashAlgorithm inside a [n] explicit tag: SEQUENCE { OID, NULL? }. */
function readHash(bytes: Uint8Array, tagged: DerReader): string | undefined {
  const seq = DerReader.inside(bytes, tagged.read(0x30, 'hash AlgorithmIdentifier'));
  const oid = decodeOid(contents(bytes, seq.read(0x06, 'hash OID')));
  if (!seq.done) {
    const p = seq.read(0x05, 'hash params');
    if (p.end !== p.contentStart) return undefined;
  }
  return seq.done ? oid : undefined;
}

/** RSASSA-PSS parameters; only SHA-2 with MGF1 of the same hash and salt = hash length. */
function pssScheme(params: Uint8Array | undefined): SignatureScheme | string {
  if (!params) return 'RSASSA-PSS without parameters';
  try {
    const r = DerReader.inside(params, new DerReader(params).read(0x30, 'RSASSA-PSS-params'));
    const h = r.readOptional(0xa0);
    const m = r.readOptional(0xa1);
    const s = r.readOptional(0xa2);
    const t = r.readOptional(0xa3);
    r.expectEnd('RSASSA-PSS-params');
    if (!h || !m || !s) return 'RSASSA-PSS parameters must name hash, MGF and salt';
    const hash = HASH_BY_OID[readHash(params, DerReader.inside(params, h)) ?? ''];
    if (!hash) return 'RSASSA-PSS hash not allowed';
    const mgf = DerReader.inside(params, DerReader.inside(params, m).read(0x30, 'MGF'));
    if (decodeOid(contents(params, mgf.read(0x06))) !== MGF1) return 'RSASSA-PSS MGF not MGF1';
    if (HASH_BY_OID[readHash(params, mgf) ?? ''] !== hash) return 'RSASSA-PSS MGF1 hash differs';
    const saltEl = DerReader.inside(params, s).read(0x02, 'saltLength');
    const salt = contents(params, saltEl);
    const saltLength = salt.length === 1 ? salt[0]! : -1;
    if (saltLength !== HASH_LEN[hash]) return 'RSASSA-PSS salt length must equal the hash length';
    if (t) {
      const tv = contents(params, DerReader.inside(params, t).read(0x02, 'trailerField'));
      if (tv.length !== 1 || tv[0] !== 1) return 'RSASSA-PSS trailer field must be 1';
    }
    return { name: `PS${hash.slice(3)}`, hash, keyTypes: ['rsa', 'rsa-pss'], pssSaltLength: saltLength };
  } catch {
    return 'malformed RSASSA-PSS parameters';
  }
}

/** The verification scheme for an allowed algorithm, or why it is refused (SHA-1, DSA, unknown...). */
export function signatureSchemeFor(alg: AlgorithmIdentifierInfo): SignatureScheme | string {
  if (alg.oid === RSA_PSS) return pssScheme(alg.params);
  const s = SIMPLE[alg.oid];
  if (!s) return `signature algorithm ${alg.oid} not allowed`;
  if (s.nullParams ? alg.params !== undefined && !isDerNull(alg.params) : alg.params !== undefined) {
    return `bad parameters for ${s.name}`;
  }
  return s;
}
