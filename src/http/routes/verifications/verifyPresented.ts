import { ElicenseError } from '../../../errors';
import type { FederatedTrust } from '../../../trust/FederatedTrust';
import type { NodeTrustSnapshot } from '../../../trust/NodeTrust';
import { licenseKeyOf, verifyPresentedForm, type AnyFormResult, type PresentedForm } from '../../../verify/forms/verifyAnyForm';
import { createVerifierCaches } from '../../../verify/verifyLicense';
import { prefetchStatus, type PrefetchedStatus } from '../../../region/verifications/NodeStatusSource';
import type { NodeServices } from '../../NodeServices';
import { NodeVerifyPool, type NodeVerificationTrust } from '../../../region/verifications/NodeVerifyPool';
import { applyNodeAnswerNotes, verificationDigest, type NodeAnswerNotes, type VerificationDigest } from '../../../verify/nodeAnswer';

/**
 * The trust inputs of one verification request, read once: the region's own (from the database, or its last
 * good copy), the peers' (from their last accepted documents), and the time the licences are judged at.
 * A batch reads them once for all its items.
 */
export interface VerificationMoment {
  snapshot: NodeTrustSnapshot;
  /** The database could not be read: the snapshot is the last good copy. */
  stale: boolean;
  peers: FederatedTrust;
  at: Date;
}

const label = (value: unknown, known: (v: string) => boolean): string => (typeof value === 'string' && known(value) ? value : 'other');

/**
 * What POST /v1/verifications does with one presented form, shared by the single route and the batch route so
 * that both answer alike: the licence status looked up first (the verifier itself is pure), the form verified
 * with the node's trust inputs and warm caches, then counted in the metrics and the statistics.
 */
export class PresentedVerifier {
  readonly #caches = createVerifierCaches();

  constructor(private readonly services: NodeServices) {}

  /** The trust inputs for the verifications of one request. No call to any issuer. */
  async moment(): Promise<VerificationMoment> {
    const { snapshot, stale } = await this.services.trust.forVerification();
    const at = this.services.clock.now();
    const peers = await this.services.federation.peerTrust();
    return { snapshot, stale, peers, at };
  }

  /**
   * The status of the licence a presented form names, looked up before the (pure) verifier runs. A batch
   * asks for all its items together: lookups that arrive together share the database's change counter read.
   */
  async status(presented: PresentedForm, moment: VerificationMoment): Promise<PrefetchedStatus> {
    return prefetchStatus(this.services, moment.snapshot, await licenseKeyOf(presented));
  }

  /**
   * Verifies one presented form as of `moment` and counts it. Throws INPUT_TOO_LARGE when a form other than
   * a full form meets its own size cap (the same answer as the upload limit); anything else is a result.
   * `prefetched`: its status from status() (else looked up here).
   */
  async verify(presented: PresentedForm, moment: VerificationMoment, prefetched?: PrefetchedStatus): Promise<AnyFormResult> {
    const { services } = this;
    const status = prefetched ?? (await this.status(presented, moment));
    // On the node's verifier threads when it has them (ELICENSE_VERIFY_WORKERS): the same answer, off this thread.
    const pooled = services.verifyPool ? NodeVerifyPool.inputOf(presented) : null;
    const result = pooled ? await services.verifyPool!.verify(pooled, this.#trustOf(moment), status.presented) : await this.#verifyHere(presented, moment, status);
    const digest = verificationDigest(result);
    this.#refuseTooLarge(presented, digest);
    applyNodeAnswerNotes(result, { statusUnavailable: status.unavailable, trustStale: moment.stale });
    this.#count(digest, moment);
    return result;
  }

  /**
   * The same verification as the answer's JSON text (what POST /v1/verifications sends). On verifier threads
   * the result is made and serialised there and only the text and a digest come back; a JSON body whose
   * document is the full form goes as its bytes (`raw`, parsed there under the door's limits) rather than as
   * a parsed tree.
   */
  async answerJson(presented: PresentedForm, moment: VerificationMoment, raw?: { bytes: Uint8Array; maxBytes: number; maxDepth: number }): Promise<string> {
    const { services } = this;
    const status = await this.status(presented, moment);
    const notes: NodeAnswerNotes = { statusUnavailable: status.unavailable, trustStale: moment.stale };
    const pool = services.verifyPool;
    const pooled = !pool ? null : presented.kind === 'full-form' && raw ? { kind: 'full-form-json' as const, ...raw } : NodeVerifyPool.inputOf(presented);
    let json: string;
    let digest: VerificationDigest;
    if (pool && pooled) {
      ({ json, digest } = await pool.verifyToJson(pooled, this.#trustOf(moment), status.presented, notes));
      this.#refuseTooLarge(presented, digest);
    } else {
      const result = await this.#verifyHere(presented, moment, status);
      digest = verificationDigest(result);
      this.#refuseTooLarge(presented, digest);
      applyNodeAnswerNotes(result, notes);
      json = JSON.stringify(result);
    }
    this.#count(digest, moment);
    return json;
  }

  #trustOf(moment: VerificationMoment): NodeVerificationTrust {
    return { snapshot: moment.snapshot, peers: moment.peers, agreementAsOf: this.services.federation.configuredAt, at: moment.at };
  }

  #verifyHere(presented: PresentedForm, moment: VerificationMoment, status: PrefetchedStatus): Promise<AnyFormResult> {
    const { snapshot, peers, at } = moment;
    const trust = peers.combine(
      { ...snapshot.trust, asOf: snapshot.checkedAt, statusOf: status.statusOf },
      { ownRegionCode: snapshot.region?.code ?? null, at: () => at, agreementAsOf: this.services.federation.configuredAt },
    );
    return verifyPresentedForm(presented, { trust, catalog: this.services.catalog, at, caches: this.#caches });
  }

  /** A form's own size cap (e.g. the PDF verifier's) is the same answer as the upload limit. */
  #refuseTooLarge(presented: PresentedForm, digest: VerificationDigest): void {
    if (presented.kind !== 'full-form' && digest.tooLarge !== null) throw new ElicenseError('INPUT_TOO_LARGE', digest.tooLarge);
  }

  #count(digest: VerificationDigest, moment: VerificationMoment): void {
    const { services } = this;
    const { snapshot } = moment;
    services.metrics.verifications.inc({
      type: label(digest.typeCode, (t) => services.catalog.getType(t) !== undefined),
      department: label(digest.issuerCode, (u) => snapshot.departments.has(u)),
      result: digest.result,
    });
    services.statistics.countVerification(digest, snapshot);
  }
}
