import type { StatusListDocument, TrustListDocument } from '../../format/federation/documentTypes';
import type { DocumentRefusal, FederationKind, PayloadOf } from './federationDocument';
import { StatusBits } from '../../format/federation/StatusBits';

export type Placement = { ok: true; docId: string; bits?: StatusBits } | { ok: false; code: DocumentRefusal; message: string };

/**
 * Where a region's verified document belongs, judged against the region's
 * accepted trust list (the rules a sync, an import and a bundle reader share):
 * it must be for that region; anything but a trust list needs one accepted
 * first; a status list must be the one asked for, announced by the trust list
 * for the same department, and its bits must inflate to the declared size
 * (returned, so they are read once).
 */
export function placeDocument<K extends FederationKind>(kind: K, payload: PayloadOf[K], trustList: TrustListDocument | null, expectedDocId?: string): Placement {
  const region = (payload as { region: { code: string } }).region.code;
  if (trustList && region !== trustList.region.code) {
    return { ok: false, code: 'DOCUMENT_REGION_MISMATCH', message: `the document is for region ${region}; this peer is region ${trustList.region.code}` };
  }
  if (kind === 'trust-list') return { ok: true, docId: 'current' };
  if (!trustList) return { ok: false, code: 'DOCUMENT_REGION_MISMATCH', message: 'no trust list of this peer has been accepted yet: its other documents cannot be placed' };
  if (kind === 'recognition-agreement') return { ok: true, docId: 'current' };
  const list = payload as StatusListDocument;
  if (expectedDocId !== undefined && expectedDocId !== list.listId) {
    return { ok: false, code: 'DOCUMENT_WRONG_KIND', message: `asked for status list ${expectedDocId}, got ${list.listId}` };
  }
  const announced = trustList.statusLists.find((l) => l.listId === list.listId);
  if (!announced || announced.uscc !== list.uscc) {
    return { ok: false, code: 'DOCUMENT_REGION_MISMATCH', message: `status list ${list.listId} of ${list.uscc} is not announced by the peer's trust list` };
  }
  try {
    return { ok: true, docId: list.listId, bits: StatusBits.fromCompressed(list.bits, list.capacity) };
  } catch (e) {
    return { ok: false, code: 'DOCUMENT_MALFORMED', message: e instanceof Error ? e.message : 'status bits unreadable' };
  }
}
