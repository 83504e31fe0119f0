import { chinaCalendarDate } from '../chinaCalendarDate';

export type ValidityOutcome = { ok: true } | { ok: false; code: 'LICENSE_NOT_YET_VALID' | 'LICENSE_EXPIRED'; detail: string };

/** Licence dates are China calendar dates; ISO dates (YYYY-MM-DD) compare correctly as strings. An absent expiring date means long-term (长期). */
export function checkLicenseValidity(effective: string, expiring: string | undefined, at: Date): ValidityOutcome {
  const today = chinaCalendarDate(at);
  if (today < effective) return { ok: false, code: 'LICENSE_NOT_YET_VALID', detail: `valid from ${effective}; today is ${today} (UTC+8)` };
  if (expiring !== undefined && today > expiring) {
    return { ok: false, code: 'LICENSE_EXPIRED', detail: `valid until ${expiring}; today is ${today} (UTC+8)` };
  }
  return { ok: true };
}
