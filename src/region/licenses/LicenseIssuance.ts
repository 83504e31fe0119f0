import type { Clock } from '../../clock';
import { generateSerial } from '../../codes/licenseIdentifier';
import type { Signer } from '../../crypto/Signer';
import { ElicenseError, isElicenseError } from '../../errors';
import type { FullForm } from '../../format/FullForm';
import { issueLicense, selfCheckLicense, signNewLicense } from '../../issue/issueLicense';
import { prepareCheckedRecord } from '../../issue/prepareLicenseRecord';
import type { AuditEvent, AuditLog } from '../../store/AuditLog';
import type { Database, Queryable } from '../../store/Database';
import type { DepartmentStore } from '../../store/DepartmentStore';
import type { IdempotencyStore } from '../../store/IdempotencyStore';
import type { LicenseStore, NewLicense } from '../../store/LicenseStore';
import { draftWarnings, refuseUnacknowledged, type DraftWarning } from '../../standards/issuanceWarnings';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import { chinaCalendarDate } from '../../chinaCalendarDate';
import { createVerifierCaches, type VerifierCaches } from '../../verify/verifyLicense';
import type { Principal } from '../permissions';
import type { NodeDepartment, NodeTrust, NodeTrustSnapshot } from '../../trust/NodeTrust';
import type { NodeMetrics } from '../NodeMetrics';
import type { RegionSigners } from '../RegionSigners';
import type { BatchRecordRequest, IssueRequest } from './issueRequest';
import { issuerMayIssue, type IssuerStanding } from './issuerMayIssue';
import { checkLifecycleChange, LicenseRecords, type LicenseRecordsDeps } from './LicenseRecords';
import { SelfCheckPool } from './SelfCheckPool';
import { selfCheckTrustOf } from './selfCheckTrust';

/** What issuance uses (a node's services fit it): the re-issue's revocation goes through LicenseRecords. */
export interface LicenseIssuanceDeps extends LicenseRecordsDeps {
  catalog: StandardsCatalog;
  random: (size: number) => Uint8Array;
  clock: Clock;
  db: Database;
  stores: { departments: DepartmentStore; idempotency: IdempotencyStore; licenses: LicenseStore; audit: AuditLog };
  /** The region's trust data, confirmed against the database for each request. */
  trust: Pick<NodeTrust, 'current'>;
  signers: Pick<RegionSigners, 'departmentSigner' | 'timestampAuthority'>;
  metrics: Pick<NodeMetrics, 'issued' | 'lifecycle'>;
  /** The node's self-check workers (closed when the node stops); absent: a pool of this issuance's own (tests, CLI). */
  selfChecks?: SelfCheckPool;
}

/** A validation warning the licence carries (verification shows its code), at the request field it came from. */
export interface IssuedWarning {
  path: string;
  code: string;
  message: string;
}

export interface IssueOutcome {
  identifier: string;
  /** The signed full form exactly as stored and handed out. */
  fullForm: string;
  replayed: boolean;
  warnings: IssuedWarning[];
}

export type BatchResult =
  | { index: number; idempotencyKey?: string; status: 'created' | 'replayed'; identifier: string; fullForm: string; warnings: IssuedWarning[] }
  | { index: number; idempotencyKey?: string; status: 'failed'; error: { code: string; detail: string; errors?: unknown } };

/** Licences per transaction in a batch: a crash loses at most the chunk in flight, and leaves nothing of it. */
export const BATCH_CHUNK = 250;
/** Licences per INSERT while a chunk is signed: the rows of one part are written while the next part is signed. */
const INSERT_PART = 50;
/** Signatures between two turns of the event loop, in which the database connection is served. */
const YIELD_EVERY = 10;

interface Prepared {
  index: number;
  request: IssueRequest;
  idempotencyKey: string | undefined;
  warnings: IssuedWarning[];
}

/** Records that failed inside a chunk transaction: the chunk is rolled back and run again without them. */
class RecordsFailed extends Error {
  constructor(readonly failures: ReadonlyMap<number, ElicenseError>) {
    super([...failures.values()][0]?.message);
  }
}

/**
 * Issuance on a department's behalf: prepare → record → sign → store in one
 * transaction per licence (or per chunk of a batch): idempotency reservation,
 * department and type authorisation, status slot, serial, signature and
 * region timestamp, self-verification, insert, audit, idempotency completion.
 *
 * The department's right to issue the type is decided by issuerMayIssue
 * alone. It is asked before the data is checked, against the trust snapshot
 * confirmed for this request (a refused type is refused whatever the data),
 * and again inside the issuing transaction against the department's row and
 * grants as they stand there (a suspension or a withdrawn grant in between is
 * seen before anything is signed).
 */
export class LicenseIssuance {
  readonly #records: LicenseRecords;
  /** Worker threads for the self-check of batch licences (started by the first batch, stopped when idle). */
  readonly #pool: SelfCheckPool;

  constructor(private readonly s: LicenseIssuanceDeps) {
    this.#records = new LicenseRecords(s);
    this.#pool = s.selfChecks ?? new SelfCheckPool();
  }

  async issueOne(principal: Principal, request: IssueRequest, idempotencyKey: string | undefined): Promise<IssueOutcome> {
    const uscc = issuerDepartment(principal);
    const snapshot = await this.s.trust.current();
    const warnings = this.#dryRun(snapshot, uscc, request);
    const at = this.s.clock.now();
    const caches = createVerifierCaches();
    const prepared: Prepared = { index: 0, request, idempotencyKey, warnings };
    let outcome: IssueOutcome;
    try {
      outcome = await this.s.db.transaction(async (tx): Promise<IssueOutcome> => {
        if (idempotencyKey !== undefined) {
          const r = await this.s.stores.idempotency.reserve(tx, { principal: principal.keyId, key: idempotencyKey, requestHash: request.hash, at });
          if (r.kind === 'replay') return { ...(await this.#stored(tx, r.licenseIdentifier)), replayed: true };
        }
        const department = await this.#authorised(tx, snapshot, uscc, request.standard.typeCode, at);
        const refused = await this.#claim(tx, principal, uscc, [prepared]);
        if (refused.size > 0) throw refused.get(0)!;
        const signers = await this.#signers(tx, uscc, at, snapshot.version);
        const [slot] = await this.s.stores.licenses.allocateStatusSlots(tx, uscc, 1, at);
        const license = await this.#sign(request, department, signers, snapshot, slot!, at, principal.keyId, caches);
        await this.s.stores.licenses.insert(tx, [license]);
        await this.#replace(tx, principal, [prepared], [license], at);
        await this.s.stores.audit.append(tx, [issueEvent(principal, license, warnings, idempotencyKey !== undefined)]);
        if (idempotencyKey !== undefined) {
          await this.s.stores.idempotency.complete(tx, { principal: principal.keyId, key: idempotencyKey, licenseIdentifier: license.identifier, response: { status: 201 }, at });
        }
        return { identifier: license.identifier, fullForm: license.fullForm, replayed: false, warnings };
      });
    } finally {
      // A replaced licence was revoked: a verification through this process sees it at once.
      if (request.replaces !== undefined) this.s.ownStatus.invalidate();
    }
    if (!outcome.replayed) {
      this.s.metrics.issued.inc({ type: request.standard.typeCode, department: uscc });
      if (request.replaces !== undefined) this.s.metrics.lifecycle.inc({ action: 'revoke' });
    }
    return outcome;
  }

  /**
   * A batch: every record is checked on its own (a bad record fails alone);
   * the good ones are issued in chunks, one transaction each, with one slot
   * allocation, one multi-row insert and one audit append per chunk.
   */
  async issueBatch(principal: Principal, records: Array<BatchRecordRequest | ElicenseError>): Promise<BatchResult[]> {
    const uscc = issuerDepartment(principal);
    const snapshot = await this.s.trust.current();
    const results: BatchResult[] = new Array(records.length);
    const keyOf = (i: number) => {
      const r = records[i];
      return r instanceof ElicenseError || r?.idempotencyKey === undefined ? {} : { idempotencyKey: r.idempotencyKey };
    };
    const fail = (index: number, e: ElicenseError): void => {
      results[index] = { index, ...keyOf(index), status: 'failed', error: problemOf(e) };
    };
    const todo: Prepared[] = [];
    // A key used twice in one batch: the first does the work, a later identical record replays it.
    const firstByKey = new Map<string, Prepared>();
    const sameAs = new Map<number, number>();
    // One licence per certificate number, and one successor per replaced licence, inside the batch too.
    const firstByNumber = new Map<string, number>();
    const replacedBy = new Map<string, number>();
    records.forEach((r, index) => {
      if (r instanceof ElicenseError) return fail(index, r);
      let warnings: IssuedWarning[];
      try {
        warnings = this.#dryRun(snapshot, uscc, r);
      } catch (e) {
        if (isElicenseError(e)) return fail(index, e);
        throw e;
      }
      const prepared: Prepared = { index, request: r, idempotencyKey: r.idempotencyKey, warnings };
      if (r.idempotencyKey !== undefined) {
        const first = firstByKey.get(r.idempotencyKey);
        if (first) {
          if (first.request.hash !== r.hash) fail(index, new ElicenseError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key is used by another record of the batch with different content'));
          else sameAs.set(index, first.index);
          return;
        }
        firstByKey.set(r.idempotencyKey, prepared);
      }
      const number = numberKey(r);
      const sameNumber = firstByNumber.get(number);
      if (sameNumber !== undefined) return fail(index, numberInUse(r, `the record at index ${sameNumber} of this batch`, { index: sameNumber }));
      const replaced = r.replaces?.identifier;
      const sameReplaced = replaced === undefined ? undefined : replacedBy.get(replaced);
      if (sameReplaced !== undefined) {
        return fail(index, new ElicenseError('LICENSE_STATE_CONFLICT', `the record at index ${sameReplaced} of this batch replaces the same licence`, { identifier: replaced }));
      }
      firstByNumber.set(number, index);
      if (replaced !== undefined) replacedBy.set(replaced, index);
      todo.push(prepared);
    });

    const caches = createVerifierCaches();
    for (let i = 0; i < todo.length; i += BATCH_CHUNK) {
      const chunk = todo.slice(i, i + BATCH_CHUNK);
      const excluded = new Map<number, ElicenseError>();
      for (;;) {
        try {
          const done = await this.s.db.transaction((tx) => this.#issueChunk(tx, principal, uscc, snapshot, chunk.filter((p) => !excluded.has(p.index)), caches));
          for (const r of done) {
            results[r.index] = r;
            // Counted once the chunk has committed (a retried transaction must not count twice).
            if (r.status === 'created') {
              const request = records[r.index] as BatchRecordRequest;
              this.s.metrics.issued.inc({ type: request.standard.typeCode, department: uscc });
              if (request.replaces !== undefined) this.s.metrics.lifecycle.inc({ action: 'revoke' });
            }
          }
          break;
        } catch (e) {
          if (!(e instanceof RecordsFailed)) throw e;
          for (const [index, cause] of e.failures) excluded.set(index, cause);
        } finally {
          if (chunk.some((p) => p.request.replaces !== undefined)) this.s.ownStatus.invalidate();
        }
      }
      for (const [index, e] of excluded) fail(index, e);
    }
    for (const [index, first] of sameAs) {
      const r = results[first]!;
      results[index] = r.status === 'failed' ? { ...r, index } : { ...r, index, status: 'replayed' };
    }
    return results;
  }

  async #issueChunk(tx: Queryable, principal: Principal, uscc: string, snapshot: NodeTrustSnapshot, chunk: Prepared[], caches: VerifierCaches): Promise<BatchResult[]> {
    const at = this.s.clock.now();
    const results: BatchResult[] = [];
    const fresh: Prepared[] = [];
    // Authorisation first: a record refused here is never reserved, so its key stays free for a corrected retry.
    const standing = await this.#standing(tx, uscc);
    const allowed: Prepared[] = [];
    for (const p of chunk) {
      const right = issuerMayIssue(uscc, standing, p.request.standard.typeCode, at, this.s.catalog);
      if (!right.allowed) {
        results.push({ index: p.index, ...(p.idempotencyKey !== undefined ? { idempotencyKey: p.idempotencyKey } : {}), status: 'failed', error: problemOf(right.error) });
        continue;
      }
      if (p.idempotencyKey === undefined) fresh.push(p);
      else allowed.push(p);
    }
    // All keys of the chunk reserved in two statements (keys are distinct: repeats were folded before).
    const outcomes = await this.s.stores.idempotency.reserveMany(
      tx,
      principal.keyId,
      allowed.map((p) => ({ key: p.idempotencyKey!, requestHash: p.request.hash })),
      at,
    );
    for (let i = 0; i < allowed.length; i++) {
      const p = allowed[i]!;
      const r = outcomes[i]!;
      if (r instanceof ElicenseError) throw new RecordsFailed(new Map([[p.index, r]]));
      if (r.kind === 'replay') {
        const stored = await this.#stored(tx, r.licenseIdentifier);
        results.push({ index: p.index, idempotencyKey: p.idempotencyKey!, status: 'replayed', ...stored });
      } else fresh.push(p);
    }
    if (fresh.length === 0) return results;
    const refused = await this.#claim(tx, principal, uscc, fresh);
    if (refused.size > 0) throw new RecordsFailed(refused);
    // Records got here only with the issuer's standing read above, so the department exists.
    const dept = snapshot.departments.get(uscc) ?? standing!;
    const signers = await this.#signers(tx, uscc, at, snapshot.version);
    const slots = await this.s.stores.licenses.allocateStatusSlots(tx, uscc, fresh.length, at);
    // Signing overlaps the database and the self-checks: each licence signed here is verified on a worker
    // thread (SelfCheckPool) while the next is signed, and each part is queued for insert (in order, on this
    // transaction's connection) once all its licences passed, so the server writes rows meanwhile. Nothing
    // unchecked is written: a part's insert waits for its checks. Without workers the check runs here.
    const pool = this.#pool;
    const trust = pool.size > 0 ? selfCheckTrustOf(snapshot.trust, uscc, signers.tsa.keyId) : null;
    const trustKey = `${snapshot.version}/${uscc}/${signers.tsa.keyId}/${snapshot.trust.asOf?.getTime() ?? ''}`;
    const licenses: NewLicense[] = [];
    const checks: Array<Promise<void>> = [];
    let writing: Promise<void> = Promise.resolve();
    const write = (part: readonly NewLicense[], partChecks: ReadonlyArray<Promise<void>>): void => {
      writing = writing.then(() => Promise.all(partChecks)).then(() => this.s.stores.licenses.insert(tx, part));
      // Observed below (awaited, or awaited and dropped when signing fails first).
      writing.catch(() => undefined);
    };
    const here = (form: FullForm): void => selfCheckLicense(form, { trust: snapshot.trust, catalog: this.s.catalog, at, caches });
    try {
      let queued = 0;
      for (let i = 0; i < fresh.length; i++) {
        const p = fresh[i]!;
        const failed = (e: unknown): never => {
          if (isElicenseError(e)) throw new RecordsFailed(new Map([[p.index, e]]));
          throw e;
        };
        let signed: { license: NewLicense; form: FullForm };
        try {
          signed = await this.#signUnchecked(p.request, dept, signers, slots[i]!, at, principal.keyId);
        } catch (e) {
          failed(e);
        }
        const form = signed!.form;
        let check: Promise<void>;
        if (trust) {
          // A worker that failed (not the check) hands the licence back: it is checked here instead.
          check = pool.check(signed!.license.fullForm, trust, trustKey, at).catch((e: unknown) => (isElicenseError(e) ? failed(e) : here(form))).catch(failed);
        } else {
          try {
            here(form);
          } catch (e) {
            failed(e);
          }
          check = Promise.resolve();
        }
        // Observed when its part is written; a refusal must not go unobserved before that.
        check.catch(() => undefined);
        checks.push(check);
        licenses.push(signed!.license);
        if (licenses.length - queued >= INSERT_PART) {
          write(licenses.slice(queued), checks.slice(queued));
          queued = licenses.length;
        }
        // Let the connection send what is queued and read its answers between signatures.
        if ((i + 1) % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (queued < licenses.length) write(licenses.slice(queued), checks.slice(queued));
      await writing;
    } catch (e) {
      // The transaction is rolled back by the caller: nothing of the chunk stays. Wait for what is queued first,
      // and name every record whose check failed, so the chunk is run again once without all of them.
      await writing.catch(() => undefined);
      if (!(e instanceof RecordsFailed)) throw e;
      const failures = new Map(e.failures);
      for (const r of await Promise.allSettled(checks)) {
        if (r.status === 'rejected' && r.reason instanceof RecordsFailed) for (const [index, cause] of r.reason.failures) failures.set(index, cause);
      }
      throw new RecordsFailed(failures);
    }
    await this.#replace(tx, principal, fresh, licenses, at);
    await this.s.stores.audit.append(
      tx,
      licenses.map((l, i) => issueEvent(principal, l, fresh[i]!.warnings, fresh[i]!.idempotencyKey !== undefined, true)),
    );
    await this.s.stores.idempotency.completeMany(
      tx,
      principal.keyId,
      fresh.flatMap((p, i) => (p.idempotencyKey === undefined ? [] : [{ key: p.idempotencyKey, licenseIdentifier: licenses[i]!.identifier, response: { status: 201 } }])),
      at,
    );
    for (let i = 0; i < fresh.length; i++) {
      const p = fresh[i]!;
      const l = licenses[i]!;
      results.push({ index: p.index, ...(p.idempotencyKey !== undefined ? { idempotencyKey: p.idempotencyKey } : {}), status: 'created', identifier: l.identifier, fullForm: l.fullForm, warnings: p.warnings });
    }
    return results;
  }

  /**
   * Checks the data against the type standard before any slot is taken or lock held (cheap, no database),
   * and refuses what verification would flag unless the request acknowledges it. Returns the warnings the
   * licence will carry.
   */
  #dryRun(snapshot: NodeTrustSnapshot, uscc: string, request: IssueRequest): IssuedWarning[] {
    const d = snapshot.departments.get(uscc);
    const now = this.s.clock.now();
    // Authorisation before content: a type the department may not issue is refused whatever the data.
    const right = issuerMayIssue(uscc, d, request.standard.typeCode, now, this.s.catalog);
    if (!right.allowed) throw right.error;
    const { warnings } = prepareCheckedRecord(request.draft, {
      catalog: this.s.catalog,
      issuer: { name: d!.name, uscc: d!.uscc, divisionCode: d!.divisionCode },
      serial: '0',
      today: chinaCalendarDate(now),
      ...(snapshot.region ? { regionCode: snapshot.region.code } : {}),
    });
    // The same catalogue validation verification runs (verifyLicense's schema step), so the two agree.
    const placed = draftWarnings(warnings, request.draft);
    refuseUnacknowledged(placed, request.acknowledged, inRequest, (codes) => `send "acknowledgeWarnings": ${JSON.stringify(codes)}`);
    return placed.map(inRequest);
  }

  /**
   * Under a lock per certificate number: a number already held by a licence that is not revoked (other
   * than the one a record replaces) is refused, and a replaced licence must be one the caller may revoke
   * (the lifecycle rules of LicenseRecords), of the same type, not yet replaced. Returns the refusals by
   * record index; nothing is written.
   */
  async #claim(tx: Queryable, principal: Principal, uscc: string, records: readonly Prepared[]): Promise<Map<number, ElicenseError>> {
    const refused = new Map<number, ElicenseError>();
    const held = await this.s.stores.licenses.claimCertificateNumbers(
      tx,
      uscc,
      records.map((p) => ({ typeCode: p.request.standard.typeCode, certificateNumber: p.request.draft.certificateNumber })),
    );
    for (const p of records) {
      const replaced = p.request.replaces;
      if (replaced !== undefined) {
        try {
          const holder = await this.s.stores.licenses.lockForStatusChange(tx, replaced.identifier);
          if (!holder) throw new ElicenseError('LICENSE_NOT_FOUND', 'the licence named in replaces was not issued here', { identifier: replaced.identifier });
          checkLifecycleChange(principal, holder, 'revoked', replaced.identifier);
          if (holder.typeCode !== p.request.standard.typeCode) {
            throw new ElicenseError('LICENSE_REPLACEMENT_INVALID', `the licence named in replaces is of type ${holder.typeCode}, not ${p.request.standard.typeCode}`, {
              errors: [{ path: '/replaces/identifier', message: 'a licence of another type' }],
            });
          }
          if (holder.replacedBy !== null) throw new ElicenseError('LICENSE_STATE_CONFLICT', `the licence named in replaces was already replaced by ${holder.replacedBy}`, { identifier: replaced.identifier });
        } catch (e) {
          if (!isElicenseError(e)) throw e;
          refused.set(p.index, e);
          continue;
        }
      }
      const other = held.find(
        (h) => h.typeCode === p.request.standard.typeCode && h.certificateNumber === p.request.draft.certificateNumber && h.identifier !== replaced?.identifier,
      );
      if (other) refused.set(p.index, numberInUse(p.request, other.identifier, { identifier: other.identifier }));
    }
    return refused;
  }

  /**
   * Revokes the licences the new ones replace, with the request's reason, through the lifecycle's own
   * status change (its rules, its audit entry), and links both ways.
   */
  async #replace(tx: Queryable, principal: Principal, records: readonly Prepared[], licenses: readonly NewLicense[], at: Date): Promise<void> {
    for (let i = 0; i < records.length; i++) {
      const replaced = records[i]!.request.replaces;
      if (replaced === undefined) continue;
      const successor = licenses[i]!.identifier;
      await this.#records.changeStatusIn(tx, principal, replaced.identifier, 'revoke', replaced.reason, at, { replacedBy: successor });
      await this.s.stores.licenses.recordReplacement(tx, replaced.identifier, successor);
    }
  }

  /** The issuer's right to the type (issuerMayIssue) against its row and grants as the issuing transaction reads them. */
  async #authorised(tx: Queryable, snapshot: NodeTrustSnapshot, uscc: string, typeCode: string, at: Date): Promise<NodeDepartment> {
    const standing = await this.#standing(tx, uscc);
    const right = issuerMayIssue(uscc, standing, typeCode, at, this.s.catalog);
    if (!right.allowed) throw right.error;
    return snapshot.departments.get(uscc) ?? standing!;
  }

  /** The department's row and the types it holds, read in the issuing transaction (null: no such department). */
  async #standing(tx: Queryable, uscc: string): Promise<(NodeDepartment & IssuerStanding) | null> {
    const department = await this.s.stores.departments.get(tx, uscc);
    return department ? { ...department, typeCodes: new Set(await this.s.stores.departments.typesOf(tx, uscc)) } : null;
  }

  async #signers(tx: Queryable, uscc: string, at: Date, version: number): Promise<{ department: Signer; tsa: Signer }> {
    const department = await this.s.signers.departmentSigner(tx, uscc, at, version);
    const tsa = await this.s.signers.timestampAuthority(tx, at, version);
    return { department, tsa };
  }

  async #sign(
    request: IssueRequest,
    department: NodeDepartment,
    signers: { department: Signer; tsa: Signer },
    snapshot: NodeTrustSnapshot,
    slot: { statusListId: string; statusIndex: number },
    at: Date,
    actor: string,
    caches: VerifierCaches,
  ): Promise<NewLicense> {
    const form: FullForm = await issueLicense(request.draft, { ...this.#signing(request, department, signers, slot, at), trust: snapshot.trust, caches });
    return newLicense(request, department, slot, at, actor, form);
  }

  /** Signed and stamped, not yet self-checked: the caller checks it before it is stored or handed out. */
  async #signUnchecked(
    request: IssueRequest,
    department: NodeDepartment,
    signers: { department: Signer; tsa: Signer },
    slot: { statusListId: string; statusIndex: number },
    at: Date,
    actor: string,
  ): Promise<{ license: NewLicense; form: FullForm }> {
    const form = await signNewLicense(request.draft, this.#signing(request, department, signers, slot, at));
    return { license: newLicense(request, department, slot, at, actor, form), form };
  }

  #signing(request: IssueRequest, department: NodeDepartment, signers: { department: Signer; tsa: Signer }, slot: { statusListId: string; statusIndex: number }, at: Date) {
    return {
      catalog: this.s.catalog,
      department: { name: department.name, uscc: department.uscc, divisionCode: department.divisionCode, signer: signers.department },
      timestampAuthority: signers.tsa,
      serial: generateSerial(this.s.random),
      at,
      statusEntry: { listId: slot.statusListId, index: slot.statusIndex },
    };
  }

  /** A replayed licence, with the warnings it carries (recomputed from its record, as a verifier would). */
  async #stored(q: Queryable, identifier: string | null): Promise<{ identifier: string; fullForm: string; warnings: IssuedWarning[] }> {
    const license = identifier ? await this.s.stores.licenses.get(q, identifier) : null;
    if (!license) throw new ElicenseError('INTERNAL', 'an idempotency key points at a licence that does not exist');
    // The draft is not at hand: an area or issue date warning keeps its record path.
    const placed = draftWarnings(this.s.catalog.validateRecord(license.record).warnings, {});
    return { identifier: license.identifier, fullForm: license.fullForm, warnings: placed.map(inRequest) };
  }
}

export function issuerDepartment(principal: Principal): string {
  if (principal.role !== 'issuer' || principal.uscc === null) throw new ElicenseError('FORBIDDEN', 'only an issuer key issues licences, for its own department');
  return principal.uscc;
}

function newLicense(request: IssueRequest, department: NodeDepartment, slot: { statusListId: string; statusIndex: number }, at: Date, actor: string, form: FullForm): NewLicense {
  const record = form.license;
  const identifier = record['certificateIdentifier'] as string;
  const parts = identifier.split('.');
  return {
    identifier,
    ...(request.replaces !== undefined ? { replaces: request.replaces.identifier } : {}),
    uscc: department.uscc,
    typeCode: request.standard.typeCode,
    serial: parts[parts.length - 3]!,
    version: Number(parts[parts.length - 2]),
    statusListId: slot.statusListId,
    statusIndex: slot.statusIndex,
    record,
    fullForm: JSON.stringify(form),
    actor,
    at,
  };
}

function issueEvent(principal: Principal, l: NewLicense, warnings: readonly IssuedWarning[], withKey: boolean, batch = false): AuditEvent {
  return {
    actor: principal.keyId,
    action: 'licence.issue',
    subject: l.identifier,
    details: {
      uscc: l.uscc,
      typeCode: l.typeCode,
      statusListId: l.statusListId,
      statusIndex: l.statusIndex,
      ...(withKey ? { idempotencyKey: true } : {}),
      ...(batch ? { batch: true } : {}),
      ...(l.replaces !== undefined ? { replaces: l.replaces } : {}),
      // The codes and fields signed despite a warning (acknowledged), never the values: they may be personal data.
      ...(warnings.length > 0 ? { warnings: warnings.map((w) => ({ path: w.path, code: w.code })) } : {}),
    },
    at: l.at,
  };
}

/** A draft warning at its place in the issue request (the draft is the request's `data`). */
function inRequest(w: DraftWarning): IssuedWarning {
  return { path: w.supplied ? `/data${w.path}` : w.path, code: w.code, message: w.message };
}

function numberKey(r: IssueRequest): string {
  return `${r.standard.typeCode}\u0000${r.draft.certificateNumber}`;
}

function numberInUse(r: IssueRequest, holder: string, extra: Record<string, unknown>): ElicenseError {
  return new ElicenseError(
    'LICENSE_NUMBER_IN_USE',
    `certificate number ${r.draft.certificateNumber} of this type is held by ${holder}, which is not revoked; to re-issue (换发/补发), name it in "replaces": {"identifier", "reason"}`,
    { errors: [{ path: '/data/certificateNumber', code: 'LICENSE_NUMBER_IN_USE', message: `held by ${holder}`, ...extra }] },
  );
}

function problemOf(e: ElicenseError): { code: string; detail: string; errors?: unknown } {
  const errors = e.details?.['errors'];
  return { code: e.code, detail: e.message, ...(Array.isArray(errors) ? { errors } : {}) };
}
