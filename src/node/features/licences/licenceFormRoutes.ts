import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { decodeDetachedJws } from '../../../crypto/jws/decodeDetachedJws';
import type { Signer } from '../../../crypto/Signer';
import { ElicenseError } from '../../../errors';
import { LicenceFonts } from '../../../forms/pdf/LicenceFonts';
import { renderLicencePdf } from '../../../forms/pdf/renderLicencePdf';
import { encodeCompactLicence } from '../../../forms/qr/compactLicence';
import { renderQrPng, renderQrSvg } from '../../../forms/qrImage/renderQrImage';
import type { FullForm } from '../../../license/FullForm';
import type { Licence } from '../../../store/LicenceStore';
import type { NodeServices } from '../../NodeServices';
import type { RequestContext, RouteSpec } from '../../http/RouteSpec';
import type { LicenceRecords } from './LicenceRecords';

/** The forms served beside the JSON full form, by path suffix. */
const VARIANTS = {
  pdf: { suffix: '.pdf', type: 'application/pdf', what: 'the PDF form (A4, QR printed, full form attached, PAdES-signed by the department)' },
  'qr.png': { suffix: '.qr.png', type: 'image/png', what: 'the compact QR as a PNG image (level Q)' },
  'qr.svg': { suffix: '.qr.svg', type: 'image/svg+xml', what: 'the compact QR as an SVG image (level Q)' },
  'qr.txt': { suffix: '.qr.txt', type: 'text/plain; charset=utf-8', what: 'the compact QR text (LC1:...)' },
} as const;
type Variant = keyof typeof VARIANTS;

/**
 * GET /v1/licenses/{identifier}.pdf | .qr.png | .qr.svg | .qr.txt: the forms
 * of a stored licence, made on request and signed (the QR and the PDF
 * signature) by the key that signed the licence itself — after a rotation
 * too, while that key is not withdrawn and its certificate is valid
 * (verifiers require the PDF signer to be the licence's signer). Same
 * permission and audit as the JSON route. The bytes differ between renderings
 * (signing time, ECDSA), so the ETag is weak and stands for what they mean:
 * the licence, its status and the signing key; Cache-Control is private and
 * revalidated, so a status change or a withdrawn permission is seen at once.
 * These routes must be mounted before GET /v1/licenses/:identifier, which
 * would otherwise take the suffix as part of the identifier.
 */
export function createLicenceFormRoutes(services: NodeServices, records: LicenceRecords): RouteSpec[] {
  let fonts: LicenceFonts | undefined;
  const fontsOnce = (): LicenceFonts => (fonts ??= LicenceFonts.load());

  async function serve(variant: Variant, req: Request, res: Response, ctx: RequestContext): Promise<void> {
    if (!ctx.principal) throw new ElicenseError('UNAUTHENTICATED', 'this route needs an API key');
    const identifier = String(req.params['identifier']);
    const licence = await records.read(ctx.principal, identifier);
    const form = JSON.parse(licence.fullForm) as FullForm;
    const at = services.clock.now();
    const signer = await services.signers.licenceSigner(services.db, licence.uscc, licenceKeyId(licence.identifier, form), at);
    const etag = `W/"${createHash('sha256').update([licence.identifier, licence.status, licence.updatedAt.toISOString(), signer.keyId, variant].join('\n')).digest('base64url').slice(0, 27)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.setHeader('Elicense-Licence-Status', licence.status);
    res.setHeader('Vary', 'Authorization');
    if (ifNoneMatch(req, etag)) {
      res.status(304).end();
      return;
    }
    const body = await render(variant, licence, form, signer, at);
    if (variant === 'pdf') res.setHeader('Content-Disposition', `inline; filename="${licence.identifier}.pdf"`);
    res.status(200).type(VARIANTS[variant].type).send(body);
  }

  async function render(variant: Variant, licence: Licence, form: FullForm, signer: Signer, at: Date): Promise<Buffer | string> {
    const standard = services.catalog.getType(licence.typeCode, String(form.license['standardVersion']));
    if (!standard) throw new ElicenseError('TYPE_UNKNOWN', `no type standard ${licence.typeCode} on this node`);
    const qrText = await encodeCompactLicence(form, standard, signer, at);
    switch (variant) {
      case 'qr.txt':
        return `${qrText}\n`;
      case 'qr.svg':
        return renderQrSvg(qrText);
      case 'qr.png':
        return Buffer.from(await renderQrPng(qrText));
      case 'pdf':
        return Buffer.from(await renderLicencePdf(form, { standard, qrText, signer, at, fonts: fontsOnce() }));
    }
  }

  return (Object.keys(VARIANTS) as Variant[]).map((variant) => ({
    method: 'get',
    path: `/v1/licenses/:identifier${VARIANTS[variant].suffix}`,
    permission: 'licence:read',
    summary: `The licence as ${VARIANTS[variant].what}; same access as the JSON form, reading is audited; weak ETag (licence, status, signing key) and 304 on If-None-Match`,
    tag: 'licences',
    handler: (req, res, ctx) => serve(variant, req, res, ctx),
  }));
}

/** The kid of the licence's own signature (stored full forms were verified at issuance). */
function licenceKeyId(identifier: string, form: FullForm): string {
  const decoded = decodeDetachedJws(form.signature);
  const kid = decoded.ok ? decoded.header['kid'] : undefined;
  if (typeof kid !== 'string') throw new ElicenseError('LICENCE_SIGNER_UNAVAILABLE', 'the stored licence carries no readable key id', { identifier });
  return kid;
}

function ifNoneMatch(req: Request, etag: string): boolean {
  const header = req.get('if-none-match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  // Weak comparison (RFC 9110 8.8.3.2): W/ prefixes are ignored.
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => opaque(t) === opaque(etag));
}
