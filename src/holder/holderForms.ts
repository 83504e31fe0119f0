import type { AnnotatedCopy } from '../annotation/AnnotatedCopy';
import { renderAnnotatedCopyPdf } from '../annotation/renderAnnotatedCopyPdf';
import { ElicenseError } from '../errors';
import { LicenseFonts } from '../forms/pdf/LicenseFonts';
import { carriesDemoPolicy } from '../pki/ca/demoRegionPolicy';
import { drawDemoSealPng } from '../region/departments/demoSeal';
import { LicenseForms, type LicenseFormsDeps } from '../region/licenses/LicenseForms';
import type { HolderPrincipal } from '../region/permissions';
import type { RegionSigners } from '../region/RegionSigners';
import type { LicenseStore } from '../store/LicenseStore';
import type { SqlHolderStore } from '../store/HolderStore';
import { refuseNotCurrent } from './grants';
import { holderActor } from './usageLog';

export interface HolderFormsDeps extends Omit<LicenseFormsDeps, 'signers' | 'stores'> {
  stores: LicenseFormsDeps['stores'] & { licenses: LicenseStore };
  signers: Pick<RegionSigners, 'licenseSigner' | 'trustListSigner'>;
  trust: { current(): Promise<{ version: number }> };
}

/**
 * The holder's PDFs. A licence of theirs: its stored PDF form, the same bytes every reader gets (LicenseForms).
 * An annotated copy: the PDF of the copy (src/annotation/renderAnnotatedCopyPdf): the original's face with its own
 * QR (the licence's stored QR text, made by its department's key as for its PDF), the department's seal (the demo
 * seal in a demo region without one), the copy's mark, box and QR, signed by the region's trust-list key. Drawn on
 * request, not stored: the copy document is the record. A revoked or suspended original gets no PDF (its forms
 * are not given out: LICENSE_REVOKED, LICENSE_SUSPENDED).
 */
export class HolderForms {
  #fonts: LicenseFonts | undefined;

  constructor(
    private readonly deps: HolderFormsDeps,
    private readonly store: SqlHolderStore,
  ) {}

  /** The PDF form of a licence naming the holder (LICENSE_NOT_FOUND otherwise; LICENSE_REVOKED / LICENSE_SUSPENDED as for every reader). */
  async licensePdf(holder: HolderPrincipal, identifier: string): Promise<{ pdf: Uint8Array; sha256: string; status: string }> {
    const mine = await this.store.walletLicense(this.deps.db, holder.holderCode, identifier);
    const license = mine ? await this.deps.stores.licenses.get(this.deps.db, identifier) : null;
    if (!license) throw new ElicenseError('LICENSE_NOT_FOUND', 'no licence of yours has this identifier', { identifier });
    const stored = await new LicenseForms(this.deps).formOf(this.#asHolder(holder, license.uscc), license, 'pdf');
    return { pdf: stored.body, sha256: stored.sha256, status: license.status };
  }

  /** Forms made on a holder's request are audited under the holder's pseudonym. */
  #asHolder(holder: HolderPrincipal, uscc: string) {
    return { keyId: holderActor(holder.holderCode), role: 'issuer' as const, uscc, label: 'holder' };
  }

  async pdf(holder: HolderPrincipal, copyId: string): Promise<{ pdf: Uint8Array; copyId: string }> {
    const { db, clock } = this.deps;
    const row = await this.store.annotatedCopy(db, copyId);
    if (!row || row.holderCode !== holder.holderCode) throw new ElicenseError('ANNOTATED_COPY_NOT_FOUND', 'you have no annotated copy with this id');
    const license = await this.deps.stores.licenses.get(db, row.licenseIdentifier);
    if (!license) throw new ElicenseError('LICENSE_NOT_FOUND', 'the original licence is no longer held by this node');
    const copy = JSON.parse(row.document) as AnnotatedCopy;
    // The face's QR is the licence's own (made once, by its department's key, audited under the holder's pseudonym).
    refuseNotCurrent(license.identifier, license.status);
    // The face's QR slot is covered on a copy: the licence's own QR text keeps the face as on its PDF when it can
    // be had; a department that can no longer sign it (suspended, key withdrawn or held by itself) leaves the slot to the renderer.
    let faceQrText: string | undefined;
    try {
      faceQrText = Buffer.from((await new LicenseForms(this.deps).formOf(this.#asHolder(holder, license.uscc), license, 'qr.txt')).body).toString('utf8').trim();
    } catch (e) {
      if (!(e instanceof ElicenseError) || !['DEPARTMENT_NOT_ACTIVE', 'LICENSE_SIGNER_UNAVAILABLE', 'SIGNING_KEY_HELD_BY_DEPARTMENT'].includes(e.code)) throw e;
    }
    const standard = this.deps.catalog.getType(license.typeCode, String(copy.original.license['standardVersion']));
    if (!standard) throw new ElicenseError('TYPE_UNKNOWN', `no type standard ${license.typeCode} on this node`);
    const now = clock.now();
    const signer = await this.deps.signers.trustListSigner(db, now, (await this.deps.trust.current()).version);
    const demo = carriesDemoPolicy(signer.certificateChain);
    const fonts = (this.#fonts ??= LicenseFonts.load());
    const registered = await this.deps.stores.departments.getSeal(db, license.uscc);
    const seal = registered?.png ?? (demo ? drawDemoSealPng((await this.deps.stores.departments.get(db, license.uscc))?.name ?? license.uscc, fonts) : undefined);
    const pdf = await renderAnnotatedCopyPdf(copy, {
      standard,
      signer,
      ...(faceQrText !== undefined ? { faceQrText } : {}),
      ...(seal ? { sealPng: seal } : {}),
      at: now,
      fonts,
      ...(demo ? { demo: true } : {}),
    });
    return { pdf, copyId };
  }
}
