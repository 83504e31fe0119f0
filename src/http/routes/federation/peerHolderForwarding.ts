import { ElicenseError } from '../../../errors';
import { normaliseGrantCode } from '../../../holder/grantCode';
import { PRESENTATION_PREFIX, readPresentationPointer } from '../../../holder/presentationPointer';
import { decodeBase64urlStrict } from '../../../crypto/jws/decodeBase64urlStrict';
import { parseStrictJson } from '../../../json/parseStrictJson';
import { prefetchStatus } from '../../../region/verifications/NodeStatusSource';
import { licenseKeyOf, verifyPresentedForm, type AnyFormResult, type PresentedForm } from '../../../verify/forms/verifyAnyForm';
import { createVerifierCaches } from '../../../verify/verifyLicense';
import type { NodeServices } from '../../NodeServices';

/*
 * Region B's side of the holder's flows across regions (issue 15, item 5; docs/adr/0006 "Departments of peer
 * regions", docs/adr/0012): a code or a presentation QR of region A, used at region B, goes to A's node (at
 * the base URL of B's own federation configuration), and what comes back is verified by B's own verifier,
 * offline, with the trust data B holds: A's answer is never taken on its word.
 */

const caches = createVerifierCaches();

/** This node's verification of a full form received from a peer: its own trust data, no call to the issuer. */
export async function verifyReceivedFullForm(services: NodeServices, fullForm: unknown): Promise<AnyFormResult> {
  const presented: PresentedForm = { kind: 'full-form', form: 'full-form', document: fullForm };
  const { snapshot } = await services.trust.forVerification();
  const status = await prefetchStatus(services, snapshot, await licenseKeyOf(presented));
  const at = services.clock.now();
  const peers = await services.federation.peerTrust();
  const trust = peers.combine(
    { ...snapshot.trust, asOf: snapshot.checkedAt, statusOf: status.statusOf },
    { ownRegionCode: snapshot.region?.code ?? null, at: () => at, agreementAsOf: services.federation.configuredAt },
  );
  return verifyPresentedForm(presented, { trust, catalog: services.catalog, at, caches });
}

/** The region a grant code is redeemed at (its prefix), or null when the text cannot be a code. */
export function grantCodeRegion(code: string): string | null {
  return normaliseGrantCode(code)?.region ?? null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface PeerGrantRedemption {
  /** The region whose node holds the grant. */
  region: string;
  grantId: string;
  licenses: unknown[];
  licenseIdentifiers: string[];
  expiresAt: string;
  readsLeft: number;
  serviceItem: unknown;
  caseNumber: unknown;
  /** This node's own verification of each licence, in the order of `licenses`. */
  verifications: AnyFormResult[];
}

/**
 * A department of this region exchanges a holder's code of another region (its prefix names the region):
 * this node signs the request as the department (docs/adr/0006) and sends it to that region's node,
 * `POST /v1/federation/grants/redeem`, then verifies every licence that comes back itself. Refusals of the
 * grant come back with the peer's codes (GRANT_UNKNOWN, GRANT_EXPIRED, ...); the peer's refusal of this node's
 * signed request is PEER_REFUSED; PEER_UNREACHABLE when it cannot be reached. Audited here too
 * (grant.redeem.peer), the peer logs the use in the holder's log.
 */
export async function redeemGrantAtPeer(services: NodeServices, input: { code: string; uscc: string; actor: string }): Promise<PeerGrantRedemption> {
  const code = normaliseGrantCode(input.code);
  if (!code) throw new ElicenseError('GRANT_UNKNOWN', 'this is not an authorisation code');
  const answer = await services.peerClient.call({ uscc: input.uscc, peerRegion: code.region, method: 'POST', path: '/v1/federation/grants/redeem', body: { code: code.code } });
  const bad = () => new ElicenseError('PEER_ANSWER_INVALID', `region ${code.region}'s node answered the exchange with something that is not an exchange`);
  if (!isObject(answer) || typeof answer['grantId'] !== 'string' || !Array.isArray(answer['licenses']) || !Array.isArray(answer['licenseIdentifiers'])) throw bad();
  if (typeof answer['expiresAt'] !== 'string' || typeof answer['readsLeft'] !== 'number') throw bad();
  const licenses = answer['licenses'] as unknown[];
  const verifications: AnyFormResult[] = [];
  for (const fullForm of licenses) verifications.push(await verifyReceivedFullForm(services, fullForm));
  await services.stores.audit.append(services.db, [
    {
      at: services.clock.now(),
      actor: input.actor,
      action: 'grant.redeem.peer',
      subject: answer['grantId'],
      details: { region: code.region, uscc: input.uscc, licenses: verifications.map((v) => ({ identifier: v.license?.['certificateIdentifier'] ?? null, result: v.result })) },
    },
  ]);
  return {
    region: code.region,
    grantId: answer['grantId'],
    licenses,
    licenseIdentifiers: (answer['licenseIdentifiers'] as unknown[]).map(String),
    expiresAt: answer['expiresAt'],
    readsLeft: answer['readsLeft'],
    serviceItem: answer['serviceItem'] ?? null,
    caseNumber: answer['caseNumber'] ?? null,
    verifications,
  };
}

/** The region a presentation QR names (read from its payload, not yet trusted), or null when it names none. */
export function presentationRegion(text: string): string | null {
  const t = text.trim();
  if (!t.startsWith(PRESENTATION_PREFIX)) return null;
  const parts = t.slice(PRESENTATION_PREFIX.length).split('.');
  if (parts.length !== 3 || parts[1]!.length > 4096) return null;
  const bytes = decodeBase64urlStrict(parts[1]!);
  if (!bytes) return null;
  try {
    const p = parseStrictJson(bytes, { maxBytes: 4096, maxDepth: 4 });
    const region = isObject(p) ? p['region'] : undefined;
    return typeof region === 'string' && /^\d{6}$/.test(region) ? region : null;
  } catch {
    return null;
  }
}

export interface PeerPresentation {
  region: string;
  fullForm: unknown;
  identifier: string | null;
  status: string | null;
  presentedAt: string | null;
  presentationId: string | null;
  /** This node's own verification of the presented licence. */
  verification: AnyFormResult;
}

/**
 * A holder of region A shows a presentation QR at a window of this region: the pointer's signature is checked
 * under A's pinned root (the root of A's trust list this node accepted; trust-list-signing EKU) before anything
 * is sent, then it is resolved once at A's node (its public `POST /v1/presentations/redeem`, at the base URL of
 * this node's configuration), and the full form that comes back is verified here. PRESENTATION_INVALID for a
 * pointer that does not hold, PEER_NOT_RECOGNISED for a region that is not a peer, PRESENTATION_EXPIRED past
 * its time; A's refusals (PRESENTATION_USED, ...) come back with their codes.
 */
export async function redeemPresentationAtPeer(services: NodeServices, presentation: string): Promise<PeerPresentation> {
  const region = presentationRegion(presentation);
  if (region === null) throw new ElicenseError('PRESENTATION_INVALID', 'not a presentation QR (LP1:…) naming a region');
  const own = (await services.trust.current()).region?.code ?? null;
  if (region === own) throw new ElicenseError('PRESENTATION_INVALID', "a presentation of this node's own region: redeem it here (POST /v1/presentations/redeem)");
  const peer = (await services.federation.peerTrust()).peers.find((p) => p.region.code === region);
  if (!peer) throw new ElicenseError('PEER_NOT_RECOGNISED', `region ${region} is not a peer of this node: its presentations cannot be checked here`);
  const now = services.clock.now();
  const { pointer } = readPresentationPointer(presentation, { root: new Uint8Array(Buffer.from(peer.trustList.doc.rootCertificate, 'base64')), at: now });
  if (pointer.region !== region) throw new ElicenseError('PRESENTATION_INVALID', 'the pointer names another region than it was read for');
  if (pointer.exp * 1000 <= now.getTime()) throw new ElicenseError('PRESENTATION_EXPIRED', `the presentation expired at ${new Date(pointer.exp * 1000).toISOString()}: ask the holder to present again`);
  const answer = await services.peerClient.call({ peerRegion: region, method: 'POST', path: '/v1/presentations/redeem', body: { presentation: presentation.trim() } });
  if (!isObject(answer) || !isObject(answer['fullForm'])) throw new ElicenseError('PEER_ANSWER_INVALID', `region ${region}'s node answered the presentation without a full form`);
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    region,
    fullForm: answer['fullForm'],
    identifier: str(answer['identifier']),
    status: str(answer['status']),
    presentedAt: str(answer['presentedAt']),
    presentationId: str(answer['presentationId']),
    verification: await verifyReceivedFullForm(services, answer['fullForm']),
  };
}

/**
 * For `POST /v1/grants/redeem` (a department of this region, API key): null when the code is this region's
 * (or no code at all: the local exchange answers it), else the exchange at the region its prefix names,
 * made as the calling department and verified here (redeemGrantAtPeer).
 */
export async function forwardGrantIfForeign(services: NodeServices, code: string, caller: { uscc: string; keyId: string }): Promise<PeerGrantRedemption | null> {
  const region = grantCodeRegion(code);
  const own = (await services.trust.current()).region?.code ?? null;
  if (region === null || region === own) return null;
  return redeemGrantAtPeer(services, { code, uscc: caller.uscc, actor: caller.keyId });
}

/**
 * For `POST /v1/presentations/redeem` (a verifier of this region): null when the QR is this region's (or names
 * no region: the local route answers it), else the presentation resolved at its region's node and verified
 * here (redeemPresentationAtPeer).
 */
export async function forwardPresentationIfForeign(services: NodeServices, presentation: string): Promise<PeerPresentation | null> {
  const region = presentationRegion(presentation);
  const own = (await services.trust.current()).region?.code ?? null;
  if (region === null || region === own) return null;
  return redeemPresentationAtPeer(services, presentation);
}
