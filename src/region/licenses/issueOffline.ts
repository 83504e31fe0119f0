import type { Signer } from '../../crypto/Signer';
import type { FullForm } from '../../format/FullForm';
import { generateSerial } from '../../codes/licenseIdentifier';
import { chinaCalendarDate } from '../../chinaCalendarDate';
import { issueLicense } from '../../issue/issueLicense';
import { prepareCheckedRecord, refuseSuperseded, type IssuingDepartment, type LicenseDraft } from '../../issue/prepareLicenseRecord';
import { draftWarnings, refuseUnacknowledged, type DraftWarning } from '../../standards/issuanceWarnings';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { DepartmentTrust, TrustInputs } from '../../trust/TrustInputs';
import { issuerMayIssue, type IssuerStanding } from './issuerMayIssue';

export interface OfflineIssueRequest {
  /** The licence data with its type (and standard version). */
  draft: LicenseDraft;
  /** The department as its signing certificate names it, with its key. */
  department: IssuingDepartment & { signer: Signer };
  /** The region's time-stamping authority. */
  timestampAuthority: Signer;
  /** Warning codes the operator signs despite (a verifier would flag them). */
  acknowledged: ReadonlySet<string>;
  /** How the operator acknowledges the given codes, in the refusal's words (e.g. the CLI's option). */
  howToAcknowledge: (codes: readonly string[]) => string;
}

export interface OfflineIssueDeps {
  catalog: StandardsCatalog;
  /** The region's trust data (its trust file): who the department is, what it may issue, and what the new licence must verify against. */
  trust: TrustInputs;
  random: (size: number) => Uint8Array;
  at: Date;
}

export interface OfflineIssueOutcome {
  form: FullForm;
  /** The warnings the licence carries (all acknowledged). */
  warnings: DraftWarning[];
}

/**
 * Issuance without a node (`elicense issue`): the department's own key and the
 * region time-stamping authority's key at hand, the region's trust file as its
 * records. The same steps as the node's, in the same order: the right to issue
 * the type (issuerMayIssue, from the department's listing in the trust data),
 * then the data against the type standard (refused when a verifier would flag
 * it, unless acknowledged), then sign, timestamp and verify the result.
 */
export async function issueOffline(request: OfflineIssueRequest, deps: OfflineIssueDeps): Promise<OfflineIssueOutcome> {
  const { draft, department, acknowledged } = request;
  const standard = deps.catalog.getType(draft.typeCode, draft.standardVersion);
  if (standard) refuseSuperseded(deps.catalog, standard);
  const listed = deps.trust.lookupDepartment(department.uscc);
  const right = issuerMayIssue(department.uscc, listed ? standingOf(listed) : null, draft.typeCode, deps.at, deps.catalog);
  if (!right.allowed) throw right.error;
  const issuer = { name: department.name, uscc: department.uscc, divisionCode: department.divisionCode };
  const { warnings } = prepareCheckedRecord(draft, {
    catalog: deps.catalog,
    issuer,
    serial: '0',
    today: chinaCalendarDate(deps.at),
    ...(listed?.regionCode ? { regionCode: listed.regionCode } : {}),
  });
  const placed = draftWarnings(warnings, draft);
  refuseUnacknowledged(placed, acknowledged, (w) => w, request.howToAcknowledge);
  const form = await issueLicense(draft, {
    catalog: deps.catalog,
    trust: deps.trust,
    department,
    timestampAuthority: request.timestampAuthority,
    serial: generateSerial(deps.random),
    at: deps.at,
  });
  return { form, warnings: placed };
}

/** A department as trust data lists it, as the right to issue is judged. */
function standingOf(d: DepartmentTrust): IssuerStanding {
  return { uscc: d.uscc, state: d.state, typeCodes: d.authorizedTypeCodes, ...(d.authorizedSince ? { grantedAt: d.authorizedSince } : {}) };
}
