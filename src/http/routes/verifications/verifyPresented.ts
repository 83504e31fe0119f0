import { ElicenseError } from '../../../errors';
import type { FederatedTrust } from '../../../trust/FederatedTrust';
import type { NodeTrustSnapshot } from '../../../trust/NodeTrust';
import { licenseKeyOf, verifyPresentedForm, type AnyFormResult, type PresentedForm } from '../../../verify/forms/verifyAnyForm';
import { createVerifierCaches } from '../../../verify/verifyLicense';
import type { VerificationResult } from '../../../verify/VerificationResult';
import { prefetchStatus, type PrefetchedStatus } from '../../../region/verifications/NodeStatusSource';
import type { NodeServices } from '../../NodeServices';
import { NodeVerifyPool } from '../../../region/verifications/NodeVerifyPool';

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
    const { snapshot, stale, peers, at } = moment;
    const status = prefetched ?? (await this.status(presented, moment));
    // On the node's verifier threads when it has them (ELICENSE_VERIFY_WORKERS): the same answer, off this thread.
    const pooled = services.verifyPool ? NodeVerifyPool.inputOf(presented) : null;
    const result = pooled
      ? await services.verifyPool!.verify(pooled, { snapshot, peers, agreementAsOf: services.federation.configuredAt, at }, status.presented)
      : await verifyPresentedForm(presented, {
          trust: peers.combine(
            { ...snapshot.trust, asOf: snapshot.checkedAt, statusOf: status.statusOf },
            { ownRegionCode: snapshot.region?.code ?? null, at: () => at, agreementAsOf: services.federation.configuredAt },
          ),
          catalog: services.catalog,
          at,
          caches: this.#caches,
        });
    // A form's own size cap (e.g. the PDF verifier's) is the same answer as the upload limit.
    if (presented.kind !== 'full-form' && result.reasons.includes('INPUT_TOO_LARGE')) throw new ElicenseError('INPUT_TOO_LARGE', result.checks[0]?.detail ?? 'input too large');
    if (status.unavailable) explainUnavailable(result);
    if (stale) result.trust.source += ' (last good copy: the database is unavailable)';
    const record = result.license;
    services.metrics.verifications.inc({
      type: label(record?.['certificateTypeCode'], (t) => services.catalog.getType(t) !== undefined),
      department: label(record?.['certificateIssuingAuthorityCode'], (u) => snapshot.departments.has(u)),
      result: result.result,
    });
    services.statistics.countVerification(result, snapshot);
    return result;
  }
}

function explainUnavailable(result: VerificationResult): void {
  const check = result.checks.find((c) => c.check === 'status');
  if (check && check.status === 'not_checked') check.detail = "the issuing node's status database is unavailable right now; the licence status was not checked";
}
