import { decodeDetachedJws } from '../../crypto/jws/decodeDetachedJws';
import { ElicenseError } from '../../errors';
import { LicenseFonts } from '../../forms/pdf/LicenseFonts';
import { renderLicensePdf } from '../../forms/pdf/renderLicensePdf';
import { encodeCompactLicense } from '../../forms/qr/compactLicense';
import { carriesDemoPolicy } from '../../pki/ca/demoRegionPolicy';
import { drawDemoSealPng } from '../departments/demoSeal';
import { renderQrPng, renderQrSvg } from '../../forms/image/renderQrImage';
import type { FullForm } from '../../format/FullForm';
import type { Clock } from '../../clock';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { AuditLog } from '../../store/AuditLog';
import type { Database } from '../../store/Database';
import type { DepartmentStore } from '../../store/DepartmentStore';
import type { LicenseFormKey, LicenseFormKind, LicenseFormStore, StoredLicenseForm } from '../../store/LicenseFormStore';
import type { License } from '../../store/LicenseStore';
import type { SigningKeyStore } from '../../store/SigningKeyStore';
import type { Principal } from '../permissions';
import type { RegionSigners } from '../RegionSigners';

/** What making and serving a licence's forms uses (a node's services fit it). */
export interface LicenseFormsDeps {
  db: Database;
  clock: Clock;
  catalog: StandardsCatalog;
  stores: { licenseForms: LicenseFormStore; signingKeys: SigningKeyStore; departments: DepartmentStore; audit: AuditLog };
  signers: Pick<RegionSigners, 'licenseSigner'>;
}

const LICENSE_FORM_TYPES: Readonly<Record<LicenseFormKind, string>> = {
  pdf: 'application/pdf',
  'qr.png': 'image/png',
  'qr.svg': 'image/svg+xml',
  'qr.txt': 'text/plain; charset=utf-8',
};

/**
 * The forms of an issued licence (PDF, QR text, PNG, SVG), made at most once
 * per licence, signing key and kind, then served byte for byte (docs/adr/0004,
 * "Serving"). Only the QR text (COSE) and the PDF (PAdES) are signatures; the
 * PNG and SVG are drawn from the stored QR text, and the PDF carries it too,
 * so every form of a licence shows the same QR.
 */
export class LicenseForms {
  #fonts: LicenseFonts | undefined;
  /** Demo seals drawn so far, by department name (a few hundred ms each; drawn when first needed, not at start-up). */
  readonly #demoSeals = new Map<string, Uint8Array>();

  constructor(private readonly s: LicenseFormsDeps) {}

  /**
   * The stored form of a licence the caller has read (LicenseRecords.read:
   * the department rule and the read audit). A revoked or suspended licence
   * gets no form at all, stored or not: a printable licence must not outlive
   * its status. A form signed by a key withdrawn since is not served either.
   */
  async formOf(principal: Principal, license: License, kind: LicenseFormKind): Promise<StoredLicenseForm> {
    if (license.status === 'revoked') throw new ElicenseError('LICENSE_REVOKED', 'this licence has been revoked: its PDF and QR are no longer given out', { identifier: license.identifier });
    if (license.status === 'suspended') throw new ElicenseError('LICENSE_SUSPENDED', 'this licence is suspended: its PDF and QR are given out again once it is reinstated', { identifier: license.identifier });
    const full = JSON.parse(license.fullForm) as FullForm;
    const keyId = licenseKeyId(full);
    // Read the key's row on every request (one small read): a withdrawal must be seen at once, stored form or not.
    const key = await this.s.stores.signingKeys.get(this.s.db, keyId);
    if (key?.state === 'withdrawn') {
      throw new ElicenseError('LICENSE_SIGNER_UNAVAILABLE', 'the key that signed this licence has been withdrawn: its PDF and QR are not given out; issue a new licence to replace it', { keyId });
    }
    return this.#ensure(principal, license, full, { identifier: license.identifier, keyId, form: kind });
  }

  async #ensure(principal: Principal, license: License, full: FullForm, key: LicenseFormKey): Promise<StoredLicenseForm> {
    const { db, stores, clock } = this.s;
    const stored = await stores.licenseForms.get(db, key);
    if (stored) return stored;
    const qr = (): Promise<StoredLicenseForm> => this.#ensure(principal, license, full, { ...key, form: 'qr.txt' });

    if (key.form === 'qr.png' || key.form === 'qr.svg') {
      // Drawn from the stored QR text, no key involved: if two requests race, the first row stored wins (ON CONFLICT DO NOTHING + re-read).
      const text = qrTextOf(await qr());
      const body = key.form === 'qr.png' ? await renderQrPng(text) : Buffer.from(await renderQrSvg(text), 'utf8');
      return (await stores.licenseForms.insert(db, { ...key, contentType: LICENSE_FORM_TYPES[key.form], body, at: clock.now() })).stored;
    }

    const qrText = key.form === 'pdf' ? qrTextOf(await qr()) : undefined;
    const standard = this.s.catalog.getType(license.typeCode, String(full.license['standardVersion']));
    if (!standard) throw new ElicenseError('TYPE_UNKNOWN', `no type standard ${license.typeCode} on this node`);
    // Opened before the transaction (the embedded database has one connection); 409 when the key cannot sign now.
    const signer = await this.s.signers.licenseSigner(db, license.uscc, key.keyId, clock.now());
    // A PDF of a demo region (the signer's certificates carry the demo-region policy: signed trust data, not names) is marked
    // DEMO; its department's seal, when none is registered, is the demo seal drawn from its name (with 样章), drawn here,
    // outside the transaction (a few hundred ms, once per department and process).
    const demo = key.form === 'pdf' && carriesDemoPolicy(signer.certificateChain);
    const demoSeal = demo ? this.#demoSeal((await stores.departments.get(db, license.uscc))?.name ?? license.uscc) : null;
    // Record → sign → store under a per-form lock, in one transaction: a concurrent first request waits on
    // the lock and then finds the stored form, so a form is signed once and its audit entry is the only one.
    // The entry is written before the key is used; if it cannot be, nothing is signed. A crash after signing
    // rolls back the entry with the unstored, never-served signature.
    return db.transaction(async (tx) => {
      await stores.licenseForms.lock(tx, key);
      const raced = await stores.licenseForms.get(tx, key);
      if (raced) return raced;
      // A suspended or withdrawn department signs nothing new (docs/adr/0005); forms stored before stay served.
      const department = await stores.departments.get(tx, license.uscc);
      if (department?.state !== 'active') {
        throw new ElicenseError('DEPARTMENT_NOT_ACTIVE', `the department is ${department?.state ?? 'unknown'}: it signs no new PDF or QR`, { uscc: license.uscc, state: department?.state });
      }
      const at = clock.now();
      // The PDF prints the department's registered seal as it is now (a later change does not redraw a stored form).
      const registered = key.form === 'pdf' ? await stores.departments.getSeal(tx, license.uscc) : null;
      const seal = registered ?? (demoSeal ? { sha256: 'demo-seal', png: demoSeal } : null);
      await stores.audit.append(tx, [
        {
          actor: principal.keyId,
          action: 'licence.form.sign',
          subject: license.identifier,
          details: { uscc: license.uscc, typeCode: license.typeCode, keyId: key.keyId, form: key.form, ...(key.form === 'pdf' ? { seal: seal?.sha256 ?? null } : {}), ...(demo ? { demo: true } : {}) },
          at,
        },
      ]);
      const body =
        key.form === 'pdf'
          ? await renderLicensePdf(full, { standard, qrText: qrText!, signer, at, fonts: (this.#fonts ??= LicenseFonts.load()), ...(seal ? { sealPng: seal.png } : {}), ...(demo ? { demo: true } : {}) })
          : Buffer.from(`${await encodeCompactLicense(full, standard, signer, at)}\n`, 'utf8');
      return (await stores.licenseForms.insert(tx, { ...key, contentType: LICENSE_FORM_TYPES[key.form], body, at: clock.now() })).stored;
    });
  }

  #demoSeal(name: string): Uint8Array {
    let png = this.#demoSeals.get(name);
    if (!png) this.#demoSeals.set(name, (png = drawDemoSealPng(name, (this.#fonts ??= LicenseFonts.load()))));
    return png;
  }
}

function qrTextOf(form: StoredLicenseForm): string {
  return Buffer.from(form.body).toString('utf8').trim();
}

/** The kid of the licence's own signature (stored full forms were verified at issuance). */
function licenseKeyId(form: FullForm): string {
  const decoded = decodeDetachedJws(form.signature);
  const kid = decoded.ok ? decoded.header['kid'] : undefined;
  if (typeof kid !== 'string') throw new ElicenseError('LICENSE_SIGNER_UNAVAILABLE', 'the stored licence carries no readable key id');
  return kid;
}
