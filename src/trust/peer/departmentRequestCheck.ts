import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../clock';
import { keyIdForCertificate } from '../../crypto/keyIdForCertificate';
import { decodeProtectedHeader, verifyCompactJws } from '../../crypto/jws';
import { decodeBase64Strict, decodeBase64urlStrict } from '../../crypto/jws/decodeBase64urlStrict';
import { ElicenseError, type ErrorCode } from '../../errors';
import type { TrustListDepartment } from '../../format/federation/documentTypes';
import { parseStrictJson } from '../../json/parseStrictJson';
import { parseCertificate, type ParsedCertificate } from '../../pki/certificate/ParsedCertificate';
import { departmentIdentityOf } from '../../pki/departmentIdentity';
import { OID } from '../../pki/oids';
import { validatePath } from '../../pki/path/validatePath';
import type { Database } from '../../store/Database';
import type { RequestNonceStore } from '../../store/RequestNonceStore';
import type { AcceptedPeer, FederatedTrust } from '../FederatedTrust';
import {
  MAX_REQUEST_LIFETIME_SECONDS,
  REQUEST_CLOCK_SKEW_SECONDS,
  REQUEST_JWS_TYP,
  REQUEST_METHODS,
  requestBodyDigest,
  type DepartmentRequestClaims,
} from './departmentRequest';
import { trustListExpiresAt } from './trustListTerms';

/** Who called: a department of a peer region, as that region's trust list (held by this node) lists it. */
export interface PeerDepartmentCaller {
  /** The department's region (a configured peer). */
  region: string;
  regionName: string;
  uscc: string;
  /** The department's name in its region's trust list. */
  name: string;
  /** Key id of the certificate the request was signed with (keyIdForCertificate). */
  keyId: string;
  /** The request's jti and until when it had to be taken once. */
  jti: string;
  expiresAt: Date;
}

/** A request as this node received it. */
export interface PresentedRequest {
  /** The Elicense-Request-Signature header (undefined: absent). */
  signature: string | undefined;
  method: string;
  /** Path and query as received (Express originalUrl). */
  path: string;
  /** The parsed JSON body (undefined: none). */
  body: unknown;
}

/** A signed request is a few certificates and a small payload: anything larger is not one. */
const MAX_SIGNATURE_LENGTH = 64 * 1024;
const MAX_CHAIN = 6;
const CLAIM_NAMES = ['aud', 'bodyDigest', 'exp', 'iat', 'jti', 'method', 'path', 'region', 'uscc'];

const refuse = (code: ErrorCode, message: string): never => {
  throw new ElicenseError(code, message);
};
const invalid = (message: string): never => refuse('REQUEST_SIGNATURE_INVALID', message);
const missingSignature = (): ElicenseError =>
  new ElicenseError('REQUEST_SIGNATURE_MISSING', 'this route is for departments of peer regions: the request must carry Elicense-Request-Signature, made by their node');

/** A peer's trust list indexed for request checks, built once per FederatedTrust (which is rebuilt when peer documents change). */
interface PeerIndex {
  peer: AcceptedPeer;
  root: ParsedCertificate;
  departments: Map<string, TrustListDepartment>;
}
const indexes = new WeakMap<FederatedTrust, Map<string, PeerIndex>>();

function peerIndex(trust: FederatedTrust, region: string): PeerIndex | undefined {
  let byRegion = indexes.get(trust);
  if (!byRegion) {
    byRegion = new Map();
    indexes.set(trust, byRegion);
  }
  const hit = byRegion.get(region);
  if (hit) return hit;
  const peer = trust.peers.find((p) => p.region.code === region);
  if (!peer) return undefined;
  const root = parseCertificate(new Uint8Array(Buffer.from(peer.trustList.doc.rootCertificate, 'base64')));
  // The gate accepted the list only under the pinned root; checked again here, cheaply, since everything below rests on it.
  if (root.fingerprint !== peer.rootSha256) return undefined;
  const index: PeerIndex = { peer, root, departments: new Map(peer.trustList.doc.departments.map((d) => [d.uscc, d])) };
  byRegion.set(region, index);
  return index;
}

function readClaims(payloadB64: string): DepartmentRequestClaims {
  const bytes = decodeBase64urlStrict(payloadB64);
  if (bytes === undefined) return invalid('the signed request payload is not base64url');
  let doc: unknown;
  try {
    doc = parseStrictJson(bytes, { maxBytes: 8 * 1024, maxDepth: 2 });
  } catch {
    return invalid('the signed request payload is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return invalid('the signed request payload is not an object');
  const c = doc as Record<string, unknown>;
  const names = Object.keys(c).sort();
  if (names.join() !== CLAIM_NAMES.join()) return invalid(`the signed request payload has exactly ${CLAIM_NAMES.join(', ')}`);
  const text = (name: string, pattern: RegExp): string => {
    const v = c[name];
    return typeof v === 'string' && pattern.test(v) ? v : invalid(`the signed request's ${name} is malformed`);
  };
  const seconds = (name: string): number => {
    const v = c[name];
    return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : invalid(`the signed request's ${name} is not a time in seconds`);
  };
  const method = text('method', /^[A-Z]{3,6}$/);
  if (!(REQUEST_METHODS as readonly string[]).includes(method)) invalid(`the signed request's method ${method} is not one of ${REQUEST_METHODS.join(', ')}`);
  return {
    method: method as DepartmentRequestClaims['method'],
    path: text('path', /^\/[\x21-\x7e]{0,2047}$/),
    bodyDigest: text('bodyDigest', /^[A-Za-z0-9_-]{43}$/),
    region: text('region', /^[1-9][0-9]{5}$/),
    uscc: text('uscc', /^[0-9A-Z]{18}$/),
    aud: text('aud', /^[1-9][0-9]{5}$/),
    iat: seconds('iat'),
    exp: seconds('exp'),
    jti: text('jti', /^[A-Za-z0-9_-]{22,86}$/),
  };
}

function readChain(x5c: unknown): ParsedCertificate[] {
  if (!Array.isArray(x5c) || x5c.length < 1 || x5c.length > MAX_CHAIN || !x5c.every((c) => typeof c === 'string')) {
    return invalid('x5c must hold the department certificate and its intermediates');
  }
  try {
    return x5c.map((c: string) => {
      const der = decodeBase64Strict(c);
      if (!der) throw new Error('not base64');
      return parseCertificate(new Uint8Array(der));
    });
  } catch {
    return invalid('x5c does not hold readable certificates');
  }
}

/**
 * Whether a request comes from a department of a peer region, without any
 * I/O: the first check that fails decides, with its stable code.
 *
 *  1. no signature → REQUEST_SIGNATURE_MISSING
 *  2. not a compact JWS of typ elicense-request+jws with x5c, a payload of
 *     exactly the nine claims → REQUEST_SIGNATURE_INVALID
 *  3. the claimed region is this region, or no configured peer with an
 *     accepted trust list → PEER_NOT_RECOGNISED
 *  4. aud not this region → REQUEST_SIGNATURE_INVALID
 *  5. no valid path now from the x5c certificate to that peer's pinned root,
 *     with the licence-signing EKU and digitalSignature; kid not that
 *     certificate's; signature; USCC in the certificate not the claimed one
 *     → REQUEST_SIGNATURE_INVALID
 *  6. the peer's trust list as held here past its grace, the department not
 *     listed or not active, the certificate not listed for it as active
 *     → DEPARTMENT_NOT_LISTED
 *  7. exp - iat not within 1..300 s → REQUEST_SIGNATURE_INVALID; iat more
 *     than the clock skew ahead, or now past exp plus the skew → REQUEST_EXPIRED
 *  8. method, path or body digest not those of the request received
 *     → REQUEST_SIGNATURE_INVALID
 *
 * The jti is then taken once (DepartmentRequestAuthenticator).
 */
export function checkDepartmentRequest(req: PresentedRequest, ctx: { peers: FederatedTrust; ownRegion: string | null; at: Date }): PeerDepartmentCaller {
  const jws = req.signature?.trim();
  if (jws === undefined || jws === '') throw missingSignature();
  if (jws.length > MAX_SIGNATURE_LENGTH) return invalid('the signed request is too long');
  const parts = jws.split('.');
  if (parts.length !== 3) return invalid('the signed request is not a compact JWS');
  const head = decodeProtectedHeader(parts[0]!);
  if (!head.ok) return invalid(`the signed request's header: ${head.message}`);
  if (head.header['typ'] !== REQUEST_JWS_TYP) return invalid(`the signed request's typ must be ${REQUEST_JWS_TYP}`);
  const chain = readChain(head.header['x5c']);
  const claims = readClaims(parts[1]!);

  if (ctx.ownRegion !== null && claims.region === ctx.ownRegion) return refuse('PEER_NOT_RECOGNISED', `region ${claims.region} is this node's own region, not a peer`);
  const index = peerIndex(ctx.peers, claims.region);
  if (!index) return refuse('PEER_NOT_RECOGNISED', `region ${claims.region} is not a peer of this node (none configured, or no trust list of it accepted yet)`);
  if (ctx.ownRegion === null || claims.aud !== ctx.ownRegion) return invalid(`the request was signed for region ${claims.aud}, not for this node's region`);

  const leaf = chain[0]!;
  const path = validatePath({ leaf, intermediates: chain.slice(1), anchors: [index.root], time: ctx.at, eku: OID.ekuLicenseSigning, leafKeyUsage: ['digitalSignature'] });
  if (!path.ok) return invalid(`the signing certificate has no valid path to the pinned root of region ${claims.region} (${path.code}: ${path.message})`);
  const keyId = keyIdForCertificate(leaf.der);
  if (head.header['kid'] !== keyId) return invalid('kid does not name the x5c certificate');
  const key: KeyObject | null = leaf.publicKey;
  if (!key) return invalid('the signing certificate holds no usable public key');
  const verified = verifyCompactJws(jws, () => key, { maxLength: MAX_SIGNATURE_LENGTH });
  if (!verified.ok) return invalid(`the request signature does not verify (${verified.code})`);
  if (departmentIdentityOf(leaf).uscc !== claims.uscc) return invalid(`the signing certificate is not that of department ${claims.uscc}`);

  const list = index.peer.trustList.doc;
  const listExpired = trustListExpiresAt(list);
  if (ctx.at > listExpired) return refuse('DEPARTMENT_NOT_LISTED', `this node's trust list of region ${claims.region} expired at ${listExpired.toISOString()}: it vouches for no department until the next sync`);
  const department = index.departments.get(claims.uscc);
  if (!department) return refuse('DEPARTMENT_NOT_LISTED', `region ${claims.region}'s trust list (sequence ${list.sequence}) does not list department ${claims.uscc}`);
  if (department.state !== 'active') return refuse('DEPARTMENT_NOT_LISTED', `region ${claims.region}'s trust list (sequence ${list.sequence}) lists department ${claims.uscc} as ${department.state}`);
  const listed = department.certificates.find((c) => Buffer.from(c.certificate, 'base64').equals(Buffer.from(leaf.der)));
  if (!listed || listed.state !== 'active') {
    return refuse('DEPARTMENT_NOT_LISTED', `region ${claims.region}'s trust list (sequence ${list.sequence}) does not list this certificate as active for department ${claims.uscc}${listed ? ` (it is ${listed.state})` : ''}`);
  }

  const lifetime = claims.exp - claims.iat;
  if (lifetime < 1 || lifetime > MAX_REQUEST_LIFETIME_SECONDS) return invalid(`a signed request lives 1 to ${MAX_REQUEST_LIFETIME_SECONDS} s, this one ${lifetime} s`);
  const now = ctx.at.getTime() / 1000;
  if (claims.iat > now + REQUEST_CLOCK_SKEW_SECONDS) return refuse('REQUEST_EXPIRED', `the request was signed ${Math.round(claims.iat - now)} s ahead of this node's clock (more than ${REQUEST_CLOCK_SKEW_SECONDS} s)`);
  if (now >= claims.exp + REQUEST_CLOCK_SKEW_SECONDS) return refuse('REQUEST_EXPIRED', `the signed request expired at ${new Date(claims.exp * 1000).toISOString()}`);

  if (claims.method !== req.method.toUpperCase()) return invalid(`the request was signed for ${claims.method}, not ${req.method.toUpperCase()}`);
  if (claims.path !== req.path) return invalid('the request was signed for another path');
  let digest: string;
  try {
    digest = requestBodyDigest(req.body);
  } catch {
    return invalid('the request body cannot be digested');
  }
  if (claims.bodyDigest !== digest) return invalid('the request body is not the one signed');

  return {
    region: claims.region,
    regionName: list.region.name,
    uscc: claims.uscc,
    name: department.name,
    keyId,
    jti: claims.jti,
    expiresAt: new Date((claims.exp + REQUEST_CLOCK_SKEW_SECONDS) * 1000),
  };
}

export interface DepartmentRequestAuthenticatorDeps {
  db: Database;
  nonces: RequestNonceStore;
  clock: Clock;
  /** The peers' trust data as this node holds it (NodeFederation.peerTrust). */
  peerTrust(): Promise<FederatedTrust>;
  /** This node's region code (null before the region is set up). */
  ownRegion(): Promise<string | null>;
}

/** Rows past their use are deleted at most this often, by whichever request comes. */
const PURGE_EVERY_MS = 60_000;

/**
 * Authenticates a department of a peer region (checkDepartmentRequest), then
 * takes the request's jti once for the whole node (request_nonces): a second
 * use is REQUEST_REPLAYED. Expired rows are deleted as requests come.
 */
export class DepartmentRequestAuthenticator {
  #lastPurge = 0;

  constructor(private readonly deps: DepartmentRequestAuthenticatorDeps) {}

  async authenticate(req: PresentedRequest): Promise<PeerDepartmentCaller> {
    const { db, nonces, clock } = this.deps;
    // Unsigned: refused before the peers' trust data is even read.
    if (req.signature === undefined || req.signature.trim() === '') throw missingSignature();
    const at = clock.now();
    const caller = checkDepartmentRequest(req, { peers: await this.deps.peerTrust(), ownRegion: await this.deps.ownRegion(), at });
    if (at.getTime() - this.#lastPurge >= PURGE_EVERY_MS) {
      this.#lastPurge = at.getTime();
      await nonces.purge(db, at);
    }
    const fresh = await nonces.take(db, { region: caller.region, jti: caller.jti, uscc: caller.uscc, seenAt: at, keepUntil: caller.expiresAt });
    if (!fresh) throw new ElicenseError('REQUEST_REPLAYED', `this signed request (jti ${caller.jti}) was used before`);
    return caller;
  }
}
