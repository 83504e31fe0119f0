import type { Clock } from '../../clock';
import { readBoundedBody } from './readBoundedBody';
import { ERROR_CODES, ElicenseError, type ErrorCode } from '../../errors';
import { parseStrictJson } from '../../json/parseStrictJson';
import type { Database } from '../../store/Database';
import type { NodeTrust } from '../../trust/NodeTrust';
import { REQUEST_SIGNATURE_HEADER, signDepartmentRequest, type RequestMethod } from '../../trust/peer/departmentRequest';
import type { RegionSigners } from '../RegionSigners';
import type { NodeFederation } from './NodeFederation';

export interface PeerDepartmentClientDeps {
  db: Database;
  clock: Clock;
  random: (size: number) => Uint8Array;
  signers: Pick<RegionSigners, 'departmentSigner'>;
  trust: Pick<NodeTrust, 'current'>;
  federation: Pick<NodeFederation, 'config' | 'peerTrust'>;
  fetch?: typeof fetch;
}

/** A call a department of this region makes to a peer region's node. */
export interface PeerDepartmentCall {
  /** The department of this region on whose behalf the node signs (its node-held licence-signing key); absent: an unsigned call to a public route. */
  uscc?: string;
  /** The region called: a configured peer; its base URL comes from this node's federation configuration, never from input. */
  peerRegion: string;
  method: RequestMethod;
  /** Path and query under the peer's base URL, e.g. /v1/federation/caller. */
  path: string;
  /** A JSON body (undefined: none). */
  body?: unknown;
}

export interface PeerAnswer {
  status: number;
  /** The parsed JSON answer (a problem document when status is not 2xx). */
  body: unknown;
  /** The peer's base URL the call went to. */
  baseUrl: string;
}

/** The peer's codes that say its node refused ours (not the department's business): PEER_REFUSED here. */
const AUTH_CODES: ReadonlySet<string> = new Set([
  'REQUEST_SIGNATURE_MISSING',
  'REQUEST_SIGNATURE_INVALID',
  'REQUEST_EXPIRED',
  'REQUEST_REPLAYED',
  'PEER_NOT_RECOGNISED',
  'DEPARTMENT_NOT_LISTED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'AUTHENTICATION_THROTTLED',
]);

/**
 * Region B's side of "Departments of peer regions" (docs/adr/0006): signs a
 * request for one of this region's departments with the department's
 * licence-signing key (held by this node) and sends it to the peer region's
 * node at the base URL this node's federation configuration gives for it,
 * with the configured timeout over the whole exchange and a cap on the
 * answer (the federation's maxDocumentBytes), read as it arrives.
 */
export class PeerDepartmentClient {
  constructor(private readonly deps: PeerDepartmentClientDeps) {}

  /** The configured base URL of a peer region: by its configured region code, else by the region its accepted trust list names. */
  async baseUrlOf(peerRegion: string): Promise<string> {
    const { config } = this.deps.federation;
    const own = (await this.deps.trust.current()).region?.code ?? null;
    if (peerRegion === own) throw new ElicenseError('PEER_NOT_RECOGNISED', `region ${peerRegion} is this node's own region`);
    const configured = config.peers.find((p) => p.regionCode === peerRegion);
    if (configured) return configured.baseUrl;
    const accepted = (await this.deps.federation.peerTrust()).peers.find((p) => p.region.code === peerRegion);
    const peer = accepted ? config.peers.find((p) => p.rootSha256 === accepted.rootSha256) : undefined;
    if (!peer) throw new ElicenseError('PEER_NOT_RECOGNISED', `region ${peerRegion} is not a peer of this node (not configured, or its trust list not accepted yet)`);
    return peer.baseUrl;
  }

  /** Signs and sends; answers the peer's status and JSON body, whatever the status (callers judge it). */
  async send(call: PeerDepartmentCall): Promise<PeerAnswer> {
    const { federation } = this.deps;
    const baseUrl = await this.baseUrlOf(call.peerRegion);
    const signature = call.uscc === undefined ? null : await this.#sign({ ...call, uscc: call.uscc });
    const url = baseUrl + call.path;
    const doFetch = this.deps.fetch ?? fetch;
    const signal = AbortSignal.timeout(federation.config.requestTimeoutMs);
    const unreachable = (e: unknown) =>
      new ElicenseError('PEER_UNREACHABLE', `region ${call.peerRegion}'s node at ${baseUrl} ${signal.aborted ? `did not answer within ${federation.config.requestTimeoutMs} ms` : `cannot be reached (${e instanceof Error ? e.message : String(e)})`}`);
    let res: Response;
    try {
      res = await doFetch(url, {
        method: call.method,
        headers: { accept: 'application/json', ...(signature !== null ? { [REQUEST_SIGNATURE_HEADER]: signature } : {}), ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
        signal,
        redirect: 'error',
      });
    } catch (e) {
      throw unreachable(e);
    }
    const max = federation.config.maxDocumentBytes;
    const invalidAnswer = (why: string) => new ElicenseError('PEER_ANSWER_INVALID', `region ${call.peerRegion}'s node answered ${call.method} ${call.path} with ${why}`);
    const bytes = await readBoundedBody(res, max, (why) => (why.kind === 'too-large' ? invalidAnswer(`more than ${max} bytes`) : unreachable(why.cause)));
    if (!/json/i.test(res.headers.get('content-type') ?? '')) throw invalidAnswer(`HTTP ${res.status} and no JSON`);
    let body: unknown;
    try {
      body = parseStrictJson(bytes, { maxBytes: max, maxDepth: 64 });
    } catch {
      throw invalidAnswer(`HTTP ${res.status} and unreadable JSON`);
    }
    return { status: res.status, body, baseUrl };
  }

  async #sign(call: PeerDepartmentCall & { uscc: string }): Promise<string> {
    const { db, clock, random, signers, trust } = this.deps;
    const snapshot = await trust.current();
    const region = snapshot.region?.code;
    if (!region) throw new ElicenseError('REGION_NOT_SET_UP', 'this node has no region yet');
    const department = snapshot.departments.get(call.uscc);
    if (!department) throw new ElicenseError('DEPARTMENT_NOT_FOUND', `department ${call.uscc} is not a department of this region`);
    if (department.state !== 'active') throw new ElicenseError('DEPARTMENT_NOT_ACTIVE', `department ${call.uscc} is ${department.state}`);
    const at = clock.now();
    const signer = await signers.departmentSigner(db, call.uscc, at, snapshot.version);
    return signDepartmentRequest(signer, { method: call.method, path: call.path, body: call.body, region, uscc: call.uscc, audience: call.peerRegion, at, nonce: random(16) });
  }

  /**
   * Signs, sends and answers the peer's JSON on success (2xx). A refusal of
   * this node's signed request (the peer's REQUEST_*, PEER_NOT_RECOGNISED,
   * DEPARTMENT_NOT_LISTED, ...) is PEER_REFUSED with the peer's code in
   * details.peerCode; another stable code of the peer is passed on as it is
   * (GRANT_EXPIRED stays GRANT_EXPIRED); anything else is PEER_ANSWER_INVALID.
   */
  async call(call: PeerDepartmentCall): Promise<unknown> {
    const answer = await this.send(call);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const problem = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as { code?: unknown; detail?: unknown };
    const code = typeof problem.code === 'string' ? problem.code : null;
    const detail = typeof problem.detail === 'string' ? problem.detail.slice(0, 500) : '';
    const from = `region ${call.peerRegion}'s node`;
    if (code !== null && AUTH_CODES.has(code)) throw new ElicenseError('PEER_REFUSED', `${from} refused this node's signed request: ${code} ${detail}`.trim(), { peerCode: code });
    if (code !== null && (ERROR_CODES as readonly string[]).includes(code) && answer.status < 500) throw new ElicenseError(code as ErrorCode, `${from}: ${detail}`);
    throw new ElicenseError('PEER_ANSWER_INVALID', `${from} answered HTTP ${answer.status}${code ? ` ${code}` : ''} ${detail}`.trim());
  }
}
