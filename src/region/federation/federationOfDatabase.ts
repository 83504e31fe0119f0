import pino from 'pino';
import type { Clock } from '../../clock';
import type { Database } from '../../store/Database';
import { SqlDepartmentStore } from '../../store/DepartmentStore';
import { FederationStore } from '../../store/FederationStore';
import { KeyVault } from '../../store/KeyVault';
import { SqlRegionStore } from '../../store/RegionStore';
import { SqlSigningKeyStore } from '../../store/SigningKeyStore';
import type { TrustBundle } from '../../format/federation/documentTypes';
import { StandardsCatalog } from '../../standards/StandardsCatalog';
import { withTypeSuccession, type FederationConfig, type RecognitionSuccession } from '../../trust/peer/FederationConfig';
import { NodeTrust } from '../../trust/NodeTrust';
import { RegionSigners } from '../RegionSigners';
import { FederationPublisher } from './FederationPublisher';
import { FederationSync, type PeerSyncReport } from './FederationSync';
import { exportTrustBundle, importTrustBundle, type ImportReport } from './trustBundle';

/**
 * The federation use cases on a node's database, for callers that hold only the database (the CLI, run
 * beside a stopped or running node): the stores are this module's business, not the caller's.
 */

/** The node's own region code (a peer claiming it is refused), null before the region is set up. */
async function ownRegionOf(db: Database): Promise<string | null> {
  return (await new SqlRegionStore().get(db))?.code ?? null;
}

/** One sync round for every configured peer, now (no back-off wait). */
export function syncPeersOnce(db: Database, clock: Clock, config: FederationConfig): Promise<PeerSyncReport[]> {
  return new FederationSync({ db, clock, logger: pino({ level: 'silent' }), store: new FederationStore(), ownRegionCode: () => ownRegionOf(db) }, config).runOnce({ force: true });
}

/**
 * This region's signed documents (signed now with the trust-list signer the master key opens) and the peers' last good copies.
 * The agreement carries the rules type code succession implies under `standards`, as the node publishes it (docs/adr/0011).
 */
export function exportBundleOfDatabase(
  db: Database,
  clock: Clock,
  masterKeyBase64: string,
  configured: FederationConfig,
  standards: RecognitionSuccession = StandardsCatalog.load(),
): Promise<TrustBundle> {
  const federation = withTypeSuccession(configured, standards);
  const vault = KeyVault.fromBase64(masterKeyBase64);
  const logger = pino({ level: 'silent' });
  const stores = { departments: new SqlDepartmentStore(), signingKeys: new SqlSigningKeyStore(), region: new SqlRegionStore(), federation: new FederationStore() };
  const trust = new NodeTrust({ db, clock, logger, stores });
  const publisher = new FederationPublisher({ db, clock, logger, signers: new RegionSigners({ vault, stores }), trust, stores }, federation);
  return exportTrustBundle(db, stores.federation, publisher, clock.now());
}

/** Every document of a bundle through the same gate a sync uses; refused ones reported. */
export async function importBundleIntoDatabase(db: Database, config: FederationConfig, bundle: unknown, at: Date): Promise<ImportReport> {
  return importTrustBundle(db, new FederationStore(), config, bundle, at, await ownRegionOf(db));
}

/** The master key is well formed (32 bytes of base64): checked before the database is opened. */
export function checkMasterKey(masterKeyBase64: string): void {
  KeyVault.fromBase64(masterKeyBase64);
}
