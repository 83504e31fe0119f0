import type { FederatedTrust } from '../../trust/FederatedTrust';
import type { NodeTrustSnapshot } from '../../trust/NodeTrust';
import type { AnyFormResult, PresentedForm } from '../../verify/forms/verifyAnyForm';
import { peerSnapshotOf, type PresentedStatus } from '../../verify/workers/TrustSnapshot';
import { VerifyWorkerPool } from '../../verify/workers/VerifyWorkerPool';
import type { PooledInput } from '../../verify/workers/verifyWorker';
import type { NodeAnswerNotes, VerificationDigest } from '../../verify/nodeAnswer';

/** The trust a node verifies with at one moment: its own region's snapshot and the peers' accepted documents. */
export interface NodeVerificationTrust {
  snapshot: NodeTrustSnapshot;
  peers: FederatedTrust;
  /** When the node's recognition agreement took effect (NodeFederation.configuredAt). */
  agreementAsOf: Date;
  at: Date;
}

/**
 * A node's verifier threads (ELICENSE_VERIFY_WORKERS, ADR 0005): the VerifyWorkerPool with the node's trust
 * data. Every distinct pair (own snapshot, peers' trust) the node verifies with becomes one pool trust version,
 * sent to each worker once — the node's own rows (public parts only) and the peers' accepted documents with
 * the agreement, combined there exactly as FederatedTrust.combine does here. Full forms and QR texts go to
 * the threads; PDFs, unreadable input and presentation pointers stay where they are read.
 */
export class NodeVerifyPool {
  readonly #pool: VerifyWorkerPool;
  #current: { snapshot: NodeTrustSnapshot; peers: FederatedTrust; version: number } | undefined;

  constructor(workers: number, options: { timeoutMs?: number } = {}) {
    this.#pool = new VerifyWorkerPool({ workers, ...options });
  }

  get size(): number {
    return this.#pool.size;
  }

  /** What of a presented form a verifier thread is sent, or null when the form is verified in the calling thread. */
  static inputOf(presented: PresentedForm): PooledInput | null {
    if (presented.kind === 'full-form') return { kind: 'full-form', form: presented.form, document: presented.document };
    if (presented.kind === 'qr') return { kind: 'qr', form: presented.form, text: presented.text, ...(presented.fullForm !== undefined ? { fullForm: presented.fullForm } : {}) };
    return null;
  }

  /** Verifies `input` on a thread with the trust of `t` and the licence's prefetched status. */
  verify(input: PooledInput, t: NodeVerificationTrust, status: PresentedStatus): Promise<AnyFormResult> {
    return this.#pool.verify(input, { at: t.at, trustVersion: this.#versionOf(t), status, trustAsOf: t.snapshot.checkedAt });
  }

  /** The same, answered as the node answers it: JSON text with `notes` applied, and the result's digest. */
  verifyToJson(input: PooledInput, t: NodeVerificationTrust, status: PresentedStatus, notes: NodeAnswerNotes): Promise<{ json: string; digest: VerificationDigest }> {
    return this.#pool.verifyToJson(input, { at: t.at, trustVersion: this.#versionOf(t), status, trustAsOf: t.snapshot.checkedAt }, notes);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  #versionOf(t: NodeVerificationTrust): number {
    const c = this.#current;
    if (c && c.snapshot === t.snapshot && c.peers === t.peers) return c.version;
    const version = (c?.version ?? 0) + 1;
    this.#pool.setTrust(version, {
      kind: 'federated',
      own: { kind: 'node-records', records: t.snapshot.records, asOf: t.snapshot.checkedAt },
      ownRegionCode: t.snapshot.region?.code ?? null,
      peers: t.peers.peers.map(peerSnapshotOf),
      agreement: [...t.peers.agreement],
      agreementAsOf: t.agreementAsOf,
    });
    this.#current = { snapshot: t.snapshot, peers: t.peers, version };
    return version;
  }
}
