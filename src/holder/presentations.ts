import { ElicenseError } from '../errors';
import type { Queryable } from '../store/Database';
import type { LicenseStatus } from '../store/LicenseStore';
import type { RegionRecord } from '../store/RegionStore';
import { defaultGrantStores, type GrantStores } from './grants';
import { readPresentationPointer, type PresentationPointer } from './presentationPointer';
import { holderCodesOf, recordUsage } from './usageLog';

/** Who resolved a presentation: a verifier of this region (the public route), or a peer region's node on a window's behalf (H3). */
export interface PresentationResolver {
  kind: 'verifier' | 'peer_verifier';
  region?: string | null;
  uscc?: string | null;
  name?: string | null;
  /** The audit actor: "public" for the anonymous verifier route, peer:<region>[:<uscc>] for a peer. */
  auditActor: string;
}

export interface PresentedLicense {
  identifier: string;
  status: LicenseStatus;
  fullForm: string;
  presentedAt: Date;
  presentationId: string;
}

/**
 * Consumes a presentation by id (single use): PRESENTATION_UNKNOWN, PRESENTATION_USED, PRESENTATION_EXPIRED,
 * else the presented licence's full form, and a usage event for every holder of it plus an audit entry.
 * Checks nothing about the pointer's signature: call it with the id of a pointer already read
 * (readPresentationPointer) or use redeemPresentation. Run in a transaction.
 */
export async function consumePresentation(
  q: Queryable,
  input: { presentationId: string; now: Date; resolver: PresentationResolver },
  stores: GrantStores = defaultGrantStores(),
): Promise<PresentedLicense> {
  const { consumed, row } = await stores.holder.consumePresentation(q, input.presentationId, input.now);
  if (!row) throw new ElicenseError('PRESENTATION_UNKNOWN', 'this node issued no such presentation');
  if (!consumed) {
    if (row.redeemedAt !== null) throw new ElicenseError('PRESENTATION_USED', `the presentation was already redeemed at ${row.redeemedAt.toISOString()} (single use): ask the holder to present again`);
    throw new ElicenseError('PRESENTATION_EXPIRED', `the presentation expired at ${row.expiresAt.toISOString()}: ask the holder to present again`);
  }
  const license = await stores.licenses.get(q, row.licenseIdentifier);
  if (!license) throw new ElicenseError('PRESENTATION_UNKNOWN', 'the presented licence is no longer held by this node');
  const r = input.resolver;
  await recordUsage(q, stores, r.auditActor, [
    {
      at: input.now,
      kind: 'presentation',
      licenseIdentifier: license.identifier,
      holderCodes: holderCodesOf(license.record),
      actor: { kind: r.kind, region: r.region ?? null, uscc: r.uscc ?? null, name: r.name ?? null },
      presentationId: row.presentationId,
    },
  ]);
  return { identifier: license.identifier, status: license.status, fullForm: license.fullForm, presentedAt: input.now, presentationId: row.presentationId };
}

/**
 * Resolves a presentation QR text (`LP1:…`) of this region: the pointer's signature under the region's
 * pinned root (trust-list EKU), its region, its expiry, then consumes it. A pointer of another region is
 * PRESENTATION_UNKNOWN here (its own node resolves it, through the federation). Run in a transaction.
 */
export async function redeemPresentation(
  q: Queryable,
  input: { presentation: string; region: RegionRecord; now: Date; resolver: PresentationResolver },
  stores: GrantStores = defaultGrantStores(),
): Promise<PresentedLicense & { pointer: PresentationPointer }> {
  const { pointer } = readPresentationPointer(input.presentation, { root: input.region.rootCertificate, at: input.now });
  if (pointer.region !== input.region.code) throw new ElicenseError('PRESENTATION_UNKNOWN', `a presentation of region ${pointer.region}: the node of that region resolves it`);
  if (pointer.exp * 1000 <= input.now.getTime()) throw new ElicenseError('PRESENTATION_EXPIRED', `the presentation expired at ${new Date(pointer.exp * 1000).toISOString()}: ask the holder to present again`);
  return { ...(await consumePresentation(q, { presentationId: pointer.pid, now: input.now, resolver: input.resolver }, stores)), pointer };
}
