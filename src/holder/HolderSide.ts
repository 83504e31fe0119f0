import { checkUscc } from '../codes/uscc';
import type { Clock } from '../clock';
import type { Signer } from '../crypto/Signer';
import { ElicenseError } from '../errors';
import type { HolderPrincipal } from '../region/permissions';
import type { AuditLog } from '../store/AuditLog';
import type { Database, Queryable } from '../store/Database';
import type { DepartmentStore } from '../store/DepartmentStore';
import { SqlHolderStore, type Page, type WalletLicense } from '../store/HolderStore';
import type { LicenseStore } from '../store/LicenseStore';
import type { RegionRecord } from '../store/RegionStore';
import { annotationInstant } from '../annotation/AnnotatedCopy';
import { makeAnnotatedCopy, newCopyId } from '../annotation/makeAnnotatedCopy';
import type { FullForm } from '../format/FullForm';
import QRCode from 'qrcode';
import { renderQrSvg } from '../forms/image/renderQrImage';
import { makeGrantCode, grantCodeDigest } from './grantCode';
import { grantView, readGrantLicense, redeemGrant, refuseNotCurrent, type GrantCaller, type GrantStores } from './grants';
import { MAX_PRESENTATION_SECONDS, signPresentationPointer } from './presentationPointer';
import { redeemPresentation, type PresentationResolver } from './presentations';
import { holderActor, holderCodesOf, recordUsage, usageViewForDepartment,
  usageViewForRegion, usageViewForHolder } from './usageLog';

/** Default and limits of the holder's choices (docs/adr/0012). */
export const HOLDER_LIMITS = {
  presentationSeconds: { default: 300, min: 30, max: MAX_PRESENTATION_SECONDS },
  grantSeconds: { default: 72 * 3600, min: 60, max: 30 * 24 * 3600 },
  grantUses: { default: 5, max: 100 },
  /** Annotated copies when the type standard has no `use` block: days (the default expiry too) and unexpired copies a licence may have. */
  annotatedCopy: { maxDays: 90, maxActive: 10 },
} as const;

/** What the holder's side needs of the node (NodeServices has it all). */
export interface HolderSideDeps {
  db: Database;
  clock: Clock;
  random: (size: number) => Uint8Array;
  catalog: { getType(typeCode: string): { nameZh: string; slug: string; use?: { annotatedCopyMaxDays: number; annotatedCopyMaxActive: number } } | undefined };
  trust: { current(): Promise<{ version: number; region: RegionRecord | null; departments: ReadonlyMap<string, { name: string }> }> };
  signers: { trustListSigner(q: Queryable, at: Date, trustVersion: number): Promise<Signer> };
  stores: { audit: AuditLog; licenses: LicenseStore; departments: DepartmentStore };
}

export interface NewGrantRequest {
  licenseIdentifier?: string;
  typeCode?: string;
  department: { uscc: string; region?: string };
  serviceItem: { name: string; code?: string };
  caseNumber: string;
  expiresAt?: string;
  maxUses?: number;
}

/**
 * The presentation QR as SVG. It is shown on the holder's screen for a few minutes, never printed: level L (7 %)
 * instead of the printed forms' Q keeps the symbol as small as the pointer allows (a pointer with one x5c
 * certificate is about 1.6 KB: version 29 at L, 40 at Q). Null when even L cannot hold it (a long chain): the page
 * then shows the text.
 */
export async function presentationQrSvg(text: string): Promise<string | null> {
  try {
    return await QRCode.toString([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }], { type: 'svg', errorCorrectionLevel: 'L', margin: 4 });
  } catch {
    return null;
  }
}

const randomId = (random: (n: number) => Uint8Array, prefix: string, bytes: number): string => prefix + Buffer.from(random(bytes)).toString('base64url');

/**
 * The holder's side of a node (issue 15): the wallet, presentations (亮证), grants (授权用证) and the usage
 * log, for the signed-in holder and for the departments that use what holders grant. HTTP-free; the
 * functions peers' requests reach (redeemGrant, consumePresentation) are in grants.ts and presentations.ts.
 */
export class HolderSide {
  readonly store = new SqlHolderStore();

  /** Nothing is read from `deps` until a method runs: a route table can be built from declarations alone. */
  constructor(private readonly deps: HolderSideDeps) {}

  get #stores(): GrantStores {
    return { holder: this.store, audit: this.deps.stores.audit, licenses: this.deps.stores.licenses };
  }

  async region(): Promise<RegionRecord> {
    const region = (await this.deps.trust.current()).region;
    if (!region) throw new ElicenseError('REGION_NOT_SET_UP', 'this node has no region yet');
    return region;
  }

  /** Every licence naming the holder, across the region's departments, with its status. */
  async wallet(holder: HolderPrincipal) {
    const snapshot = await this.deps.trust.current();
    const items = await this.store.walletLicenses(this.deps.db, holder.holderCode);
    return items.map((l) => this.#walletView(l, holder.holderCode, snapshot.departments));
  }

  async walletLicense(holder: HolderPrincipal, identifier: string) {
    const l = await this.store.walletLicense(this.deps.db, holder.holderCode, identifier);
    if (!l) throw new ElicenseError('LICENSE_NOT_FOUND', 'no licence of yours has this identifier', { identifier });
    const snapshot = await this.deps.trust.current();
    return { ...this.#walletView(l, holder.holderCode, snapshot.departments), fullForm: l.fullForm };
  }

  #walletView(l: WalletLicense, holderCode: string, departments: ReadonlyMap<string, { name: string }>) {
    const type = this.deps.catalog.getType(l.typeCode);
    return {
      identifier: l.identifier,
      typeCode: l.typeCode,
      typeName: type?.nameZh ?? null,
      typeSlug: type?.slug ?? null,
      department: { uscc: l.uscc, name: departments.get(l.uscc)?.name ?? null },
      status: l.status,
      holderRole: l.record['certificateHolderCode'] === holderCode ? 'holder' : 'co-holder',
      holderCount: holderCodesOf(l.record).length,
      issuedAt: l.createdAt.toISOString(),
      updatedAt: l.updatedAt.toISOString(),
      replacedBy: l.replacedBy,
      license: l.record,
    };
  }

  /** A single-use, expiring pointer to one of the holder's valid licences, signed by the region (亮证). */
  async createPresentation(holder: HolderPrincipal, identifier: string, ttlSeconds: number = HOLDER_LIMITS.presentationSeconds.default) {
    const { min, max } = HOLDER_LIMITS.presentationSeconds;
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < min || ttlSeconds > max) throw new ElicenseError('SCHEMA_INVALID', `ttlSeconds must be ${min}..${max}`);
    const { db, clock } = this.deps;
    const license = await this.store.walletLicense(db, holder.holderCode, identifier);
    if (!license) throw new ElicenseError('LICENSE_NOT_FOUND', 'no licence of yours has this identifier', { identifier });
    refuseNotCurrent(identifier, license.status);
    const now = clock.now();
    const snapshot = await this.deps.trust.current();
    if (!snapshot.region) throw new ElicenseError('REGION_NOT_SET_UP', 'this node has no region yet');
    const signer = await this.deps.signers.trustListSigner(db, now, snapshot.version);
    const presentationId = Buffer.from(this.deps.random(16)).toString('base64url');
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + ttlSeconds;
    const presentation = await signPresentationPointer(signer, { v: 1, region: snapshot.region.code, pid: presentationId, iat, exp });
    const expiresAt = new Date(exp * 1000);
    await db.transaction(async (tx) => {
      await this.store.insertPresentation(tx, { presentationId, licenseIdentifier: identifier, holderCode: holder.holderCode, createdAt: now, expiresAt });
      await this.deps.stores.audit.append(tx, [{ actor: holderActor(holder.holderCode), action: 'presentation.create', subject: identifier, details: { presentationId, expiresAt: expiresAt.toISOString() }, at: now }]);
    });
    // The QR the window scans, drawn here so a page needs no encoder of its own.
    return { presentation, presentationId, expiresAt: expiresAt.toISOString(), region: snapshot.region.code, qrSvg: await presentationQrSvg(presentation) };
  }

  /** The public redemption of this region's presentation QR (single use), for a verifier. */
  async redeemPresentation(presentation: string, resolver: PresentationResolver) {
    const region = await this.region();
    const now = this.deps.clock.now();
    return this.deps.db.transaction((tx) => redeemPresentation(tx, { presentation, region, now, resolver }, this.#stores));
  }

  /** A grant of one licence (or one type) to a named department for a service item and case, with its one-time code. */
  async createGrant(holder: HolderPrincipal, request: NewGrantRequest) {
    const { db, clock } = this.deps;
    const now = clock.now();
    const region = await this.region();
    if ((request.licenseIdentifier === undefined) === (request.typeCode === undefined)) {
      throw new ElicenseError('GRANT_TERMS_INVALID', 'name either licenseIdentifier (one licence) or typeCode (your licences of one type)');
    }
    const uscc = checkUscc(request.department.uscc);
    if (!uscc.ok || uscc.warnings.length > 0) {
      throw new ElicenseError('CODE_INVALID', 'department.uscc is not a valid unified social credit code', { errors: [{ path: '/department/uscc', code: uscc.ok ? uscc.warnings[0]!.code : uscc.code }] });
    }
    const departmentRegion = request.department.region ?? region.code;
    if (departmentRegion === region.code && !(await this.deps.stores.departments.get(db, request.department.uscc))) {
      throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no department of this region has this USCC', { uscc: request.department.uscc });
    }
    if (request.licenseIdentifier !== undefined) {
      const license = await this.store.walletLicense(db, holder.holderCode, request.licenseIdentifier);
      if (!license) throw new ElicenseError('LICENSE_NOT_FOUND', 'no licence of yours has this identifier', { identifier: request.licenseIdentifier });
      refuseNotCurrent(license.identifier, license.status);
    } else if (!(await this.store.walletLicensesOfType(db, holder.holderCode, request.typeCode!)).some((l) => l.status === 'valid')) {
      throw new ElicenseError('GRANT_TERMS_INVALID', 'you hold no valid licence of this type');
    }
    const limits = HOLDER_LIMITS.grantSeconds;
    const expiresAt = request.expiresAt !== undefined ? new Date(request.expiresAt) : new Date(now.getTime() + limits.default * 1000);
    const seconds = (expiresAt.getTime() - now.getTime()) / 1000;
    if (Number.isNaN(seconds) || seconds < limits.min || seconds > limits.max) {
      throw new ElicenseError('GRANT_TERMS_INVALID', `expiresAt must be from ${limits.min} seconds to ${limits.max / 86400} days ahead`);
    }
    const maxUses = request.maxUses ?? HOLDER_LIMITS.grantUses.default;
    const code = makeGrantCode(region.code, this.deps.random);
    const grantId = randomId(this.deps.random, 'gr_', 12);
    const grant = {
      grantId,
      codeSha256: grantCodeDigest(code),
      holderCode: holder.holderCode,
      licenseIdentifier: request.licenseIdentifier ?? null,
      typeCode: request.typeCode ?? null,
      department: { region: departmentRegion, uscc: request.department.uscc },
      serviceItem: { name: request.serviceItem.name, code: request.serviceItem.code ?? null },
      caseNumber: request.caseNumber,
      createdAt: now,
      expiresAt,
      maxUses,
    };
    await db.transaction(async (tx) => {
      await this.store.insertGrant(tx, grant);
      await this.deps.stores.audit.append(tx, [
        {
          actor: holderActor(holder.holderCode),
          action: 'grant.create',
          subject: grantId,
          details: { ...(grant.licenseIdentifier ? { licenseIdentifier: grant.licenseIdentifier } : { typeCode: grant.typeCode }), department: grant.department, serviceItem: grant.serviceItem, caseNumber: grant.caseNumber, expiresAt: expiresAt.toISOString(), maxUses },
          at: now,
        },
      ]);
    });
    return { grantId, code, expiresAt: expiresAt.toISOString(), maxUses, qrSvg: await renderQrSvg(code), grant: grantView({ ...grant, uses: 0, redeemedAt: null, revokedAt: null }, now) };
  }

  async grants(holder: HolderPrincipal) {
    const now = this.deps.clock.now();
    return (await this.store.grantsOf(this.deps.db, holder.holderCode)).map((g) => grantView(g, now));
  }

  /** The holder revokes one of their grants: GRANT_UNKNOWN when it is not theirs, GRANT_REVOKED when it already is. */
  async revokeGrant(holder: HolderPrincipal, grantId: string) {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const revoked = await this.store.revokeGrant(tx, grantId, holder.holderCode, now);
      if (!revoked) {
        const existing = await this.store.grant(tx, grantId);
        if (!existing || existing.holderCode !== holder.holderCode) throw new ElicenseError('GRANT_UNKNOWN', 'you have no grant with this id');
        throw new ElicenseError('GRANT_REVOKED', 'the grant is already revoked');
      }
      await this.deps.stores.audit.append(tx, [{ actor: holderActor(holder.holderCode), action: 'grant.revoke', subject: grantId, details: {}, at: now }]);
      return grantView(revoked, now);
    });
  }

  /** A department of this region (API key) exchanges a code. */
  async redeemGrant(code: string, caller: GrantCaller) {
    const now = this.deps.clock.now();
    const use = await this.#auditingRefusal(caller, now, () => this.deps.db.transaction((tx) => redeemGrant(tx, { code, caller, now }, this.#stores)));
    return {
      grantId: use.grant.grantId,
      licenses: use.licenses.map((l) => l.fullForm),
      licenseIdentifiers: use.licenses.map((l) => l.identifier),
      expiresAt: use.grant.expiresAt.toISOString(),
      readsLeft: use.readsLeft,
      serviceItem: use.grant.serviceItem,
      caseNumber: use.grant.caseNumber,
    };
  }

  async readGrantLicense(grantId: string, identifier: string, caller: GrantCaller) {
    const now = this.deps.clock.now();
    return this.#auditingRefusal(caller, now, () => this.deps.db.transaction((tx) => readGrantLicense(tx, { grantId, identifier, caller, now }, this.#stores)));
  }

  /** Another department presenting a grant's code or id is audited (the use's transaction rolled back), then refused. */
  async #auditingRefusal<T>(caller: GrantCaller, now: Date, use: () => Promise<T>): Promise<T> {
    try {
      return await use();
    } catch (e) {
      const grantId = e instanceof ElicenseError && e.code === 'GRANT_WRONG_DEPARTMENT' ? e.details?.['grantId'] : undefined;
      if (typeof grantId === 'string') {
        await this.deps.db.transaction((tx) =>
          this.deps.stores.audit.append(tx, [
            { actor: caller.auditActor, action: 'grant.refused', subject: grantId, details: { code: 'GRANT_WRONG_DEPARTMENT', region: caller.department.region, uscc: caller.department.uscc }, at: now },
          ]),
        );
      }
      throw e;
    }
  }

  /** A department of this region as a grant caller (its name for the holders' logs). */
  async localDepartment(uscc: string, auditActor: string): Promise<GrantCaller> {
    const region = await this.region();
    const name = (await this.deps.trust.current()).departments.get(uscc)?.name ?? null;
    return { kind: 'department', auditActor, department: { region: region.code, uscc, name } };
  }

  /** The type's limits on annotated copies (type standard 1.1.0 `use`), else the node's defaults. */
  annotatedCopyLimits(typeCode: string): { maxDays: number; maxActive: number } {
    const use = this.deps.catalog.getType(typeCode)?.use;
    return { maxDays: use?.annotatedCopyMaxDays ?? HOLDER_LIMITS.annotatedCopy.maxDays, maxActive: use?.annotatedCopyMaxActive ?? HOLDER_LIMITS.annotatedCopy.maxActive };
  }

  /**
   * An annotated copy (加注件) of one of the holder's valid licences for a purpose and a user department, signed by
   * the region's trust-list signer (src/annotation), expiring at most the type's annotatedCopyMaxDays after now
   * (default that many days), and at most annotatedCopyMaxActive unexpired copies per licence and holder.
   */
  async createAnnotatedCopy(holder: HolderPrincipal, identifier: string, terms: { purpose: string; userDepartment: { name: string; code: string }; expiresAt?: string }) {
    const { db, clock } = this.deps;
    const license = await this.store.walletLicense(db, holder.holderCode, identifier);
    if (!license) throw new ElicenseError('LICENSE_NOT_FOUND', 'no licence of yours has this identifier', { identifier });
    refuseNotCurrent(identifier, license.status);
    const uscc = checkUscc(terms.userDepartment.code);
    if (!uscc.ok || uscc.warnings.length > 0) {
      throw new ElicenseError('CODE_INVALID', 'userDepartment.code is not a valid unified social credit code', { errors: [{ path: '/userDepartment/code', code: uscc.ok ? uscc.warnings[0]!.code : uscc.code }] });
    }
    const limits = this.annotatedCopyLimits(license.typeCode);
    const now = clock.now();
    const madeAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const notAfter = terms.expiresAt !== undefined ? new Date(terms.expiresAt) : new Date(madeAt.getTime() + limits.maxDays * 86_400_000);
    if (Number.isNaN(notAfter.getTime()) || notAfter.getTime() <= now.getTime() + 60_000 || notAfter.getTime() > madeAt.getTime() + limits.maxDays * 86_400_000) {
      throw new ElicenseError('ANNOTATION_TERMS_INVALID', `expiresAt must be from a minute to ${limits.maxDays} days ahead (the limit of this licence type)`, { maxDays: limits.maxDays });
    }
    const snapshot = await this.deps.trust.current();
    if (!snapshot.region) throw new ElicenseError('REGION_NOT_SET_UP', 'this node has no region yet');
    const region = snapshot.region;
    const signer = await this.deps.signers.trustListSigner(db, now, snapshot.version);
    const copyId = newCopyId(this.deps.random);
    const copy = await makeAnnotatedCopy(
      {
        original: JSON.parse(license.fullForm) as FullForm,
        purpose: terms.purpose,
        userDepartment: { name: terms.userDepartment.name, code: terms.userDepartment.code },
        maker: { name: `${region.name}电子证照平台`, code: region.code },
        madeAt,
        notAfter: new Date(Math.floor(notAfter.getTime() / 1000) * 1000),
        copyId,
        region: region.code,
      },
      signer,
    );
    const document = JSON.stringify(copy);
    await db.transaction(async (tx) => {
      // One holder's copies of one licence are counted and added one at a time.
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('elicense.annotated_copies:' || $1 || '/' || $2, 0))", [identifier, holder.holderCode]);
      const active = await this.store.activeAnnotatedCopies(tx, identifier, holder.holderCode, now);
      if (active >= limits.maxActive) {
        throw new ElicenseError('ANNOTATION_LIMIT_REACHED', `this licence already has ${active} unexpired annotated copies of yours, the most its type allows`, { maxActive: limits.maxActive });
      }
      await this.store.insertAnnotatedCopy(tx, {
        copyId,
        licenseIdentifier: identifier,
        holderCode: holder.holderCode,
        purpose: copy.annotatedCopy.purpose,
        userDepartment: { ...copy.annotatedCopy.userDepartment },
        madeAt: new Date(copy.annotatedCopy.madeAt),
        notAfter: new Date(copy.annotatedCopy.notAfter),
        document,
      });
      await recordUsage(tx, this.#stores, holderActor(holder.holderCode), [
        {
          at: now,
          kind: 'annotated_copy',
          licenseIdentifier: identifier,
          holderCodes: holderCodesOf(license.record),
          // The department the copy is for: it sees the copy among its own uses.
          actor: { kind: 'holder', region: region.code, uscc: copy.annotatedCopy.userDepartment.code, name: copy.annotatedCopy.userDepartment.name },
          purpose: copy.annotatedCopy.purpose,
          copyId,
        },
      ]);
    });
    return { copy, copyId, notAfter: copy.annotatedCopy.notAfter, limits };
  }

  /** The holder's annotated copies, newest first, with their state (active, expired, revoked). */
  async annotatedCopies(holder: HolderPrincipal) {
    const now = this.deps.clock.now().getTime();
    return (await this.store.annotatedCopiesOf(this.deps.db, holder.holderCode)).map((c) => ({
      copyId: c.copyId,
      licenseIdentifier: c.licenseIdentifier,
      purpose: c.purpose,
      userDepartment: c.userDepartment,
      madeAt: annotationInstant(c.madeAt),
      notAfter: annotationInstant(c.notAfter),
      state: c.revokedAt !== null ? 'revoked' : c.notAfter.getTime() <= now ? 'expired' : 'active',
    }));
  }

  /** The holder's own annotated copy, as made (ANNOTATED_COPY_NOT_FOUND when it is not theirs). */
  async annotatedCopyOf(holder: HolderPrincipal, copyId: string): Promise<string> {
    const row = await this.store.annotatedCopy(this.deps.db, copyId);
    if (!row || row.holderCode !== holder.holderCode) throw new ElicenseError('ANNOTATED_COPY_NOT_FOUND', 'you have no annotated copy with this id');
    return row.document;
  }

  async usageOfHolder(holder: HolderPrincipal, page: Page) {
    const events = await this.store.usageOfHolder(this.deps.db, holder.holderCode, page);
    return { events: events.map(usageViewForHolder), next: events.length === page.limit ? events[events.length - 1]!.eventId : null };
  }

  /** Every use in the region (region admin, auditor), narrowed by department, kind or licence. */
  async usageOfRegion(filter: { region?: string; uscc?: string; kind?: string; licenseIdentifier?: string }, page: Page) {
    const events = await this.store.usageOfRegion(this.deps.db, filter, page);
    return { events: events.map(usageViewForRegion), next: events.length === page.limit ? events[events.length - 1]!.eventId : null };
  }

  async usageOfDepartment(uscc: string, page: Page) {
    const region = await this.region();
    const events = await this.store.usageOfDepartment(this.deps.db, region.code, uscc, page);
    return { events: events.map(usageViewForDepartment), next: events.length === page.limit ? events[events.length - 1]!.eventId : null };
  }
}
