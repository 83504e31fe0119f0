import type { NodeServices } from '../NodeServices';
import type { Feature } from '../RouteSpec';
import { createApiKeysFeature } from './apiKeys/apiKeysFeature';
import { createConsumerFeature } from './consumer/consumerFeature';
import { createAuditFeature } from './audit/auditFeature';
import { createDepartmentsFeature } from './departments/departmentsFeature';
import { createFederationFeature } from './federation/federationFeature';
import { createPeerDepartmentFeature } from './federation/peerDepartmentFeature';
import { createHolderFeature } from './holder/holderFeature';
import { createLicensesFeature } from './licenses/licensesFeature';
import { createOpsFeature, type NodeRuntime } from '../ops/opsFeature';
import { createStandardsFeature } from './standards/standardsFeature';
import { createStatisticsFeature } from './statistics/statisticsFeature';
import { createVerificationsFeature } from './verifications/verificationsFeature';
import { createWebFeature } from './web/webFeature';

export type { NodeRuntime } from '../ops/opsFeature';

/** Every feature of the node, in mount order. The route table of all of them is the node's API. */
export function nodeFeatures(services: NodeServices, runtime: NodeRuntime): Feature[] {
  const features: Feature[] = [];
  // The ops feature documents the whole route table (/openapi.json), read once every feature is built.
  features.push(
    createOpsFeature(services, runtime, () => features.flatMap((f) => f.routes)),
    createStandardsFeature(services),
    createVerificationsFeature(services),
    createLicensesFeature(services),
    createDepartmentsFeature(services),
    createApiKeysFeature(services),
    createAuditFeature(services),
    createFederationFeature(services),
    createPeerDepartmentFeature(services),
    createHolderFeature(services),
    createConsumerFeature(services),
    createStatisticsFeature(services),
    createWebFeature(services),
  );
  return features;
}
