import type { NodeServices } from '../../NodeServices';
import type { Feature } from '../../http/RouteSpec';
import type { NodeRuntime } from '../nodeFeatures';

/** TODO(issue 3): /healthz, /readyz, /metrics, /openapi.json, /docs. */
export function createOpsFeature(_services: NodeServices, _runtime: NodeRuntime): Feature {
  return { name: 'ops', routes: [] };
}
