import { StatusBits } from '../../format/federation/StatusBits';
import type { RecognitionRule, RegionRef, TrustListDocument } from '../../format/federation/documentTypes';
import { FederatedTrust, type AcceptedPeer, type HeldStatusList } from '../../trust/FederatedTrust';
import { loadLocalTrustFile } from '../../trust/local/loadLocalTrustFile';
import { buildNodeSnapshot, type NodeTrustRecords } from '../../trust/buildNodeSnapshot';
import type { StatusAnswer, StatusQuery, TrustInputs } from '../../trust/TrustInputs';

/**
 * Trust data in a form that crosses a thread boundary (structured clone: plain
 * data, Dates, no functions, no class instances): the documents it is built
 * from, not the built lookup tables. A worker builds its TrustInputs from it
 * once per trust version (certificates parsed once there), never per request.
 */
export type TrustSnapshotSource =
  /** A local trust file (elicense/local-trust@1) as text: the CLI's and the demo's trust data. */
  | { kind: 'local-trust-file'; text: string; source?: string }
  /** A node's own region, from the rows it loaded (NodeTrust's records at one trust version). */
  | { kind: 'node-records'; records: NodeTrustRecords; asOf: Date }
  /**
   * Peer regions' accepted documents and this region's recognition agreement, combined per request with
   * the own region's data (`own`, or none) exactly as FederatedTrust.combine does for the node.
   */
  | {
      kind: 'federated';
      own: Extract<TrustSnapshotSource, { kind: 'local-trust-file' | 'node-records' }> | null;
      ownRegionCode: string | null;
      peers: PeerSnapshot[];
      agreement: RecognitionRule[];
      agreementAsOf: Date;
    };

/** An AcceptedPeer with its status lists in their compressed form (StatusBits is a class). */
export interface PeerSnapshot {
  rootSha256: string;
  region: RegionRef;
  trustList: { doc: TrustListDocument; fetchedAt: Date };
  statusLists: Array<Omit<HeldStatusList, 'bits'> & { bits: string; capacity: number }>;
}

/** The snapshot of peers accepted in this thread, for sending to a worker. */
export function peerSnapshotOf(peer: AcceptedPeer): PeerSnapshot {
  return {
    rootSha256: peer.rootSha256,
    region: peer.region,
    trustList: peer.trustList,
    statusLists: [...peer.statusLists.values()].map((l) => ({ ...l, bits: l.bits.compressed(), capacity: l.bits.capacity })),
  };
}

function acceptedPeerOf(p: PeerSnapshot): AcceptedPeer {
  return {
    rootSha256: p.rootSha256,
    region: p.region,
    trustList: p.trustList,
    statusLists: new Map(p.statusLists.map((l) => [l.listId, { ...l, bits: StatusBits.fromCompressed(l.bits, l.capacity) }])),
  };
}

/**
 * The status of one presented licence as the caller looked it up before
 * verification (the node: prefetchStatus, from its database), in a form that
 * crosses a thread boundary: the answer holds for that identifier at that
 * status slot only; every other query is not covered, as prefetchStatus's own.
 */
export interface PresentedStatus {
  identifier: string;
  statusEntry: { listId: string; index: number } | null;
  answer: StatusAnswer;
}

export function statusOfPresented(p: PresentedStatus | null | undefined): ((q: StatusQuery) => StatusAnswer) | undefined {
  if (!p) return undefined;
  return (q) =>
    q.identifier === p.identifier && q.statusEntry?.listId === p.statusEntry?.listId && q.statusEntry?.index === p.statusEntry?.index ? p.answer : { kind: 'not_covered' };
}

/**
 * Trust inputs of one request: the snapshot's, with the presented licence's status when the caller gave one, and
 * `asOf` when the caller's own data was confirmed later than the snapshot was sent (a node re-confirms its trust
 * version every second without a new version).
 */
export type BuiltTrust = (at: Date, status: PresentedStatus | null | undefined, asOf?: Date | null) => TrustInputs;

/** The own region's trust inputs of a snapshot source. */
function ownTrust(source: Extract<TrustSnapshotSource, { kind: 'local-trust-file' | 'node-records' }>): TrustInputs {
  return source.kind === 'local-trust-file' ? loadLocalTrustFile(source.text, source.source) : buildNodeSnapshot(source.records, source.asOf).trust;
}

/** `trust` with the request's status source and confirmation time (when given). */
function forRequest(trust: TrustInputs, statusOf: ((q: StatusQuery) => StatusAnswer) | undefined, asOf: Date | null | undefined): TrustInputs {
  if (!statusOf && !asOf) return trust;
  return { ...trust, ...(asOf ? { asOf } : {}), ...(statusOf ? { statusOf } : {}) };
}

/** Builds (once per trust version) what a snapshot source describes. */
export function buildTrust(source: TrustSnapshotSource): BuiltTrust {
  if (source.kind !== 'federated') {
    const trust = ownTrust(source);
    return (_at, status, asOf) => forRequest(trust, statusOfPresented(status), asOf);
  }
  const own: TrustInputs = source.own
    ? ownTrust(source.own)
    : {
        anchors: [],
        lookupDepartment: () => undefined,
        lookupTimestampAuthority: () => undefined,
        lookupSignerCertificate: () => undefined,
        source: 'no own region',
        asOf: null,
      };
  const fed = new FederatedTrust(source.peers.map(acceptedPeerOf), source.agreement);
  return (at, status, asOf) => {
    return fed.combine(forRequest(own, statusOfPresented(status), asOf), { ownRegionCode: source.ownRegionCode, at: () => at, agreementAsOf: source.agreementAsOf });
  };
}
