import { ElicenseError } from '../../errors';
import type { RandomBytes } from './serialNumber';

/** Time and randomness for one issuance; both are inputs, never ambient. */
export interface IssueOptions {
  now: Date;
  randomBytes?: RandomBytes;
  /** Certificate policies (certificatePolicies, non-critical) the certificate carries, e.g. the demo-region policy. */
  policies?: readonly string[];
}

export type ValidityPeriod = { years: number } | { days: number };

/**
 * notBefore = now (whole seconds); notAfter = now + period, cut at the
 * issuer's own notAfter so no certificate outlives the CA that vouches for it.
 */
export function certificateValidity(now: Date, period: ValidityPeriod, issuerNotAfter?: Date): { notBefore: Date; notAfter: Date } {
  if (Number.isNaN(now.getTime())) throw new ElicenseError('CONFIG_INVALID', 'issuance time is not a valid date');
  const amount = 'years' in period ? period.years : period.days;
  if (!Number.isInteger(amount) || amount < 1) throw new ElicenseError('CONFIG_INVALID', `validity must be a positive whole number, got ${amount}`);
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const end = new Date(notBefore.getTime());
  if ('years' in period) end.setUTCFullYear(end.getUTCFullYear() + period.years);
  else end.setTime(end.getTime() + period.days * 86_400_000);
  const notAfter = issuerNotAfter && issuerNotAfter.getTime() < end.getTime() ? issuerNotAfter : end;
  if (notAfter.getTime() <= notBefore.getTime()) throw new ElicenseError('CONFIG_INVALID', 'the issuing CA certificate has expired');
  return { notBefore, notAfter };
}
