import { chinaCalendarDate } from '../chinaCalendarDate';
import type { ResultBuilder } from './ResultBuilder';

export type ValidityOutcome = { ok: true } | { ok: false; code: 'LICENSE_NOT_YET_VALID' | 'LICENSE_EXPIRED'; detail: string };

/** Step 7, validity, for every licence form: the verification day lies within the licence's validity period. */
export function checkValidity(record: Record<string, unknown>, at: Date, rb: ResultBuilder): void {
  const effective = record['certificateEffectiveDate'];
  const expiring = record['certificateExpiringDate'];
  if (typeof effective !== 'string' || (expiring !== undefined && typeof expiring !== 'string')) {
    rb.notChecked('validity', 'validity dates unreadable (see the schema check)');
    return;
  }
  const v = checkLicenseValidity(effective, expiring as string | undefined, at);
  if (v.ok) rb.pass('validity');
  else rb.fail('validity', v.code, v.detail);
}

/** Licence dates are China calendar dates; ISO dates (YYYY-MM-DD) compare correctly as strings. An absent expiring date means long-term (长期). */
export function checkLicenseValidity(effective: string, expiring: string | undefined, at: Date): ValidityOutcome {
  const today = chinaCalendarDate(at);
  if (today < effective) return { ok: false, code: 'LICENSE_NOT_YET_VALID', detail: `valid from ${effective}; today is ${today} (UTC+8)` };
  if (expiring !== undefined && today > expiring) {
    return { ok: false, code: 'LICENSE_EXPIRED', detail: `valid until ${expiring}; today is ${today} (UTC+8)` };
  }
  return { ok: true };
}
