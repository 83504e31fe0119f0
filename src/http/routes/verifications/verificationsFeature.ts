import type { Request } from 'express';
import { PRESENTATION_QR_PREFIX } from '../../../forms/detectForm';
import { HolderSide } from '../../../holder/HolderSide';
import { parseStrictJson } from '../../../json/parseStrictJson';
import type { AnyFormResult, PresentedForm } from '../../../verify/forms/verifyAnyForm';
import type { PresentationAnswer } from '../../../verify/VerificationResult';
import { forwardPresentationIfForeign } from '../federation/peerHolderForwarding';
import type { NodeServices } from '../../NodeServices';
import { route, type Feature } from '../../RouteSpec';
import { jsonSchema } from '../../schema/Schema';
import { schemaRef } from '../../openapi/componentSchemas';
import { problem } from '../../openapi/responseDocs';
import { MAX_UPLOAD_BYTES, readVerificationRequest } from './readVerificationRequest';
import { PresentedVerifier } from './verifyPresented';
import { batchVerificationRoute } from './batchVerificationRoute';

export { fullFormOf } from './readVerificationRequest';

const UPLOAD = (description: string) => ({ type: 'string', format: 'binary', description });

/**
 * What POST /v1/verifications takes, for the document only: the body is the
 * presented licence, which the verifier reads strictly itself (once: this is
 * the hot path, the door does not parse or validate it a second time).
 */
const PRESENTED_FORM = jsonSchema<unknown>({
  description: 'The full-form licence as issued, {"fullForm": <full form>}, {"qr": "LC1:...", "fullForm"?: <full form>}, or an annotated copy (加注件)',
  oneOf: [
    schemaRef('FullForm'),
    { type: 'object', additionalProperties: false, required: ['fullForm'], properties: { fullForm: schemaRef('FullForm') } },
    { type: 'object', additionalProperties: false, required: ['qr'], properties: { qr: { type: 'string', description: 'the compact QR text' }, fullForm: schemaRef('FullForm') } },
    {
      type: 'object',
      description: 'an annotated copy (加注件, *.elac.json, standards/annotated-copy/annotated-copy-1.0.0.schema.json): the answer carries annotatedCopy',
      required: ['annotatedCopy', 'original', 'signature'],
      properties: { annotatedCopy: { type: 'object' }, original: schemaRef('FullForm'), signature: { type: 'string' } },
    },
  ],
});

const OTHER_FORMS = {
  'image/png': UPLOAD('a picture or photo of the QR (one QR code in the image)'),
  'image/jpeg': UPLOAD('a picture or photo of the QR (one QR code in the image)'),
  'application/pdf': UPLOAD('the licence PDF (embedded full form and PAdES signature are both checked)'),
  'text/plain': { type: 'string', description: "the compact QR text (LC1:...), an annotated copy's QR text (EAC1:...), or a holder's presentation QR (LP1:..., resolved once)" },
  'application/octet-stream': UPLOAD('any of the above; the form is detected from the content'),
};

/**
 * Public verification over HTTP: the verification core with the node's own
 * trust inputs and the current licence states from its database. The answer
 * is the VerificationResult (200) for anything that could be examined,
 * accepted or rejected. When the database is down, the last good trust data
 * is used and the status is reported as not checked, with the reason.
 */
/** POST /v1/verifications' answer to one presented form (a consuming department's verification gets the same). */
export type VerificationAnswerer = (presented: PresentedForm, req: Request) => Promise<AnyFormResult & { presentation?: PresentationAnswer }>;

/**
 * The node's one verification of a presented form, as POST /v1/verifications answers it: a holder's presentation
 * QR (亮证) is a pointer, not a licence — resolved once, then its full form verified here (answer.presentation).
 */
export function verificationAnswerer(services: NodeServices, verifier = new PresentedVerifier(services)): VerificationAnswerer {
  const holders = new HolderSide(services);
  return async (presented, req) => {
    if (isPresentationQr(presented)) {
      const resolved = await resolvePresentation(services, holders, req, presented.text);
      const result = await verifier.verify({ kind: 'full-form', form: 'full-form', document: resolved.fullForm }, await verifier.moment());
      return { ...result, presentation: resolved.presentation };
    }
    return verifier.verify(presented, await verifier.moment());
  };
}

/** A holder's presentation QR (亮证, LP1:): a pointer resolved once, not a licence. */
function isPresentationQr(presented: PresentedForm): presented is Extract<PresentedForm, { kind: 'qr' }> {
  return presented.kind === 'qr' && presented.text.slice(0, PRESENTATION_QR_PREFIX.length).toUpperCase() === PRESENTATION_QR_PREFIX;
}

export function createVerificationsFeature(services: NodeServices): Feature {
  const verifier = new PresentedVerifier(services);
  const answerer = verificationAnswerer(services, verifier);
  const reading = { readQr: (image: Uint8Array) => services.qrImages.read(image), uploadRateCost: services.config.uploadRateCost };
  return {
    name: 'verifications',
    routes: [
      route({
        method: 'post',
        path: '/v1/verifications',
        permission: 'public',
        bodyText: 'verbatim',
        summary:
          'Verify a licence in any form. JSON body: the full-form licence (as issued), {"fullForm": <full form>}, or {"qr": "LC1:...", "fullForm"?: <full form>} ' +
          `(with the full form, the QR must be bound to it). Or the raw bytes, up to ${MAX_UPLOAD_BYTES} bytes, as image/png or image/jpeg (a picture or photo of the QR), ` +
          'application/pdf (the licence PDF), text/plain (the QR text): the form is detected from the content; each form has its own size cap, applied before it is read. ' +
          "A holder's presentation QR (LP1:..., as text or image) is resolved once at the holder's region's node and the licence it points to verified here (answer.presentation; 409 PRESENTATION_USED, 410 PRESENTATION_EXPIRED, 404 PRESENTATION_UNKNOWN, 422 PRESENTATION_INVALID). An image or PDF costs " +
          'ELICENSE_UPLOAD_RATE_COST units of the rate limit (10 by default). 200 with the verification result (accepted or rejected, every check, ' +
          'reason codes, `form` naming what was presented, `pdf` with the PDF\'s own checks); 400 only when the body is no licence form at all; 413 when it is too large; 503 IMAGE_DECODER_BUSY (with Retry-After) when every image decoder is busy.',
        tag: 'verifications',
        input: { body: { schema: PRESENTED_FORM, mode: 'describe', otherTypes: OTHER_FORMS } },
        responses: {
          '200': { description: "Verification result (accepted or rejected, with reasons); `form` names what was presented, `pdf` has the PDF's own checks", schema: schemaRef('VerificationResult') },
          '400': problem('The body is no licence form at all (INPUT_UNREADABLE / INPUT_MALFORMED)'),
          '413': problem('The body is larger than the upload limit (INPUT_TOO_LARGE)'),
          '503': problem('IMAGE_DECODER_BUSY: every image decoder is busy (Retry-After)'),
          '409': problem('PRESENTATION_USED: the presentation QR was already used'),
          '410': problem('PRESENTATION_EXPIRED: the presentation QR has expired'),
        },
        handler: async (req, res) => {
          const presented = await readVerificationRequest(req, res, reading);
          if (isPresentationQr(presented)) {
            const answer = await answerer(presented, req);
            res.setHeader('Cache-Control', 'no-store');
            res.json(answer);
            return;
          }
          // The answer as text, made where the licence was verified (a verifier thread, or here): the same bytes res.json would send.
          const raw = presented.kind === 'full-form' && presented.document === req.body ? req.rawJsonBody : undefined;
          const json = await verifier.answerJson(presented, await verifier.moment(), raw);
          res.setHeader('Cache-Control', 'no-store');
          res.setHeader('Content-Type', 'application/json; charset=utf-8');
          res.send(json);
        },
      }),
      batchVerificationRoute(services, verifier, PRESENTED_FORM.json),
    ],
  };
}

/**
 * Resolves a presentation QR: this region's at its own holder side, another region's at that region's node
 * (the pointer checked under the peer's pinned root first). Single use either way; a second scan is
 * PRESENTATION_USED, an old one PRESENTATION_EXPIRED (problems, not results: there is no licence to judge).
 */
async function resolvePresentation(services: NodeServices, holders: HolderSide, req: Request, text: string): Promise<{ fullForm: unknown; presentation: PresentationAnswer }> {
  await req.chargeRateLimit(3);
  const forwarded = await forwardPresentationIfForeign(services, text);
  if (forwarded) {
    return { fullForm: forwarded.fullForm, presentation: { region: forwarded.region, presentationId: forwarded.presentationId, presentedAt: forwarded.presentedAt } };
  }
  const region = await holders.region();
  const presented = await holders.redeemPresentation(text, { kind: 'verifier', region: region.code, auditActor: 'public' });
  return {
    fullForm: parseStrictJson(Buffer.from(presented.fullForm, 'utf8')),
    presentation: { region: region.code, presentationId: presented.presentationId, presentedAt: presented.presentedAt.toISOString() },
  };
}
