import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one node process, on its own registry (no global
 * default registry). Labels never carry personal data: type codes, USCCs of
 * departments and results only.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly issued = new Counter({
    name: 'elicense_licences_issued_total',
    help: 'Issuance attempts, by type, department and result (issued, or the error code that refused it)',
    labelNames: ['type', 'department', 'result'] as const,
    registers: [this.registry],
  });
  readonly verifications = new Counter({
    name: 'elicense_verifications_total',
    help: 'Verifications answered, by type, issuing department and result',
    labelNames: ['type', 'department', 'result'] as const,
    registers: [this.registry],
  });
  readonly lifecycle = new Counter({
    name: 'elicense_licence_status_changes_total',
    help: 'Revocations, suspensions and reinstatements',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'elicense_authentication_failures_total',
    help: 'Requests with credentials that matched no active API key (rejected, 401), and requests refused because their client had failed too often (throttled, 429)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'elicense_rate_limited_total',
    help: 'Requests refused with 429 RATE_LIMITED, by limit (public: per client address, key: per API key)',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'elicense_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'elicense_' });
  }
}
