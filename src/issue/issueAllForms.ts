import type { Signer } from '../crypto/Signer';
import type { FullForm } from '../format/FullForm';
import type { TypeStandard } from '../standards/generated/TypeStandard';
import type { LicenseFonts } from '../forms/pdf/LicenseFonts';
import { renderLicensePdf } from '../forms/pdf/renderLicensePdf';
import { carriesDemoPolicy } from '../pki/ca/demoRegionPolicy';
import { encodeCompactLicense } from '../forms/qr/compactLicense';
import { qrSymbolOf, renderQrPng, renderQrSvg } from '../forms/image/renderQrImage';

/** Every form of one issued licence. */
export interface LicenseForms {
  fullForm: FullForm;
  /** The compact QR text (LC1:...), signed by the same department key as the full form. */
  qrText: string;
  /** QR version and mode at level Q (the QR target is version ≤ 18). */
  qrSymbol: { version: number; mode: 'alphanumeric' | 'byte'; size: number };
  qrPng: Uint8Array;
  qrSvg: string;
  /** The PDF form, PAdES-signed by the department, with the QR printed and the full form attached. */
  pdf: Uint8Array;
}

export interface IssueAllFormsOptions {
  standard: TypeStandard;
  /** The department's signer: the one that signed the full form. */
  signer: Signer;
  at: Date;
  fonts: LicenseFonts;
  sealPng?: Uint8Array;
  /** The PDF's DEMO mark; by default whether the signer's certificates carry the demo-region policy (docs/adr/0002). */
  demo?: boolean;
}

/** From a signed full form to all the forms people use: QR text, QR images and the signed PDF. */
export async function issueAllForms(form: FullForm, opts: IssueAllFormsOptions): Promise<LicenseForms> {
  const qrText = await encodeCompactLicense(form, opts.standard, opts.signer, opts.at);
  const demo = opts.demo ?? carriesDemoPolicy(opts.signer.certificateChain);
  const [qrPng, qrSvg, pdf] = await Promise.all([
    renderQrPng(qrText),
    renderQrSvg(qrText),
    renderLicensePdf(form, { standard: opts.standard, qrText, signer: opts.signer, at: opts.at, fonts: opts.fonts, ...(opts.sealPng ? { sealPng: opts.sealPng } : {}), ...(demo ? { demo: true } : {}) }),
  ]);
  return { fullForm: form, qrText, qrSymbol: qrSymbolOf(qrText), qrPng, qrSvg, pdf };
}
