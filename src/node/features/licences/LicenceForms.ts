import { decodeDetachedJws } from '../../../crypto/jws/decodeDetachedJws';
import { ElicenseError } from '../../../errors';
import { LicenceFonts } from '../../../forms/pdf/LicenceFonts';
import { renderLicencePdf } from '../../../forms/pdf/renderLicencePdf';
import { encodeCompactLicence } from '../../../forms/qr/compactLicence';
import { renderQrPng, renderQrSvg } from '../../../forms/qrImage/renderQrImage';
import type { FullForm } from '../../../license/FullForm';
import type { LicenceFormKey, LicenceFormKind, StoredLicenceForm } from '../../../store/LicenceFormStore';
import type { Licence } from '../../../store/LicenceStore';
import type { NodeServices } from '../../NodeServices';
import type { Principal } from '../../http/permissions';

const LICENCE_FORM_TYPES: Readonly<Record<LicenceFormKind, string>> = {
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
export class LicenceForms {
  #fonts: LicenceFonts | undefined;

  constructor(private readonly s: NodeServices) {}

  /**
   * The stored form of a licence the caller has read (LicenceRecords.read:
   * the department rule and the read audit). A revoked or suspended licence
   * gets no form at all, stored or not: a printable licence must not outlive
   * its status. A form signed by a key withdrawn since is not served either.
   */
  async formOf(principal: Principal, licence: Licence, kind: LicenceFormKind): Promise<StoredLicenceForm> {
    if (licence.status === 'revoked') throw new ElicenseError('LICENSE_REVOKED', 'this licence has been revoked: its PDF and QR are no longer given out', { identifier: licence.identifier });
    if (licence.status === 'suspended') throw new ElicenseError('LICENSE_SUSPENDED', 'this licence is suspended: its PDF and QR are given out again once it is reinstated', { identifier: licence.identifier });
    const full = JSON.parse(licence.fullForm) as FullForm;
    const keyId = licenceKeyId(full);
    // Read the key's row on every request (one small read): a withdrawal must be seen at once, stored form or not.
    const key = await this.s.stores.signingKeys.get(this.s.db, keyId);
    if (key?.state === 'withdrawn') {
      throw new ElicenseError('LICENCE_SIGNER_UNAVAILABLE', 'the key that signed this licence has been withdrawn: its PDF and QR are not given out; issue a new licence to replace it', { keyId });
    }
    return this.#ensure(principal, licence, full, { identifier: licence.identifier, keyId, form: kind });
  }

  async #ensure(principal: Principal, licence: Licence, full: FullForm, key: LicenceFormKey): Promise<StoredLicenceForm> {
    const { db, stores, clock } = this.s;
    const stored = await stores.licenceForms.get(db, key);
    if (stored) return stored;
    const qr = (): Promise<StoredLicenceForm> => this.#ensure(principal, licence, full, { ...key, form: 'qr.txt' });

    if (key.form === 'qr.png' || key.form === 'qr.svg') {
      // Drawn from the stored QR text, no key involved: if two requests race, the first row stored wins (ON CONFLICT DO NOTHING + re-read).
      const text = qrTextOf(await qr());
      const body = key.form === 'qr.png' ? await renderQrPng(text) : Buffer.from(await renderQrSvg(text), 'utf8');
      return (await stores.licenceForms.insert(db, { ...key, contentType: LICENCE_FORM_TYPES[key.form], body, at: clock.now() })).stored;
    }

    const qrText = key.form === 'pdf' ? qrTextOf(await qr()) : undefined;
    const standard = this.s.catalog.getType(licence.typeCode, String(full.license['standardVersion']));
    if (!standard) throw new ElicenseError('TYPE_UNKNOWN', `no type standard ${licence.typeCode} on this node`);
    // Opened before the transaction (the embedded database has one connection); 409 when the key cannot sign now.
    const signer = await this.s.signers.licenceSigner(db, licence.uscc, key.keyId, clock.now());
    // Record → sign → store under a per-form lock, in one transaction: a concurrent first request waits on
    // the lock and then finds the stored form, so a form is signed once and its audit entry is the only one.
    // The entry is written before the key is used; if it cannot be, nothing is signed. A crash after signing
    // rolls back the entry with the unstored, never-served signature.
    return db.transaction(async (tx) => {
      await stores.licenceForms.lock(tx, key);
      const raced = await stores.licenceForms.get(tx, key);
      if (raced) return raced;
      // A suspended or withdrawn department signs nothing new (docs/adr/0005); forms stored before stay served.
      const department = await stores.departments.get(tx, licence.uscc);
      if (department?.state !== 'active') {
        throw new ElicenseError('DEPARTMENT_NOT_ACTIVE', `the department is ${department?.state ?? 'unknown'}: it signs no new PDF or QR`, { uscc: licence.uscc, state: department?.state });
      }
      const at = clock.now();
      await stores.audit.append(tx, [
        { actor: principal.keyId, action: 'licence.form.sign', subject: licence.identifier, details: { uscc: licence.uscc, typeCode: licence.typeCode, keyId: key.keyId, form: key.form }, at },
      ]);
      const body =
        key.form === 'pdf'
          ? await renderLicencePdf(full, { standard, qrText: qrText!, signer, at, fonts: (this.#fonts ??= LicenceFonts.load()) })
          : Buffer.from(`${await encodeCompactLicence(full, standard, signer, at)}\n`, 'utf8');
      return (await stores.licenceForms.insert(tx, { ...key, contentType: LICENCE_FORM_TYPES[key.form], body, at: clock.now() })).stored;
    });
  }
}

function qrTextOf(form: StoredLicenceForm): string {
  return Buffer.from(form.body).toString('utf8').trim();
}

/** The kid of the licence's own signature (stored full forms were verified at issuance). */
function licenceKeyId(form: FullForm): string {
  const decoded = decodeDetachedJws(form.signature);
  const kid = decoded.ok ? decoded.header['kid'] : undefined;
  if (typeof kid !== 'string') throw new ElicenseError('LICENCE_SIGNER_UNAVAILABLE', 'the stored licence carries no readable key id');
  return kid;
}
