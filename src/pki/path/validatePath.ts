import { ElicenseError } from '../../errors';
import { certificateKeyType } from '../certificate/certificateKeyType';
import { KeyUsageName } from '../certificate/CertificateExtensions';
import { ParsedCertificate, parseCertificate } from '../certificate/ParsedCertificate';
import { checkCaProfile, checkLeafProfile } from './checkCertificateProfile';
import { checkEku, checkPathLengths, checkValidity } from './checkChainConstraints';
import { checkNameConstraints } from './checkNameConstraints';
import { PathFailure, PathValidationResult, failure } from './PathErrorCode';
import { checkSignatureCached } from './signatureCheckCache';

export type CertificateInput = ParsedCertificate | Uint8Array;

export interface PathValidationInput {
  leaf: CertificateInput;
  /** Untrusted certificates that may help build the path (any order, may contain junk). */
  intermediates: readonly CertificateInput[];
  /** Trust anchors. Each is checked as a CA certificate (validity, CA flags, constraints). */
  anchors: readonly CertificateInput[];
  time: Date;
  /** Required extended key usage OID; 'any', null or absent = no requirement. */
  eku?: string | 'any' | null;
  /** Maximum number of intermediates (self-issued ones not counted). Default 8. */
  maxDepth?: number;
  /** Key usages the leaf must assert (keyUsage extension required when non-empty). */
  leafKeyUsage?: readonly KeyUsageName[];
}

/** A path request with parsed certificates and the leaf's required EKU and key usages (what the verifier's PathCache memoises). */
export interface ParsedPathRequest {
  leaf: ParsedCertificate;
  intermediates: readonly ParsedCertificate[];
  anchors: readonly ParsedCertificate[];
  time: Date;
  eku: string;
  leafKeyUsage: readonly KeyUsageName[];
}

export const DEFAULT_MAX_DEPTH = 8;
/** Path building limits: signature verifications and candidate visits per call. */
export const MAX_SIGNATURE_CHECKS = 100;
export const MAX_CANDIDATE_VISITS = 10_000;

class BudgetExhausted extends Error {}

/** Candidates indexed by subject name key. */
function indexBySubject(certs: readonly ParsedCertificate[]): Map<string, ParsedCertificate[]> {
  const m = new Map<string, ParsedCertificate[]>();
  for (const c of certs) {
    const list = m.get(c.subject.key);
    if (list) list.push(c);
    else m.set(c.subject.key, [c]);
  }
  return m;
}

function parsePool(list: readonly CertificateInput[], skip: Set<string>): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  for (const item of list) {
    let c: ParsedCertificate;
    try {
      c = item instanceof Uint8Array ? parseCertificate(item) : item;
    } catch {
      continue; // an unparseable pool certificate simply cannot be part of a path
    }
    if (skip.has(c.fingerprint)) continue;
    skip.add(c.fingerprint);
    out.push(c);
  }
  return out;
}

const SPECIFICITY_UNTRUSTED = 0;

/**
 * RFC 5280 section 6 path validation with path building: depth-first from the
 * leaf over every candidate issuer (name match, key-id match), backtracking,
 * loop-free, bounded in depth and total work. Returns a result; never throws
 * for certificate problems.
 */
export function validatePath(input: PathValidationInput): PathValidationResult {
  const time = input.time;
  if (Number.isNaN(time.getTime())) throw new ElicenseError('INPUT_MALFORMED', 'invalid validation time');
  const maxDepth = input.maxDepth ?? DEFAULT_MAX_DEPTH;
  const hardCap = maxDepth + 4; // self-issued intermediates are free, but not unboundedly
  const eku = input.eku === undefined || input.eku === null || input.eku === 'any' ? null : input.eku;

  let leaf: ParsedCertificate;
  try {
    leaf = input.leaf instanceof Uint8Array ? parseCertificate(input.leaf) : input.leaf;
  } catch (e) {
    return { ok: false, code: 'CERT_MALFORMED', message: e instanceof Error ? e.message : 'malformed leaf', certificate: 0 };
  }
  const leafFailure =
    checkLeafProfile(leaf) ?? checkValidity(leaf, 0, time) ?? checkLeafKeyUsage(leaf, input.leafKeyUsage ?? []);
  if (leafFailure) return { ok: false, ...leafFailure };

  const seen = new Set<string>([leaf.fingerprint]);
  const anchors = indexBySubject(parsePool(input.anchors, seen));
  const intermediates = indexBySubject(parsePool(input.intermediates, seen));

  let best: PathFailure | undefined;
  let bestRank = -1;
  const record = (f: PathFailure): void => {
    const rank = f.code === 'CHAIN_UNTRUSTED' ? SPECIFICITY_UNTRUSTED : 1;
    if (rank > bestRank) {
      best = f;
      bestRank = rank;
    }
  };
  let signatureChecks = 0;
  let visits = 0;
  const path: ParsedCertificate[] = [leaf];
  const identities = new Set<string>([identity(leaf)]);

  const candidatesFor = (child: ParsedCertificate): [ParsedCertificate, boolean][] => {
    const akid = child.ext.authorityKeyId?.keyId;
    const keyOk = (c: ParsedCertificate): boolean => !akid || !c.ext.subjectKeyId || c.ext.subjectKeyId.keyId === akid;
    const a = (anchors.get(child.issuer.key) ?? []).filter(keyOk);
    const i = (intermediates.get(child.issuer.key) ?? []).filter(keyOk);
    return [...a.map((c): [ParsedCertificate, boolean] => [c, true]), ...i.map((c): [ParsedCertificate, boolean] => [c, false])];
  };

  const extend = (logicalDepth: number): ParsedCertificate[] | undefined => {
    const child = path[path.length - 1]!;
    const idx = path.length;
    const candidates = candidatesFor(child);
    if (candidates.length === 0) {
      record(failure('CHAIN_UNTRUSTED', `no trusted issuer found for certificate ${idx - 1} (${child.issuer.text})`, idx - 1));
    }
    for (const [cand, isAnchor] of candidates) {
      if (++visits > MAX_CANDIDATE_VISITS) throw new BudgetExhausted();
      if (identities.has(identity(cand))) continue;
      const depth = isAnchor || cand.selfIssued ? logicalDepth : logicalDepth + 1;
      if (!isAnchor && (depth > maxDepth || idx > hardCap)) {
        record(failure('CHAIN_TOO_LONG', `path would need more than ${maxDepth} intermediates`, idx));
        continue;
      }
      if (hasSm2Key(child) !== hasSm2Key(cand)) {
        record(failure('ALGORITHM_MIXED', `certificate ${idx - 1}: an SM2 and a non-SM2 key in one path`, idx - 1));
        continue;
      }
      const { check, fresh } = checkSignatureCached(child, cand);
      if (fresh && ++signatureChecks > MAX_SIGNATURE_CHECKS) throw new BudgetExhausted();
      if (!check.ok) {
        record(failure(check.algorithmRefused ? 'ALGORITHM_NOT_ALLOWED' : 'CHAIN_SIGNATURE_INVALID', `certificate ${idx - 1}: ${check.reason}`, idx - 1));
        continue;
      }
      const problem = checkCaProfile(cand, idx, isAnchor) ?? checkValidity(cand, idx, time);
      if (problem) {
        record(problem);
        continue;
      }
      path.push(cand);
      const id = identity(cand);
      identities.add(id);
      if (isAnchor) {
        const f = checkPathLengths(path) ?? checkNameConstraints(path) ?? checkEku(path, eku);
        if (!f) return path.slice();
        record(f);
      } else {
        const found = extend(depth);
        if (found) return found;
      }
      identities.delete(id);
      path.pop();
    }
    return undefined;
  };

  let chain: ParsedCertificate[] | undefined;
  try {
    chain = extend(0);
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) throw e;
    return { ok: false, code: 'PATH_BUILDING_LIMIT', message: 'path building exceeded its work limit' };
  }
  if (!chain) {
    const f = best ?? failure('CHAIN_UNTRUSTED', 'no path to a trust anchor', 0);
    return { ok: false, ...f };
  }
  return {
    ok: true,
    chain,
    validFrom: new Date(Math.max(...chain.map((c) => c.notBefore.getTime()))),
    validUntil: new Date(Math.min(...chain.map((c) => c.notAfter.getTime()))),
  };
}

/** True for a certificate whose key is on the SM2 curve: such a key is certified by SM2 issuers only, and certifies SM2 keys only. */
function hasSm2Key(c: ParsedCertificate): boolean {
  return c.publicKey !== null && certificateKeyType(c.publicKey) === 'sm2';
}

/** Same subject and same key = the same logical CA: never twice in one path. */
function identity(c: ParsedCertificate): string {
  return c.subject.key + '|' + Buffer.from(c.spki).toString('base64');
}

function checkLeafKeyUsage(leaf: ParsedCertificate, required: readonly KeyUsageName[]): PathFailure | undefined {
  if (required.length === 0) return undefined;
  const ku = leaf.ext.keyUsage;
  if (!ku) return failure('KEY_USAGE_NOT_ALLOWED', `leaf has no keyUsage; ${required.join(', ')} required`, 0);
  const missing = required.filter((u) => !ku.usages.has(u));
  return missing.length ? failure('KEY_USAGE_NOT_ALLOWED', `leaf keyUsage lacks ${missing.join(', ')}`, 0) : undefined;
}
