import type { Clock } from '../clock';
import { checkHolderCode } from '../codes/holderCode';
import { parseLicenseIdentifier } from '../codes/licenseIdentifier';
import { checkUscc } from '../codes/uscc';
import type { Signer } from '../crypto/Signer';
import { ElicenseError } from '../errors';
import type { FullForm } from '../format/FullForm';
import { decodeCompactLicense } from '../forms/qr/compactLicense';
import { makeAnnotatedCopy, newCopyId } from '../annotation/makeAnnotatedCopy';
import { refuseNotCurrent } from '../holder/grants';
import { holderCodesOf, recordUsage, usageViewForDepartment } from '../holder/usageLog';
import type { StandardsCatalog } from '../standards/StandardsCatalog';
import type { AuditLog } from '../store/AuditLog';
import { SqlConsumerStore, type ConsumerGrant, type ConsumerRef, type ConsumerUseKind } from '../store/ConsumerStore';
import type { Database, Queryable } from '../store/Database';
import type { DepartmentStore } from '../store/DepartmentStore';
import { SqlHolderStore, type GrantRow, type NewUsageEvent, type Page } from '../store/HolderStore';
import type { License, LicenseStore } from '../store/LicenseStore';
import type { RegionRecord } from '../store/RegionStore';
import type { UseTerms } from './consumerTerms';

/** The annotated copy's texts (its purpose among them) are at most 64 characters (docs/adr/0012, "Annotated copy"). */
export const MAX_COPY_PURPOSE = 64;
/** Annotated copies when the type standard has no `use` block (as the holder's own copies, docs/adr/0012). */
const COPY_DEFAULTS = { maxDays: 90, maxActive: 10 } as const;

/**
 * Who is using a licence: a consuming department of this region (an API key of role `consumer`) or of a
 * recognised peer region (a request its node signed, docs/adr/0006), with its name as the holder's log shows it.
 */
export interface ConsumerCaller extends ConsumerRef {
  /** department: this region's, by API key; peer_department: a peer region's, by signed request. */
  kind: 'department' | 'peer_department';
  name: string | null;
  /** The audit actor: the API key id, or peer:<region>:<uscc>. */
  auditActor: string;
}

/** A query names exactly one of these (issue 16): a licence identifier, a holder's code (+ type), the QR text. */
export interface ConsumerQuery {
  identifier?: string;
  holder?: { code: string; codeType?: string };
  typeCode?: string;
  qr?: string;
}

/** What a consuming department needs of the node (NodeServices has it all). */
export interface ConsumerSideDeps {
  db: Database;
  clock: Clock;
  random: (size: number) => Uint8Array;
  catalog: StandardsCatalog;
  config: { consumerConsentTypes?: readonly string[] };
  trust: { current(): Promise<{ version: number; region: RegionRecord | null; departments: ReadonlyMap<string, { name: string; state: string }> }> };
  signers: { trustListSigner(q: Queryable, at: Date, trustVersion: number): Promise<Signer> };
  stores: { audit: AuditLog; licenses: LicenseStore; departments: DepartmentStore };
  /** Throws PEER_NOT_RECOGNISED unless the region is a configured (or accepted) peer of this node. */
  peerClient: { baseUrlOf(region: string): Promise<string> };
}

/** A licence as a consuming department gets it from a query: the record and its status, never the signed original. */
export interface ConsumedLicense {
  identifier: string;
  typeCode: string;
  typeName: string | null;
  status: string;
  department: { uscc: string; name: string | null };
  issuedAt: string;
  updatedAt: string;
  replacedBy: string | null;
  license: Record<string, unknown>;
  /** The holder's grant the use counted against, when the type needs the holder's consent. */
  grantId: string | null;
}

/**
 * The sharing interface for consuming departments (用证部门, issue 16), HTTP-free: per-type permissions
 * granted by the region admin, every use with a stated cause and service item, the holder's consent where
 * the type (or the region) needs it, every use in the holder's usage log and the audit chain.
 */
export class ConsumerSide {
  readonly store = new SqlConsumerStore();
  readonly holderStore = new SqlHolderStore();

  constructor(private readonly deps: ConsumerSideDeps) {}

  async region(): Promise<RegionRecord> {
    const region = (await this.deps.trust.current()).region;
    if (!region) throw new ElicenseError('REGION_NOT_SET_UP', 'this node has no region yet');
    return region;
  }

  /** A department of this region by its consumer key: its name from the trust data. */
  async localCaller(uscc: string, keyId: string): Promise<ConsumerCaller> {
    const snapshot = await this.deps.trust.current();
    if (!snapshot.region) throw new ElicenseError('REGION_NOT_SET_UP', 'this node has no region yet');
    const department = snapshot.departments.get(uscc);
    // A suspended or withdrawn department uses no licences (its key may outlive its state until the admin revokes it).
    if (department && department.state !== 'active') throw new ElicenseError('DEPARTMENT_NOT_ACTIVE', `department ${uscc} is ${department.state}`);
    return { kind: 'department', region: snapshot.region.code, uscc, name: department?.name ?? null, auditActor: keyId };
  }

  // ---- the region admin's permissions ----

  /** Grants a consuming department (of this region, or of a recognised peer region) the use of one licence type. */
  async grantType(actor: string, ref: ConsumerRef & { typeCode: string }): Promise<ConsumerGrant> {
    await this.#checkConsumer(ref);
    if (!this.deps.catalog.getType(ref.typeCode)) throw new ElicenseError('TYPE_UNKNOWN', `no licence type ${ref.typeCode} in this node's catalogue`, { typeCode: ref.typeCode });
    const at = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const grant = await this.store.grant(tx, { ...ref, at, by: actor });
      await this.deps.stores.audit.append(tx, [{ actor, action: 'consumer.grant', subject: `${ref.region}:${ref.uscc}`, details: { region: ref.region, uscc: ref.uscc, typeCode: ref.typeCode }, at }]);
      return grant;
    });
  }

  /** Revokes it: CONSUMER_GRANT_NOT_FOUND when the department has no such permission (or it is already revoked). */
  async revokeType(actor: string, ref: ConsumerRef & { typeCode: string }): Promise<ConsumerGrant> {
    const at = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const revoked = await this.store.revoke(tx, { ...ref, at });
      if (!revoked) throw new ElicenseError('CONSUMER_GRANT_NOT_FOUND', `department ${ref.uscc} of region ${ref.region} has no permission for type ${ref.typeCode}`);
      await this.deps.stores.audit.append(tx, [{ actor, action: 'consumer.revoke', subject: `${ref.region}:${ref.uscc}`, details: { region: ref.region, uscc: ref.uscc, typeCode: ref.typeCode }, at }]);
      return revoked;
    });
  }

  async grants(): Promise<ConsumerGrant[]> {
    return this.store.list(this.deps.db);
  }

  async #checkConsumer(ref: ConsumerRef): Promise<void> {
    const uscc = checkUscc(ref.uscc);
    if (!uscc.ok || uscc.warnings.length > 0) {
      throw new ElicenseError('CODE_INVALID', 'uscc is not a valid unified social credit code', { errors: [{ path: '/uscc', code: uscc.ok ? uscc.warnings[0]!.code : uscc.code }] });
    }
    const region = await this.region();
    if (ref.region === region.code) {
      if (!(await this.deps.stores.departments.get(this.deps.db, ref.uscc))) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no department of this region has this USCC', { uscc: ref.uscc });
    } else {
      // A peer region this node does not know cannot be checked for its departments: PEER_NOT_RECOGNISED.
      await this.deps.peerClient.baseUrlOf(ref.region);
    }
  }

  // ---- the consuming department's operations ----

  /** CONSUMER_TYPE_NOT_GRANTED unless the region admin granted the caller this type. */
  async #refuseUngranted(q: Queryable, caller: ConsumerCaller, typeCode: string, granted?: readonly string[]): Promise<void> {
    const types = granted ?? (await this.store.grantedTypes(q, caller));
    if (!types.includes(typeCode)) {
      throw new ElicenseError('CONSUMER_TYPE_NOT_GRANTED', `department ${caller.uscc} of region ${caller.region} has no permission for licence type ${typeCode}`, { typeCode });
    }
  }

  /** The type standard 1.1.0 (use.holderConsentRequired) or the region's configuration (ELICENSE_CONSUMER_CONSENT_TYPES) says the holder must consent. */
  consentRequired(typeCode: string): boolean {
    return this.deps.catalog.getType(typeCode)?.use?.holderConsentRequired === true || (this.deps.config.consumerConsentTypes ?? []).includes(typeCode);
  }

  /** The holder's open grant the use counts against (one use of it), or HOLDER_CONSENT_REQUIRED; null when the type needs no consent. */
  async #consent(tx: Queryable, caller: ConsumerCaller, license: License, now: Date): Promise<GrantRow | null> {
    if (!this.consentRequired(license.typeCode)) return null;
    const grant = await this.store.openHolderGrantFor(tx, caller, { identifier: license.identifier, typeCode: license.typeCode, holderCodes: holderCodesOf(license.record) }, now);
    if (!grant) {
      throw new ElicenseError(
        'HOLDER_CONSENT_REQUIRED',
        `licences of type ${license.typeCode} are used with the holder's consent: the holder has no open grant (授权用证) of this licence to department ${caller.uscc} of region ${caller.region}`,
        { identifier: license.identifier },
      );
    }
    return this.holderStore.useGrant(tx, grant.grantId, now);
  }

  #event(caller: ConsumerCaller, kind: ConsumerUseKind, license: { identifier: string; record: Record<string, unknown> }, terms: UseTerms, now: Date, extra: Partial<NewUsageEvent> = {}): NewUsageEvent {
    return {
      at: now,
      kind,
      licenseIdentifier: license.identifier,
      holderCodes: holderCodesOf(license.record),
      actor: { kind: caller.kind, region: caller.region, uscc: caller.uscc, name: caller.name },
      purpose: terms.cause,
      serviceItem: { name: terms.serviceItem.name, code: terms.serviceItem.code ?? null },
      ...extra,
    };
  }

  /**
   * Query (issue 16): by identifier, by the holder's code (+ code type, + type code) or by QR text; the
   * records and status of the licences (not the signed original), each use logged. A query by identifier or
   * QR of a type not granted is CONSUMER_TYPE_NOT_GRANTED; a query by holder code answers only granted types
   * (CONSUMER_TYPE_NOT_GRANTED when a named type is not, or the caller has none). Where the holder's consent
   * is needed, a licence without an open grant to the caller is HOLDER_CONSENT_REQUIRED when asked for by
   * identifier or QR, and left out of a holder query (`withheld` counts them; all left out: the refusal).
   */
  async query(caller: ConsumerCaller, terms: UseTerms, query: ConsumerQuery): Promise<{ licenses: ConsumedLicense[]; withheld: number }> {
    const named = [query.identifier, query.holder, query.qr].filter((x) => x !== undefined).length;
    if (named !== 1) throw new ElicenseError('CONSUMER_QUERY_INVALID', 'name exactly one of identifier, holder, qr');
    if (query.typeCode !== undefined && query.holder === undefined) throw new ElicenseError('CONSUMER_QUERY_INVALID', 'typeCode narrows a query by holder code only');
    const { db, clock } = this.deps;
    const now = clock.now();
    if (query.holder !== undefined) return this.#queryByHolder(caller, terms, query.holder, query.typeCode, now);
    const identifier = query.identifier ?? this.#identifierOfQr(query.qr!);
    const parsed = parseLicenseIdentifier(identifier);
    if (!parsed.ok) throw new ElicenseError('LICENSE_NOT_FOUND', `no licence has this identifier (${parsed.message})`, { identifier });
    await this.#refuseUngranted(db, caller, parsed.value.typeCode);
    const license = await this.deps.stores.licenses.get(db, identifier);
    if (!license) throw new ElicenseError('LICENSE_NOT_FOUND', 'no licence of this region has this identifier', { identifier });
    const snapshot = await this.deps.trust.current();
    return db.transaction(async (tx) => {
      const grant = await this.#consent(tx, caller, license, now);
      await recordUsage(tx, this.#stores, caller.auditActor, [this.#event(caller, 'consumer_query', license, terms, now, grant ? { grantId: grant.grantId, caseNumber: grant.caseNumber } : {})]);
      return { licenses: [this.#view(license, snapshot.departments, grant)], withheld: 0 };
    });
  }

  #identifierOfQr(text: string): string {
    // The QR names the licence; what is answered is this node's record of it, not the QR's word.
    return decodeCompactLicense(text.trim()).claims.identifier;
  }

  async #queryByHolder(caller: ConsumerCaller, terms: UseTerms, holder: { code: string; codeType?: string }, typeCode: string | undefined, now: Date) {
    const { db } = this.deps;
    const codeType = holder.codeType ?? (/^\d{17}[\dX]$/.test(holder.code) ? '111' : '001');
    const check = checkHolderCode(codeType, holder.code, { types: this.deps.catalog.holderCodeTypes, today: now, divisions: this.deps.catalog.divisions });
    // A check character that does not hold is a refusal here, as for holder tokens: a consumer asks about a person, not a pilot-era code.
    if (!check.ok || check.warnings.length > 0) {
      throw new ElicenseError('CODE_INVALID', `holder.code is not a valid code of type ${codeType}`, { errors: [{ path: '/holder/code', code: check.ok ? check.warnings[0]!.code : check.code }] });
    }
    const granted = await this.store.grantedTypes(db, caller);
    if (typeCode !== undefined) await this.#refuseUngranted(db, caller, typeCode, granted);
    else if (granted.length === 0) throw new ElicenseError('CONSUMER_TYPE_NOT_GRANTED', `department ${caller.uscc} of region ${caller.region} has no permission for any licence type`);
    const wallet = await this.holderStore.walletLicenses(db, holder.code);
    const candidates = wallet.filter((l) => (typeCode === undefined ? granted.includes(l.typeCode) : l.typeCode === typeCode));
    const snapshot = await this.deps.trust.current();
    return db.transaction(async (tx) => {
      const licenses: ConsumedLicense[] = [];
      const events: NewUsageEvent[] = [];
      let withheld = 0;
      for (const l of candidates) {
        const license = await this.deps.stores.licenses.get(tx, l.identifier);
        if (!license) continue;
        let grant: GrantRow | null;
        try {
          grant = await this.#consent(tx, caller, license, now);
        } catch (e) {
          if (e instanceof ElicenseError && e.code === 'HOLDER_CONSENT_REQUIRED') {
            withheld++;
            continue;
          }
          throw e;
        }
        licenses.push(this.#view(license, snapshot.departments, grant));
        events.push(this.#event(caller, 'consumer_query', license, terms, now, grant ? { grantId: grant.grantId, caseNumber: grant.caseNumber } : {}));
      }
      if (licenses.length === 0 && withheld > 0) {
        throw new ElicenseError('HOLDER_CONSENT_REQUIRED', "the holder's licences this query finds are used with the holder's consent, and the holder has granted none of them to this department");
      }
      await recordUsage(tx, this.#stores, caller.auditActor, events);
      return { licenses, withheld };
    });
  }

  #view(l: License, departments: ReadonlyMap<string, { name: string }>, grant: GrantRow | null): ConsumedLicense {
    return {
      identifier: l.identifier,
      typeCode: l.typeCode,
      typeName: this.deps.catalog.getType(l.typeCode)?.nameZh ?? null,
      status: l.status,
      department: { uscc: l.uscc, name: departments.get(l.uscc)?.name ?? null },
      issuedAt: l.createdAt.toISOString(),
      updatedAt: l.updatedAt.toISOString(),
      replacedBy: l.replacedBy,
      license: l.record,
      grantId: grant?.grantId ?? null,
    };
  }

  get #stores() {
    return { holder: this.holderStore, audit: this.deps.stores.audit };
  }

  /**
   * After a verification made for a consuming department (the node's own verification path), the type's
   * permission is judged and the use logged. A form nothing could be read from (no licence record) is no
   * use of a licence: nothing is logged. CONSUMER_TYPE_NOT_GRANTED for a type not granted.
   */
  async recordVerification(caller: ConsumerCaller, terms: UseTerms, result: { result: string; license?: Record<string, unknown> | null }): Promise<boolean> {
    const record = result.license ?? null;
    const identifier = record?.['certificateIdentifier'];
    if (!record || typeof identifier !== 'string') return false;
    const parsed = parseLicenseIdentifier(identifier);
    const typeCode = typeof record['certificateTypeCode'] === 'string' ? (record['certificateTypeCode'] as string) : parsed.ok ? parsed.value.typeCode : null;
    if (typeCode === null) return false;
    await this.#refuseUngranted(this.deps.db, caller, typeCode);
    const now = this.deps.clock.now();
    await this.deps.db.transaction((tx) => recordUsage(tx, this.#stores, caller.auditActor, [this.#event(caller, 'consumer_verification', { identifier, record }, terms, now)]));
    return true;
  }

  /**
   * Download (issue 16): always an annotated copy (加注件) of a valid licence, made for the stated cause
   * (its purpose, at most 64 characters: CAUSE_INVALID beyond) and the caller (its user department), signed by
   * the region's trust-list signer as the holder's own copies are (src/annotation), expiring after the type's
   * annotatedCopyMaxDays (else 90); never the bare original. The copy counts among the licence's unexpired
   * copies (its first holder's; ANNOTATION_LIMIT_REACHED at the type's annotatedCopyMaxActive).
   */
  async copy(caller: ConsumerCaller, terms: UseTerms, identifier: string): Promise<{ copyId: string; document: string; notAfter: string; holderCode: string }> {
    const { db, clock } = this.deps;
    if ([...terms.cause].length > MAX_COPY_PURPOSE) {
      throw new ElicenseError('CAUSE_INVALID', `an annotated copy's purpose is its cause: at most ${MAX_COPY_PURPOSE} characters`, { errors: [{ path: '/cause', code: 'CAUSE_INVALID' }] });
    }
    const parsed = parseLicenseIdentifier(identifier);
    if (!parsed.ok) throw new ElicenseError('LICENSE_NOT_FOUND', `no licence has this identifier (${parsed.message})`, { identifier });
    await this.#refuseUngranted(db, caller, parsed.value.typeCode);
    const license = await this.deps.stores.licenses.get(db, identifier);
    if (!license) throw new ElicenseError('LICENSE_NOT_FOUND', 'no licence of this region has this identifier', { identifier });
    refuseNotCurrent(identifier, license.status);
    const holderCode = holderCodesOf(license.record)[0];
    if (holderCode === undefined) throw new ElicenseError('LICENSE_NOT_FOUND', 'the licence names no holder', { identifier });
    const use = this.deps.catalog.getType(license.typeCode)?.use;
    const limits = { maxDays: use?.annotatedCopyMaxDays ?? COPY_DEFAULTS.maxDays, maxActive: use?.annotatedCopyMaxActive ?? COPY_DEFAULTS.maxActive };
    const now = clock.now();
    const snapshot = await this.deps.trust.current();
    if (!snapshot.region) throw new ElicenseError('REGION_NOT_SET_UP', 'this node has no region yet');
    const region = snapshot.region;
    const madeAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const signer = await this.deps.signers.trustListSigner(db, now, snapshot.version);
    const copyId = newCopyId(this.deps.random);
    const copy = await makeAnnotatedCopy(
      {
        original: JSON.parse(license.fullForm) as FullForm,
        purpose: terms.cause,
        userDepartment: { name: caller.name ?? caller.uscc, code: caller.uscc },
        maker: { name: `${region.name}电子证照平台`, code: region.code },
        madeAt,
        notAfter: new Date(madeAt.getTime() + limits.maxDays * 86_400_000),
        copyId,
        region: region.code,
      },
      signer,
    );
    const document = JSON.stringify(copy);
    await db.transaction(async (tx) => {
      const grant = await this.#consent(tx, caller, license, now);
      // The licence's copies are counted and added one at a time (the same lock as the holder's own copies).
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('elicense.annotated_copies:' || $1 || '/' || $2, 0))", [identifier, holderCode]);
      const active = await this.holderStore.activeAnnotatedCopies(tx, identifier, holderCode, now);
      if (active >= limits.maxActive) {
        throw new ElicenseError('ANNOTATION_LIMIT_REACHED', `this licence already has ${active} unexpired annotated copies, the most its type allows`, { maxActive: limits.maxActive });
      }
      await this.holderStore.insertAnnotatedCopy(tx, {
        copyId,
        licenseIdentifier: identifier,
        holderCode,
        purpose: copy.annotatedCopy.purpose,
        userDepartment: { ...copy.annotatedCopy.userDepartment, region: caller.region },
        madeAt: new Date(copy.annotatedCopy.madeAt),
        notAfter: new Date(copy.annotatedCopy.notAfter),
        document,
      });
      await recordUsage(tx, this.#stores, caller.auditActor, [
        this.#event(caller, 'consumer_copy', license, terms, now, { copyId, ...(grant ? { grantId: grant.grantId, caseNumber: grant.caseNumber } : {}) }),
      ]);
    });
    return { copyId, document, notAfter: copy.annotatedCopy.notAfter, holderCode };
  }

  /** The face-field dictionary of a type (its newest standard, or the version named): labels, types, which fields the QR carries. */
  fields(typeCode: string, version?: string) {
    const standard = this.deps.catalog.getType(typeCode, version);
    if (!standard) throw new ElicenseError('TYPE_UNKNOWN', `no licence type ${typeCode}${version ? ` version ${version}` : ''} in this node's catalogue`, { typeCode });
    const properties = standard.faceSchema.properties;
    const required = new Set<string>(standard.faceSchema.required);
    const qr = new Set<string>(standard.qrFields);
    return {
      typeCode: standard.typeCode,
      version: standard.version,
      name: { zh: standard.nameZh, en: standard.nameEn },
      consentRequired: this.consentRequired(standard.typeCode),
      fields: Object.keys(properties).map((name) => {
        const schema = (properties[name] ?? {}) as Record<string, unknown>;
        const label = standard.labels.face[name];
        return {
          name,
          label: { zh: label?.zh ?? null, en: label?.en ?? null },
          type: typeof schema['type'] === 'string' ? schema['type'] : Array.isArray(schema['type']) ? (schema['type'] as unknown[]).join('|') : 'object',
          ...(typeof schema['format'] === 'string' ? { format: schema['format'] } : {}),
          required: required.has(name),
          inQr: qr.has(name),
        };
      }),
    };
  }

  /** The caller's own uses (of every kind it made: its consumer uses, and exchanges and reads of holders' grants), newest first. */
  async usage(caller: ConsumerCaller, page: Page) {
    const events = await this.holderStore.usageOfDepartment(this.deps.db, caller.region, caller.uscc, page);
    return {
      events: events.map((e) => ({ ...usageViewForDepartment(e), copyId: e.copyId ?? null })),
      next: events.length === page.limit ? events[events.length - 1]!.eventId : null,
    };
  }

  async statistics(range: { from?: Date; to?: Date }) {
    return this.store.useStatistics(this.deps.db, range);
  }
}
