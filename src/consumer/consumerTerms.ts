import { ElicenseError } from '../errors';
import { findRefusedText } from '../json/checkRequestText';

/** The longest stated cause (申请事由) a consuming department may give, in characters (issue 16). */
export const MAX_CAUSE = 200;
/** The longest service item name, in characters (as a holder's grant names it). */
export const MAX_SERVICE_ITEM_NAME = 200;

/** What every use of a licence by a consuming department states: why (申请事由) and for which service item (办理事项). */
export interface UseTerms {
  cause: string;
  serviceItem: { name: string; code?: string };
}

/**
 * The cause and the service item of a consumer request body, judged before anything else (issue 16):
 * no cause → CAUSE_REQUIRED; not a string, blank, over 200 characters or with control characters →
 * CAUSE_INVALID; no service item with a name → SERVICE_ITEM_REQUIRED. Refusals name the field in
 * `errors` as the schema's do. The rest of the body is the route's schema's business.
 */
export function checkUseTerms(body: unknown): void {
  const b = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const cause = b['cause'];
  if (cause === undefined || cause === null) {
    throw new ElicenseError('CAUSE_REQUIRED', 'state the cause of this use (申请事由): cause, 1 to 200 characters', { errors: [{ path: '/cause', code: 'CAUSE_REQUIRED' }] });
  }
  if (typeof cause !== 'string') throw causeInvalid('cause must be a string of 1 to 200 characters');
  if (findRefusedText(cause, { singleLine: true }) !== undefined) throw causeInvalid('cause must be one line of text, without control characters');
  if (cause.trim().length === 0) throw causeInvalid('cause must not be blank');
  if ([...cause].length > MAX_CAUSE) throw causeInvalid(`cause is limited to ${MAX_CAUSE} characters`);
  const item = b['serviceItem'];
  const name = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>)['name'] : undefined;
  if (typeof name !== 'string' || name.trim().length === 0) {
    throw new ElicenseError('SERVICE_ITEM_REQUIRED', 'name the service item (办理事项) of this use: serviceItem {name, code?}', { errors: [{ path: '/serviceItem/name', code: 'SERVICE_ITEM_REQUIRED' }] });
  }
}

const causeInvalid = (message: string) => new ElicenseError('CAUSE_INVALID', message, { errors: [{ path: '/cause', code: 'CAUSE_INVALID' }] });
