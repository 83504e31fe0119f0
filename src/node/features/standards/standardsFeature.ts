import type { NodeServices } from '../../NodeServices';
import type { Feature } from '../../http/RouteSpec';

/** TODO(issue 3): routes of this feature. */
export function createStandardsFeature(_services: NodeServices): Feature {
  return { name: 'standards', routes: [] };
}
