import type { KeyObject } from 'node:crypto';
import { decodeDetachedJws, type DecodedJws } from '../crypto/jws';
import { keyMatchesAlgorithm, type JwsAlgorithm } from '../crypto/algorithms';
import { keyIdForCertificate } from '../crypto/keyIdForCertificate';
import { isElicenseError } from '../errors';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate/ParsedCertificate';
import { LICENSE_JWS_TYPE } from '../format/FullForm';
import type { ReasonCode } from '../format/reasonCodes';

/** Beyond this many x5c entries we do not even parse: no real chain is longer. */
export const MAX_X5C_ENTRIES = 10;

/** Everything about a signature that depends only on who signed it (alg, kid, x5c). */
export interface SignerEntry {
  algorithm: JwsAlgorithm;
  keyId: string;
  leaf: ParsedCertificate;
  intermediates: ParsedCertificate[];
  publicKey: KeyObject;
}

export type SignerLookup =
  | { ok: true; entry: SignerEntry; decoded: DecodedJws; signingTime: Date }
  | { ok: false; check: 'signature' | 'chain'; code: ReasonCode; detail: string };

/**
 * Decodes a detached JWS and resolves its signer certificate, memoising the
 * signer-dependent part (certificate parsing, key import, kid and algorithm
 * checks) by alg, kid and the exact x5c strings. Every licence of a department
 * carries the same x5c, so after the first one the cost is a map lookup by alg
 * and kid and a comparison of the x5c strings with the ones held (a key made of
 * the whole ~3 KB chain was hashed afresh for every licence: 4 µs a lookup);
 * the per-licence parts of the header (sigT) are read on every call.
 * Bounded: at most `capacity` signers, least-recently-inserted evicted first,
 * and at most VARIANTS_PER_KID chains under one alg and kid.
 */
export class SignerCache {
  /** By `alg|kid`: the chains seen under it, oldest first, each with what was built from it. */
  private readonly entries = new Map<string, Array<{ x5c: readonly string[]; entry: SignerEntry }>>();
  private count = 0;

  constructor(private readonly capacity = 2048) {}

  lookup(jws: string): SignerLookup {
    const decoded = decodeDetachedJws(jws);
    if (!decoded.ok) return { ok: false, check: 'signature', code: decoded.code, detail: decoded.message };
    const h = decoded.header;
    if (h['typ'] !== LICENSE_JWS_TYPE) {
      return { ok: false, check: 'signature', code: 'JWS_MALFORMED', detail: `typ must be ${LICENSE_JWS_TYPE}` };
    }
    const sigT = h['sigT'];
    const signingTime = typeof sigT === 'string' && SIGT_FORMAT.test(sigT) ? new Date(sigT) : null;
    if (!signingTime || Number.isNaN(signingTime.getTime())) {
      return { ok: false, check: 'signature', code: 'SIGNING_TIME_INVALID', detail: 'sigT must be an ISO 8601 UTC time' };
    }
    const x5c = h['x5c'];
    const kid = h['kid'];
    const key = typeof kid === 'string' && Array.isArray(x5c) ? `${decoded.algorithm}|${kid}` : undefined;
    const held = key === undefined ? undefined : this.entries.get(key);
    const cached = held?.find((v) => sameStrings(v.x5c, x5c as unknown[]));
    if (cached) return { ok: true, entry: cached.entry, decoded, signingTime };
    const built = buildEntry(decoded);
    if (!built.ok) return built;
    this.#remember(key!, x5c as string[], built.entry);
    return { ok: true, entry: built.entry, decoded, signingTime };
  }

  #remember(key: string, x5c: readonly string[], entry: SignerEntry): void {
    let held = this.entries.get(key);
    if (held && held.length >= Math.min(VARIANTS_PER_KID, this.capacity)) {
      held.shift();
      this.count--;
    }
    for (const [k, list] of this.entries) {
      if (this.count < this.capacity) break;
      if (k === key) continue;
      this.count -= list.length;
      this.entries.delete(k);
    }
    if (!held) {
      held = [];
      this.entries.set(key, held);
    }
    held.push({ x5c: [...x5c], entry });
    this.count++;
  }

  /** Signers held (tests check the bounds with it). */
  get size(): number {
    return this.count;
  }
}

/** Chains held under one alg and kid: a rotated intermediate, or a forger's variants, cannot crowd out others. */
export const VARIANTS_PER_KID = 4;

function sameStrings(held: readonly string[], x5c: readonly unknown[]): boolean {
  if (held.length !== x5c.length) return false;
  for (let i = 0; i < held.length; i++) if (held[i] !== x5c[i]) return false;
  return true;
}

const SIGT_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function buildEntry(decoded: DecodedJws): { ok: true; entry: SignerEntry } | Extract<SignerLookup, { ok: false }> {
  const h = decoded.header;
  const kid = h['kid'];
  if (typeof kid !== 'string') return { ok: false, check: 'signature', code: 'JWS_MALFORMED', detail: 'kid missing' };
  const x5c = h['x5c'];
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => typeof c === 'string')) {
    return { ok: false, check: 'signature', code: 'JWS_MALFORMED', detail: 'x5c must be a non-empty array of base64 certificates' };
  }
  if (x5c.length > MAX_X5C_ENTRIES) {
    return { ok: false, check: 'chain', code: 'CHAIN_TOO_LONG', detail: `x5c has ${x5c.length} certificates; at most ${MAX_X5C_ENTRIES} are read` };
  }
  let certs: ParsedCertificate[];
  try {
    certs = (x5c as string[]).map((b64) => {
      // RFC 7515 4.1.6: standard base64 (not base64url) DER.
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new TypeError('x5c entry is not base64');
      return parseCertificate(Buffer.from(b64, 'base64'));
    });
  } catch (e) {
    return { ok: false, check: 'chain', code: 'CERT_MALFORMED', detail: isElicenseError(e) ? e.message : 'x5c certificate unreadable' };
  }
  const leaf = certs[0]!;
  if (!leaf.publicKey) {
    return { ok: false, check: 'signature', code: 'ALGORITHM_KEY_MISMATCH', detail: `signer key refused: ${leaf.publicKeyProblem ?? 'unsupported'}` };
  }
  if (keyIdForCertificate(leaf.der) !== kid) {
    return { ok: false, check: 'signature', code: 'KEY_ID_MISMATCH', detail: 'kid is not the key id of the x5c signer certificate' };
  }
  const algorithm = decoded.algorithm;
  if (!keyMatchesAlgorithm(algorithm, leaf.publicKey)) {
    return { ok: false, check: 'signature', code: 'ALGORITHM_KEY_MISMATCH', detail: `alg ${algorithm} does not match the certificate key` };
  }
  return {
    ok: true,
    entry: {
      algorithm,
      keyId: kid,
      leaf,
      intermediates: certs.slice(1),
      publicKey: leaf.publicKey,
    },
  };
}
