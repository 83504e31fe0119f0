import type { NodeServices } from '../../NodeServices';
import type { Feature } from '../../http/RouteSpec';

/** TODO(issue 3): routes of this feature. */
export function createLicencesFeature(_services: NodeServices): Feature {
  return { name: 'licences', routes: [] };
}
