import { ElicenseError } from '../../errors';
import { annotated, string, text, type Schema } from './Schema';

/** Longest reason of a status change (licence revoke, suspend, reinstate, re-issue; department and key changes): one limit everywhere. */
export const MAX_REASON = 1000;

export const REASON: Schema<string> = text(MAX_REASON, { description: `Why (recorded in the audit log and the licence history), 1 to ${MAX_REASON} characters`, examples: ['营业执照遗失补发'] });

/** A date or date-time query parameter: YYYY-MM-DD, or with a time and an offset. */
const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2}))?$';

export const dateQuery = (description: string, example: string): Schema<string> =>
  annotated(string({ pattern: DATE_PATTERN }), { description: `${description} (ISO 8601 date or date-time)`, examples: [example] });

/** What the pattern of dateQuery cannot say: that the moment exists (no month 13). INPUT_MALFORMED at the parameter's pointer, like the schema's own refusals. */
export function realDate(value: string, name: string, read: (v: string) => number = Date.parse): number {
  const ms = read(value);
  if (Number.isNaN(ms)) throw new ElicenseError('INPUT_MALFORMED', `${name}: an ISO 8601 date or date-time`, { errors: [{ path: `/${name}`, message: 'not a real date' }] });
  return ms;
}
