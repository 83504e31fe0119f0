import { ElicenseError } from '../../errors';
import type { NodeServices } from '../NodeServices';

/** Limits requests on public routes per client; throws RATE_LIMITED when over. */
export interface RateLimiter {
  check(client: string): Promise<void>;
}

/**
 * Fixed-window limit shared by every process of a region through the
 * database (RateLimitStore), so adding processes does not multiply the limit.
 */
export class StoreRateLimiter implements RateLimiter {
  constructor(private readonly services: NodeServices, private readonly scope = 'public') {}

  async check(client: string): Promise<void> {
    const { windowSeconds, max } = this.services.config.publicRateLimit;
    const at = this.services.clock.now();
    const d = await this.services.stores.rateLimits.hit(this.services.db, { bucket: `${this.scope}:${client}`, limit: max, windowMs: windowSeconds * 1000, at });
    if (!d.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil((d.resetAt.getTime() - at.getTime()) / 1000));
      throw new ElicenseError('RATE_LIMITED', `more than ${max} requests in ${windowSeconds} s from this client`, { retryAfterSeconds });
    }
  }
}
