import type { Request, Response } from 'express';
import { ElicenseError } from '../../../errors';
import type { LicenseFormKind } from '../../../store/LicenseFormStore';
import type { NodeServices } from '../../NodeServices';
import { route, type RequestContext, type ResponseDoc, type RouteSpec } from '../../RouteSpec';
import { problem } from '../../openapi/responseDocs';
import { LICENSE_PARAMS } from './licenseSchemas';
import { LicenseForms } from '../../../region/licenses/LicenseForms';
import type { LicenseRecords } from '../../../region/licenses/LicenseRecords';

/** The forms served beside the JSON full form, by path suffix. */
const VARIANTS: Readonly<Record<LicenseFormKind, { suffix: string; what: string; contentType: string; schema: Record<string, unknown> }>> = {
  pdf: { suffix: '.pdf', what: 'the PDF form (A4, QR printed, full form attached, PAdES-signed by the department)', contentType: 'application/pdf', schema: { type: 'string', format: 'binary' } },
  'qr.png': { suffix: '.qr.png', what: 'the compact QR as a PNG image (level Q)', contentType: 'image/png', schema: { type: 'string', format: 'binary' } },
  'qr.svg': { suffix: '.qr.svg', what: 'the compact QR as an SVG image (level Q)', contentType: 'image/svg+xml', schema: { type: 'string' } },
  'qr.txt': { suffix: '.qr.txt', what: 'the compact QR text (LC1:...)', contentType: 'text/plain', schema: { type: 'string', pattern: '^LC1:' } },
};

/** The stored forms of a licence (docs/adr/0004, "Serving"): signed once, then the same bytes for every reader. */
const formResponses = (kind: LicenseFormKind): Record<string, ResponseDoc> => ({
  '200': {
    description: 'The stored form, byte for byte (signed on the first request, audited as licence.form.sign)',
    schema: VARIANTS[kind].schema,
    contentType: VARIANTS[kind].contentType,
    headers: { ETag: 'Strong: the SHA-256 of the bytes', 'Elicense-Licence-Status': 'valid' },
  },
  '304': { description: 'Not modified (If-None-Match)' },
  '409': problem('LICENSE_SUSPENDED: no form of a suspended licence; LICENSE_SIGNER_UNAVAILABLE: the signing key is withdrawn, or the form is not stored yet and the key can no longer sign'),
  '410': problem('LICENSE_REVOKED: no form of a revoked licence, stored or not'),
});

/**
 * GET /v1/licenses/{identifier}.pdf | .qr.png | .qr.svg | .qr.txt: the forms
 * of a stored licence. Reading is not signing (docs/adr/0004, "Serving"): a
 * form is rendered and signed on its first request, by the key that signed
 * the licence, recorded in the audit log before the key is used, stored, and
 * from then on served byte for byte with a strong ETag (its SHA-256). A
 * revoked licence answers 410 LICENSE_REVOKED, a suspended one 409
 * LICENSE_SUSPENDED, and a licence whose key is withdrawn 409
 * LICENSE_SIGNER_UNAVAILABLE, stored form or not. Same permission, department
 * rule and read audit as the JSON route; Cache-Control is private and
 * revalidated, so a status change is seen at once. These routes must be
 * mounted before GET /v1/licenses/:identifier, which would otherwise take the
 * suffix as part of the identifier.
 */
export function createLicenseFormRoutes(services: NodeServices, records: LicenseRecords): RouteSpec[] {
  const forms = new LicenseForms(services);

  async function serve(kind: LicenseFormKind, identifier: string, req: Request, res: Response, ctx: RequestContext): Promise<void> {
    if (!ctx.principal) throw new ElicenseError('UNAUTHENTICATED', 'this route needs an API key');
    const license = await records.read(ctx.principal, identifier);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.setHeader('Elicense-Licence-Status', license.status);
    res.setHeader('Vary', 'Authorization');
    const stored = await forms.formOf(ctx.principal, license, kind);
    const etag = `"${stored.sha256}"`;
    res.setHeader('ETag', etag);
    if (ifNoneMatch(req, etag)) {
      res.status(304).end();
      return;
    }
    if (kind === 'pdf') res.setHeader('Content-Disposition', `inline; filename="${license.identifier}.pdf"`);
    res.status(200).type(stored.contentType).send(Buffer.from(stored.body));
  }

  return (Object.keys(VARIANTS) as LicenseFormKind[]).map((kind) =>
    route({
      method: 'get',
      path: `/v1/licenses/:identifier${VARIANTS[kind].suffix}`,
      permission: 'licence:read',
      summary:
        `The licence as ${VARIANTS[kind].what}; same access as the JSON form, reading is audited. ` +
        'Signed once on first request (audited as licence.form.sign) and stored: the same bytes for every reader, strong ETag (SHA-256), 304 on If-None-Match. ' +
        'Revoked: 410 LICENSE_REVOKED; suspended: 409 LICENSE_SUSPENDED; signing key withdrawn, or not stored yet and the key can no longer sign: 409 LICENSE_SIGNER_UNAVAILABLE; not stored yet and the department suspended or withdrawn: 409 DEPARTMENT_NOT_ACTIVE',
      tag: 'licences',
      input: { params: { schema: LICENSE_PARAMS } },
      responses: formResponses(kind),
      handler: (req, res, ctx, input) => serve(kind, input.params.identifier, req, res, ctx),
    }),
  );
}

function ifNoneMatch(req: Request, etag: string): boolean {
  const header = req.get('if-none-match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  // Weak comparison, as If-None-Match asks (RFC 9110 13.1.2): W/ prefixes are ignored.
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => opaque(t) === opaque(etag));
}
