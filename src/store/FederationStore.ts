import type { FederationKind } from '../format/federation/documentTypes';
import type { Queryable } from './Database';
import { asDate, asNumber, asOptionalDate } from './rowValues';

/** A signed document this node published: the newest of its kind and id. */
export interface PublishedDocument {
  kind: FederationKind;
  docId: string;
  sequence: number;
  /** What the document was built from (trust version, list version, agreement digest). */
  sourceVersion: string;
  issuedAt: Date;
  body: string;
}

/** The last good copy of a peer's document. */
export interface PeerDocument {
  peerRootSha256: string;
  kind: FederationKind;
  docId: string;
  sequence: number;
  issuedAt: Date;
  fetchedAt: Date;
  etag: string | null;
  body: string;
}

export interface PeerSyncState {
  peerRootSha256: string;
  baseUrl: string;
  regionCode: string | null;
  regionName: string | null;
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  consecutiveFailures: number;
  nextAttemptAt: Date | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  /** The region this peer's root is pinned to (configured, or fixed by its first accepted trust list); read only, set by pinRegion. */
  pinnedRegionCode?: string | null;
}

/** The status lists of the region's departments and their change counters. */
export interface StatusListInfo {
  listId: string;
  uscc: string;
  capacity: number;
  version: number;
}

const PUBLISHED = 'kind, doc_id, sequence, source_version, issued_at, body';
const PEER_DOC = 'peer_root_sha256, kind, doc_id, sequence, issued_at, fetched_at, etag, body';
const PEER_STATE =
  'peer_root_sha256, base_url, region_code, region_name, last_attempt_at, last_success_at, consecutive_failures, next_attempt_at, last_error_code, last_error_message';

/** SQL for the federation tables (migration 0003); one implementation for PostgreSQL and PGlite. */
export class FederationStore {
  async published(q: Queryable, kind: FederationKind, docId: string): Promise<PublishedDocument | null> {
    const [row] = await q.query<Record<string, unknown>>(`SELECT ${PUBLISHED} FROM published_documents WHERE kind = $1 AND doc_id = $2`, [kind, docId]);
    return row ? toPublished(row) : null;
  }

  /**
   * Stores a newly signed document if the stored one still has `previousSequence`
   * (null: none stored). False when another process published first.
   */
  async publish(q: Queryable, doc: PublishedDocument, previousSequence: number | null): Promise<boolean> {
    const params = [doc.kind, doc.docId, doc.sequence, doc.sourceVersion, doc.issuedAt.toISOString(), doc.body];
    const rows =
      previousSequence === null
        ? await q.query(
            `INSERT INTO published_documents (${PUBLISHED}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, doc_id) DO NOTHING RETURNING doc_id`,
            params,
          )
        : await q.query(
            `UPDATE published_documents SET sequence = $3, source_version = $4, issued_at = $5, body = $6
             WHERE kind = $1 AND doc_id = $2 AND sequence = $7 RETURNING doc_id`,
            [...params, previousSequence],
          );
    return rows.length === 1;
  }

  async statusLists(q: Queryable, uscc?: string): Promise<StatusListInfo[]> {
    const rows = await q.query<Record<string, unknown>>(
      `SELECT list_id, uscc, capacity, version FROM status_lists ${uscc ? 'WHERE uscc = $1' : ''} ORDER BY list_id`,
      uscc ? [uscc] : [],
    );
    return rows.map((r) => ({ listId: String(r['list_id']), uscc: String(r['uscc']), capacity: asNumber(r['capacity']), version: asNumber(r['version']) }));
  }

  /** How many status lists the region has: lists are only ever added, so this changes exactly when a list is opened. */
  async statusListCount(q: Queryable): Promise<number> {
    const [row] = await q.query<{ n: unknown }>('SELECT count(*) AS n FROM status_lists');
    return row ? asNumber(row.n) : 0;
  }

  async statusList(q: Queryable, listId: string): Promise<StatusListInfo | null> {
    const [r] = await q.query<Record<string, unknown>>('SELECT list_id, uscc, capacity, version FROM status_lists WHERE list_id = $1', [listId]);
    return r ? { listId: String(r['list_id']), uscc: String(r['uscc']), capacity: asNumber(r['capacity']), version: asNumber(r['version']) } : null;
  }

  /** Bumped by every statement that changes a licence's status (migration 0005). */
  async statusVersion(q: Queryable): Promise<number> {
    const [row] = await q.query<{ version: unknown }>('SELECT version FROM status_version WHERE singleton');
    return row ? asNumber(row.version) : 0;
  }

  /** A list's owner, capacity and how many of its slots are taken. */
  async statusListSlots(q: Queryable, listId: string): Promise<{ uscc: string; capacity: number; nextIndex: number; version: number } | null> {
    const [r] = await q.query<Record<string, unknown>>('SELECT uscc, capacity, next_index, version FROM status_lists WHERE list_id = $1', [listId]);
    return r ? { uscc: String(r['uscc']), capacity: asNumber(r['capacity']), nextIndex: asNumber(r['next_index']), version: asNumber(r['version']) } : null;
  }

  /** The change counters of the given lists (a list not returned no longer exists). */
  async statusListVersions(q: Queryable, listIds: readonly string[]): Promise<Map<string, number>> {
    if (listIds.length === 0) return new Map();
    const rows = await q.query<Record<string, unknown>>('SELECT list_id, version FROM status_lists WHERE list_id = ANY($1::text[])', [listIds]);
    return new Map(rows.map((r) => [String(r['list_id']), asNumber(r['version'])]));
  }

  /** The licences of one list that are not valid (everything else reads as valid in the bitstring). */
  async nonValidEntries(q: Queryable, listId: string): Promise<{ index: number; status: 'revoked' | 'suspended' }[]> {
    const rows = await q.query<Record<string, unknown>>(
      "SELECT status_index, status FROM licences WHERE status_list_id = $1 AND status <> 'valid'",
      [listId],
    );
    return rows.map((r) => ({ index: asNumber(r['status_index']), status: r['status'] as 'revoked' | 'suspended' }));
  }

  /**
   * The identifier of each licence on a list from slot `fromIndex` on: what the
   * node issued at each slot, so a status answer is bound to it (never to the slot alone).
   */
  async slotIdentifiers(q: Queryable, listId: string, fromIndex = 0): Promise<{ index: number; identifier: string }[]> {
    const rows = await q.query<Record<string, unknown>>('SELECT status_index, identifier FROM licences WHERE status_list_id = $1 AND status_index >= $2', [listId, fromIndex]);
    return rows.map((r) => ({ index: asNumber(r['status_index']), identifier: String(r['identifier']) }));
  }

  async federationVersion(q: Queryable): Promise<number> {
    const [row] = await q.query<{ version: unknown }>('SELECT version FROM federation_version WHERE singleton');
    return row ? asNumber(row.version) : 0;
  }

  async peerDocuments(q: Queryable, peerRootSha256?: string): Promise<PeerDocument[]> {
    const rows = await q.query<Record<string, unknown>>(
      `SELECT ${PEER_DOC} FROM peer_documents ${peerRootSha256 ? 'WHERE peer_root_sha256 = $1' : ''} ORDER BY peer_root_sha256, kind, doc_id`,
      peerRootSha256 ? [peerRootSha256] : [],
    );
    return rows.map(toPeerDocument);
  }

  async peerDocument(q: Queryable, peerRootSha256: string, kind: FederationKind, docId: string): Promise<PeerDocument | null> {
    const [row] = await q.query<Record<string, unknown>>(
      `SELECT ${PEER_DOC} FROM peer_documents WHERE peer_root_sha256 = $1 AND kind = $2 AND doc_id = $3`,
      [peerRootSha256, kind, docId],
    );
    return row ? toPeerDocument(row) : null;
  }

  /**
   * Keeps a peer's accepted document unless a newer one (higher sequence) is
   * stored already: the last good copy never goes backwards, whichever
   * process or import wrote first. True when stored.
   */
  async keepPeerDocument(q: Queryable, d: PeerDocument): Promise<boolean> {
    const rows = await q.query(
      `INSERT INTO peer_documents (${PEER_DOC}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (peer_root_sha256, kind, doc_id) DO UPDATE
         SET sequence = EXCLUDED.sequence, issued_at = EXCLUDED.issued_at, fetched_at = EXCLUDED.fetched_at, etag = EXCLUDED.etag, body = EXCLUDED.body
         WHERE peer_documents.sequence < EXCLUDED.sequence
            OR (peer_documents.sequence = EXCLUDED.sequence AND peer_documents.issued_at < EXCLUDED.issued_at)
       RETURNING doc_id`,
      [d.peerRootSha256, d.kind, d.docId, d.sequence, d.issuedAt.toISOString(), d.fetchedAt.toISOString(), d.etag, d.body],
    );
    return rows.length === 1;
  }

  /** The ETags of a peer's held documents by "kind/docId" (for conditional GETs; the bodies are not read). */
  async peerDocumentEtags(q: Queryable, peerRootSha256: string): Promise<Map<string, string | null>> {
    const rows = await q.query<Record<string, unknown>>('SELECT kind, doc_id, etag FROM peer_documents WHERE peer_root_sha256 = $1', [peerRootSha256]);
    return new Map(rows.map((r) => [`${String(r['kind'])}/${String(r['doc_id'])}`, r['etag'] === null ? null : String(r['etag'])]));
  }

  /** Marks an unchanged copy (304 Not Modified) as confirmed now. */
  async touchPeerDocument(q: Queryable, peerRootSha256: string, kind: FederationKind, docId: string, at: Date): Promise<void> {
    await q.query('UPDATE peer_documents SET fetched_at = $4 WHERE peer_root_sha256 = $1 AND kind = $2 AND doc_id = $3', [peerRootSha256, kind, docId, at.toISOString()]);
  }

  async syncStates(q: Queryable): Promise<PeerSyncState[]> {
    const rows = await q.query<Record<string, unknown>>(`SELECT ${PEER_STATE}, pinned_region_code FROM peer_sync_state ORDER BY peer_root_sha256`);
    return rows.map(toSyncState);
  }

  /** Pins a peer's root to the region of the trust list just accepted under it (migration 0008). */
  async pinRegion(q: Queryable, peerRootSha256: string, baseUrl: string, regionCode: string): Promise<void> {
    await q.query(
      `INSERT INTO peer_sync_state (peer_root_sha256, base_url, pinned_region_code) VALUES ($1, $2, $3)
       ON CONFLICT (peer_root_sha256) DO UPDATE SET pinned_region_code = EXCLUDED.pinned_region_code`,
      [peerRootSha256, baseUrl, regionCode],
    );
  }

  async saveSyncState(q: Queryable, s: PeerSyncState): Promise<void> {
    await q.query(
      `INSERT INTO peer_sync_state (${PEER_STATE}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (peer_root_sha256) DO UPDATE SET base_url = $2, region_code = $3, region_name = $4, last_attempt_at = $5, last_success_at = $6,
         consecutive_failures = $7, next_attempt_at = $8, last_error_code = $9, last_error_message = $10`,
      [
        s.peerRootSha256,
        s.baseUrl,
        s.regionCode,
        s.regionName,
        s.lastAttemptAt?.toISOString() ?? null,
        s.lastSuccessAt?.toISOString() ?? null,
        s.consecutiveFailures,
        s.nextAttemptAt?.toISOString() ?? null,
        s.lastErrorCode,
        s.lastErrorMessage,
      ],
    );
  }
}

function toPublished(r: Record<string, unknown>): PublishedDocument {
  return {
    kind: r['kind'] as FederationKind,
    docId: String(r['doc_id']),
    sequence: asNumber(r['sequence']),
    sourceVersion: String(r['source_version']),
    issuedAt: asDate(r['issued_at']),
    body: String(r['body']),
  };
}

function toPeerDocument(r: Record<string, unknown>): PeerDocument {
  return {
    peerRootSha256: String(r['peer_root_sha256']),
    kind: r['kind'] as FederationKind,
    docId: String(r['doc_id']),
    sequence: asNumber(r['sequence']),
    issuedAt: asDate(r['issued_at']),
    fetchedAt: asDate(r['fetched_at']),
    etag: r['etag'] === null ? null : String(r['etag']),
    body: String(r['body']),
  };
}

function toSyncState(r: Record<string, unknown>): PeerSyncState {
  return {
    peerRootSha256: String(r['peer_root_sha256']),
    baseUrl: String(r['base_url']),
    regionCode: r['region_code'] === null ? null : String(r['region_code']),
    regionName: r['region_name'] === null ? null : String(r['region_name']),
    lastAttemptAt: asOptionalDate(r['last_attempt_at']),
    lastSuccessAt: asOptionalDate(r['last_success_at']),
    consecutiveFailures: asNumber(r['consecutive_failures']),
    nextAttemptAt: asOptionalDate(r['next_attempt_at']),
    lastErrorCode: r['last_error_code'] === null ? null : String(r['last_error_code']),
    lastErrorMessage: r['last_error_message'] === null ? null : String(r['last_error_message']),
    pinnedRegionCode: r['pinned_region_code'] === null || r['pinned_region_code'] === undefined ? null : String(r['pinned_region_code']),
  };
}
