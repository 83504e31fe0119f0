import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import { ElicenseError } from '../../errors';
import { buildStatusList, buildTrustList } from '../../trust/publish/buildTrustDocuments';
import type { RecognitionAgreement } from '../../format/federation/documentTypes';
import type { FederationConfig } from '../../trust/peer/FederationConfig';
import { signFederationDocument, type FederationKind, type PayloadOf } from '../../trust/peer/federationDocument';
import { canonicalJson } from '../../json/canonicalJson';
import type { Database } from '../../store/Database';
import type { DepartmentStore } from '../../store/DepartmentStore';
import type { FederationStore, PublishedDocument } from '../../store/FederationStore';
import type { RegionRecord } from '../../store/RegionStore';
import type { SigningKeyRecord, SigningKeyStore } from '../../store/SigningKeyStore';
import type { NodeTrust } from '../../trust/NodeTrust';
import type { RegionSigners } from '../RegionSigners';

export interface FederationPublisherDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  signers: RegionSigners;
  trust: NodeTrust;
  stores: { federation: FederationStore; signingKeys: SigningKeyStore; departments: DepartmentStore };
}

/**
 * The region's signed documents for its peers: trust list, status lists and
 * recognition agreement. Each is built from the database, signed by the
 * region's trust-list signer and stored with a sequence number that only
 * grows; it is rebuilt when its source changed (trust version, list version,
 * agreement, the number of status lists) or half its validity has passed, by
 * whichever process serves it next (no process keeps state others would
 * miss). Issuing a licence changes no status list: its slot already reads
 * "valid"; opening a list changes the trust list that announces it.
 */
export class FederationPublisher {
  constructor(private readonly deps: FederationPublisherDeps, private readonly config: FederationConfig) {}

  async trustList(): Promise<PublishedDocument> {
    const snapshot = await this.deps.trust.current();
    const region = requireRegion(snapshot.region);
    const validity = this.config.trustListValiditySeconds;
    // The trust list announces the status lists: a list opened by an issuance (a department's first
    // licence, or the first once its list is full) changes no trust version, yet must be announced
    // before the next peer sync, or peers refuse the list and its licences (docs/adr/0006).
    const lists = await this.deps.stores.federation.statusListCount(this.deps.db);
    return this.#ensure('trust-list', 'current', `${snapshot.version}/${lists}`, validity / 2, async (sequence, now) => {
      const { db, stores } = this.deps;
      // A fixed number of queries, however many departments the region has.
      const grantsOf = new Map<string, { typeCode: string; grantedAt: Date }[]>();
      for (const g of await stores.departments.allGrants(db)) grantsOf.set(g.uscc, [...(grantsOf.get(g.uscc) ?? []), g]);
      const lists = await stores.federation.statusLists(db);
      const keysOf = new Map<string | null, SigningKeyRecord[]>();
      for (const k of await stores.signingKeys.listAll(db)) keysOf.set(k.uscc, [...(keysOf.get(k.uscc) ?? []), k]);
      const regionKeys = keysOf.get(null) ?? [];
      return buildTrustList({
        region,
        sequence,
        issuedAt: now,
        validitySeconds: validity,
        rootCertificate: region.rootCertificate,
        timestampAuthorities: regionKeys.filter((k) => k.purpose === 'timestamping'),
        departments: [...snapshot.departments.values()].map((d) => ({
          ...d,
          grants: grantsOf.get(d.uscc) ?? [],
          keys: (keysOf.get(d.uscc) ?? []).filter((k) => k.purpose === 'licence_signing'),
        })),
        statusLists: lists,
      });
    });
  }

  /** The signed status list, or null when this region has no such list. */
  async statusList(listId: string): Promise<PublishedDocument | null> {
    const { db, stores } = this.deps;
    const info = await stores.federation.statusList(db, listId);
    if (!info) return null;
    const region = requireRegion((await this.deps.trust.current()).region);
    const ttl = this.config.statusListTtlSeconds;
    return this.#ensure('status-list', listId, String(info.version), ttl / 2, async (sequence, now) =>
      buildStatusList({ region, listId, uscc: info.uscc, sequence, issuedAt: now, ttlSeconds: ttl, capacity: info.capacity, notValid: await stores.federation.nonValidEntries(db, listId) }),
    );
  }

  async agreement(): Promise<PublishedDocument> {
    const region = requireRegion((await this.deps.trust.current()).region);
    const rules = [...this.config.recognition].sort((a, b) => (`${a.peerRegion}/${a.peerTypeCode}` < `${b.peerRegion}/${b.peerTypeCode}` ? -1 : 1));
    const digest = createHash('sha256').update(canonicalJson(rules)).digest('hex');
    return this.#ensure('recognition-agreement', 'current', digest, Number.POSITIVE_INFINITY, async (sequence, now) => {
      const doc: RecognitionAgreement = {
        format: 'elicense/recognition-agreement@1',
        region: { code: region.code, name: region.name },
        sequence,
        issuedAt: now.toISOString(),
        accepts: rules,
      };
      return doc;
    });
  }

  /** Returns the stored document when it is current, else builds, signs and stores the next one. */
  async #ensure<K extends FederationKind>(
    kind: K,
    docId: string,
    sourceVersion: string,
    refreshAfterSeconds: number,
    build: (sequence: number, now: Date) => Promise<PayloadOf[K]>,
  ): Promise<PublishedDocument> {
    const { db, stores, clock } = this.deps;
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await stores.federation.published(db, kind, docId);
      const now = clock.now();
      if (stored && stored.sourceVersion === sourceVersion && now.getTime() - stored.issuedAt.getTime() < refreshAfterSeconds * 1000) return stored;
      const sequence = (stored?.sequence ?? 0) + 1;
      const payload = await build(sequence, now);
      const snapshot = await this.deps.trust.current();
      const signer = await this.deps.signers.trustListSigner(db, now, snapshot.version);
      const body = await signFederationDocument(kind, payload, signer, requireRegion(snapshot.region).rootCertificate);
      const doc: PublishedDocument = { kind, docId, sequence, sourceVersion, issuedAt: now, body };
      if (await stores.federation.publish(db, doc, stored?.sequence ?? null)) {
        this.deps.logger.info({ kind, docId, sequence }, 'federation document published');
        return doc;
      }
      // Another process published first: serve its copy (or rebuild if that one is already outdated).
    }
    const latest = await stores.federation.published(db, kind, docId);
    if (latest) return latest;
    throw new ElicenseError('STORE_UNAVAILABLE', `could not publish ${kind} ${docId}`);
  }
}

function requireRegion(region: RegionRecord | null): RegionRecord {
  if (!region) throw new ElicenseError('REGION_NOT_SET_UP', 'this node has no region yet: nothing to publish');
  return region;
}
