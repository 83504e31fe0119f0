import { createHash } from 'node:crypto';
import { ElicenseError } from '../../errors';
import type { Clock } from '../../clock';
import type { AuditLog } from '../../store/AuditLog';
import type { Database } from '../../store/Database';
import type { DepartmentSeal, DepartmentStore } from '../../store/DepartmentStore';
import type { RegionStore } from '../../store/RegionStore';
import { LicenseFonts } from '../../forms/pdf/LicenseFonts';
import { carriesDemoPolicy } from '../../pki/ca/demoRegionPolicy';
import { DEMO_SEAL_SIZE, drawDemoSealPng } from './demoSeal';
import { checkSealPng } from './sealImage';

/** What seal administration uses (a node's services fit it). */
export interface DepartmentSealsDeps {
  db: Database;
  clock: Clock;
  stores: { departments: DepartmentStore; audit: AuditLog; region: RegionStore };
}

/** A seal as served: registered, or (a department of a demo region without one) the demo seal drawn from its name. */
export interface ServedSeal {
  png: Uint8Array;
  sha256: string;
  source: 'registered' | 'demo';
}

/**
 * A department's seal image, registered by the region administrator and
 * printed on the PDF form of the licences the department issues (forms made
 * after it is registered; stored forms are not redrawn). Each change and its
 * audit entry (with the image's SHA-256) commit together.
 */
export class DepartmentSeals {
  #fonts: LicenseFonts | undefined;
  readonly #demoSeals = new Map<string, Uint8Array>();

  constructor(private readonly s: DepartmentSealsDeps) {}

  async register(actor: string, uscc: string, png: Uint8Array): Promise<{ seal: DepartmentSeal; replaced: boolean }> {
    const { width, height } = checkSealPng(png);
    const at = this.s.clock.now();
    return this.s.db.transaction(async (tx) => {
      const department = await this.s.stores.departments.get(tx, uscc);
      if (!department) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc });
      const previous = await this.s.stores.departments.getSeal(tx, uscc);
      const seal = await this.s.stores.departments.putSeal(tx, { uscc, png, width, height, at });
      await this.s.stores.audit.append(tx, [
        { actor, action: 'department.seal.register', subject: uscc, details: { sha256: seal.sha256, bytes: png.byteLength, width, height, replaces: previous?.sha256 ?? null }, at },
      ]);
      return { seal, replaced: previous !== null };
    });
  }

  /**
   * The seal the department's PDFs print: the registered one; in a DEMO region (its root carries the demo-region
   * policy) without one, the demo seal drawn from the department's name, as the PDF forms use it. SEAL_NOT_FOUND
   * otherwise; DEPARTMENT_NOT_FOUND when there is no such department.
   */
  async get(uscc: string): Promise<ServedSeal> {
    const seal = await this.s.stores.departments.getSeal(this.s.db, uscc);
    if (seal) return { png: seal.png, sha256: seal.sha256, source: 'registered' };
    const department = await this.s.stores.departments.get(this.s.db, uscc);
    if (!department) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc });
    const region = await this.s.stores.region.get(this.s.db);
    if (region && carriesDemoPolicy([region.rootCertificate])) {
      let png = this.#demoSeals.get(department.name);
      if (!png) this.#demoSeals.set(department.name, (png = drawDemoSealPng(department.name, (this.#fonts ??= LicenseFonts.load()), DEMO_SEAL_SIZE)));
      return { png, sha256: createHash('sha256').update(png).digest('hex'), source: 'demo' };
    }
    throw new ElicenseError('SEAL_NOT_FOUND', 'this department has no registered seal', { uscc });
  }

  async remove(actor: string, uscc: string): Promise<void> {
    const at = this.s.clock.now();
    await this.s.db.transaction(async (tx) => {
      if (!(await this.s.stores.departments.get(tx, uscc))) throw new ElicenseError('DEPARTMENT_NOT_FOUND', 'no such department', { uscc });
      const previous = await this.s.stores.departments.getSeal(tx, uscc);
      if (!previous) throw new ElicenseError('SEAL_NOT_FOUND', 'this department has no registered seal', { uscc });
      await this.s.stores.departments.deleteSeal(tx, uscc);
      await this.s.stores.audit.append(tx, [{ actor, action: 'department.seal.remove', subject: uscc, details: { sha256: previous.sha256 }, at }]);
    });
  }
}
