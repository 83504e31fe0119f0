import type { Logger } from 'pino';
import type { QrImageReaderPool } from '../forms/image/QrImageReaderPool';
import type { NodeVerifyPool } from '../region/verifications/NodeVerifyPool';
import type { SelfCheckPool } from '../region/licenses/SelfCheckPool';
import type { Clock } from '../clock';
import type { StandardsCatalog } from '../standards/StandardsCatalog';
import type { ApiKeyStore } from '../store/ApiKeyStore';
import type { AuditLog } from '../store/AuditLog';
import type { Database } from '../store/Database';
import type { DepartmentStore } from '../store/DepartmentStore';
import type { IdempotencyStore } from '../store/IdempotencyStore';
import type { KeyVault } from '../store/KeyVault';
import type { LicenseFormStore } from '../store/LicenseFormStore';
import type { LicenseStore } from '../store/LicenseStore';
import type { RateLimitStore } from '../store/RateLimitStore';
import type { RegionStore } from '../store/RegionStore';
import type { SigningKeyStore } from '../store/SigningKeyStore';
import type { StatisticsStore } from '../store/StatisticsStore';
import type { FederationStore } from '../store/FederationStore';
import type { NodeConfig } from '../region/NodeConfig';
import type { NodeFederation } from '../region/federation/NodeFederation';
import type { OwnStatusCache } from '../region/verifications/OwnStatusCache';
import type { NodeMetrics } from '../region/NodeMetrics';
import type { VerificationStatistics } from '../region/statistics/VerificationStatistics';
import type { NodeTrust } from '../trust/NodeTrust';
import type { RegionSigners } from '../region/RegionSigners';
import type { RequestNonceStore } from '../store/RequestNonceStore';
import type { DepartmentRequestAuthenticator } from '../trust/peer/departmentRequestCheck';
import type { PeerDepartmentClient } from '../region/federation/PeerDepartmentClient';

/** Everything the composition root (startNode) builds once and hands to features. No module-level singletons. */
export interface NodeServices {
  config: NodeConfig;
  clock: Clock;
  random: (size: number) => Uint8Array;
  logger: Logger;
  metrics: NodeMetrics;
  db: Database;
  catalog: StandardsCatalog;
  vault: KeyVault;
  stores: {
    departments: DepartmentStore;
    signingKeys: SigningKeyStore;
    licenses: LicenseStore;
    licenseForms: LicenseFormStore;
    idempotency: IdempotencyStore;
    apiKeys: ApiKeyStore;
    audit: AuditLog;
    rateLimits: RateLimitStore;
    region: RegionStore;
    federation: FederationStore;
    statistics: StatisticsStore;
    requestNonces: RequestNonceStore;
  };
  /** The region's own trust inputs from the database, cached per trust version. */
  trust: NodeTrust;
  /** Department and time-stamping signers opened from the KeyVault. */
  signers: RegionSigners;
  /** Published trust documents, peer sync and the peers' trust data (mutual recognition). */
  federation: NodeFederation;
  /** The region's licence states in memory for verification, dropped on every announced change. */
  ownStatus: OwnStatusCache;
  /** Verification counts for the dashboard, added up in memory and written in batches. */
  statistics: VerificationStatistics;
  /** Reads the QR of uploaded images on worker threads (bounded queue), off the event loop. */
  qrImages: QrImageReaderPool;
  /** Self-verifies the licences of a batch on worker threads while the next is signed (ELICENSE_ISSUANCE_WORKERS). */
  selfChecks: SelfCheckPool;
  /** Verifier threads for POST /v1/verifications and its batch (ELICENSE_VERIFY_WORKERS); null: verification in the request's thread. */
  verifyPool: NodeVerifyPool | null;
  /** Departments of peer regions, by the requests their nodes sign (docs/adr/0006, "Departments of peer regions"). */
  peerRequests: DepartmentRequestAuthenticator;
  /** Calls to peer regions' nodes on behalf of this region's departments, signed by this node (the other side of peerRequests). */
  peerClient: PeerDepartmentClient;
}
