import { ElicenseError } from '../../../errors';
import { FULL_FORM_KEYS } from '../../../license/FullForm';
import { createVerifierCaches, verifyFullFormDocument } from '../../../verify/verifyLicense';
import type { VerificationResult } from '../../../verify/VerificationResult';
import type { NodeServices } from '../../NodeServices';
import type { Feature } from '../../http/RouteSpec';
import { prefetchStatus } from './NodeStatusSource';

/**
 * Reads the body of POST /v1/verifications. Accepted forms (decided here, documented in the route):
 *  - the full-form licence itself, as issued (`curl --data-binary @licence.elic.json`);
 *  - `{"fullForm": <full form>}`, leaving room for other inputs (QR text) beside it later.
 * Anything that is not a JSON object of one of these shapes cannot be examined: 400.
 */
export function fullFormOf(body: unknown): Record<string, unknown> {
  if (body === undefined) throw new ElicenseError('INPUT_UNREADABLE', 'send the licence as a JSON body (Content-Type: application/json)');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ElicenseError('INPUT_UNREADABLE', 'the body must be a JSON object: a full-form licence or {"fullForm": ...}');
  const record = body as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'fullForm') return fullFormOf(record['fullForm']);
  if (!('format' in record) || !('license' in record) || !('signature' in record) || keys.some((k) => !FULL_FORM_KEYS.has(k))) {
    throw new ElicenseError('INPUT_UNREADABLE', 'not a full-form licence: expected {format, license, signature, timestamp?} or {"fullForm": ...}');
  }
  return record;
}

const label = (value: unknown, known: (v: string) => boolean): string => (typeof value === 'string' && known(value) ? value : 'other');

/**
 * Public verification over HTTP: the verification core with the node's own
 * trust inputs and the current licence states from its database. The answer
 * is the VerificationResult (200) for anything that could be examined,
 * accepted or rejected. When the database is down, the last good trust data
 * is used and the status is reported as not checked, with the reason.
 */
export function createVerificationsFeature(services: NodeServices): Feature {
  const caches = createVerifierCaches();
  return {
    name: 'verifications',
    routes: [
      {
        method: 'post',
        path: '/v1/verifications',
        permission: 'public',
        summary:
          'Verify a licence: the body is the full-form licence JSON (as issued) or {"fullForm": <full form>}. 200 with the verification result (accepted or rejected, every check, reason codes); 400 only when the body is not a readable licence.',
        tag: 'verifications',
        handler: async (req, res) => {
          const doc = fullFormOf(req.body);
          const { snapshot, stale } = await services.trust.forVerification();
          const status = await prefetchStatus(services, snapshot, doc);
          const result: VerificationResult = verifyFullFormDocument(doc, {
            trust: { ...snapshot.trust, asOf: snapshot.checkedAt, statusOf: status.statusOf },
            catalog: services.catalog,
            at: services.clock.now(),
            caches,
          });
          if (status.unavailable) explainUnavailable(result);
          if (stale) result.trust.source += ' (last good copy: the database is unavailable)';
          const record = result.license;
          services.metrics.verifications.inc({
            type: label(record?.['certificateTypeCode'], (t) => services.catalog.getType(t) !== undefined),
            department: label(record?.['certificateIssuingAuthorityCode'], (u) => snapshot.departments.has(u)),
            result: result.result,
          });
          res.setHeader('Cache-Control', 'no-store');
          res.json(result);
        },
      },
    ],
  };
}

function explainUnavailable(result: VerificationResult): void {
  const check = result.checks.find((c) => c.check === 'status');
  if (check && check.status === 'not_checked') check.detail = "the issuing node's status database is unavailable right now; the licence status was not checked";
}
