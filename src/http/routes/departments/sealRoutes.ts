import express, { type Request, type Response } from 'express';
import { ElicenseError } from '../../../errors';
import type { NodeServices } from '../../NodeServices';
import { canActFor, type Principal } from '../../../region/permissions';
import { route, type RequestContext, type RouteSpec } from '../../RouteSpec';
import { DepartmentSeals } from '../../../region/departments/DepartmentSeals';
import { SEAL_LIMITS } from '../../../region/departments/sealImage';
import type { DepartmentSeal } from '../../../store/DepartmentStore';
import { DEPARTMENT_PARAMS } from './departmentSchemas';

const TAG = 'departments';
const readPng = express.raw({ type: 'image/png', limit: SEAL_LIMITS.maxBytes });

function caller(ctx: RequestContext): Principal {
  if (!ctx.principal) throw new ElicenseError('UNAUTHENTICATED', 'this route needs an API key');
  return ctx.principal;
}

function departmentParam(params: { uscc: string }, ctx: RequestContext): string {
  if (!canActFor(caller(ctx), params.uscc)) throw new ElicenseError('FORBIDDEN', 'an issuer key acts for its own department only');
  return params.uscc;
}

/** The raw image/png body: 415 for another media type, 413 beyond the cap (from Content-Length, before reading). */
async function pngBody(req: Request, res: Response): Promise<Buffer> {
  if (!req.is('image/png')) throw new ElicenseError('UNSUPPORTED_MEDIA_TYPE', 'send the seal as the raw PNG bytes with Content-Type: image/png');
  const tooLarge = () => new ElicenseError('INPUT_TOO_LARGE', `a seal image is limited to ${SEAL_LIMITS.maxBytes} bytes`, { limitBytes: SEAL_LIMITS.maxBytes });
  if (Number(req.get('content-length')) > SEAL_LIMITS.maxBytes) {
    res.setHeader('Connection', 'close');
    throw tooLarge();
  }
  return new Promise<Buffer>((resolve, reject) => {
    readPng(req, res, (err?: unknown) => {
      if (err) reject((err as { type?: string }).type === 'entity.too.large' ? tooLarge() : new ElicenseError('INPUT_MALFORMED', 'request body could not be read'));
      else resolve(Buffer.isBuffer(req.body) ? (req.body as Buffer) : Buffer.alloc(0));
    });
  });
}

const sealView = (s: DepartmentSeal) => ({ uscc: s.uscc, sha256: s.sha256, width: s.width, height: s.height, bytes: s.png.byteLength, updatedAt: s.updatedAt.toISOString() });

/**
 * A department's seal image (issue 14): registered by the region
 * administrator (validated PNG, audited), read back by those who may read the
 * department, removed by the administrator. New PDF forms of the department's
 * licences print it (region/licenses/LicenseForms).
 */
export function sealRoutes(services: NodeServices): RouteSpec[] {
  const seals = new DepartmentSeals(services);
  return [
    route({
      method: 'put',
      path: '/v1/departments/:uscc/seal',
      permission: 'department:admin',
      summary:
        `Register or replace the department's seal image: the raw PNG as the body (Content-Type: image/png), ${SEAL_LIMITS.minSide}–${SEAL_LIMITS.maxSide} px a side, about square, ` +
        `an alpha channel with a transparent background, at most ${SEAL_LIMITS.maxBytes} bytes. 422 SEAL_INVALID (details.problem: not-png, malformed, pixel-size, not-square, no-alpha, background-not-transparent, blank), ` +
        '413 INPUT_TOO_LARGE, 415 for another media type. Audited with the image\'s SHA-256. PDF forms made from now on print it; stored forms are not redrawn.',
      tag: TAG,
      input: { params: { schema: DEPARTMENT_PARAMS } },
      responses: {
        '200': { description: 'The seal as registered: {seal: {uscc, sha256, width, height, bytes, updatedAt}, replaced}' },
        '404': { description: 'DEPARTMENT_NOT_FOUND' },
        '413': { description: 'INPUT_TOO_LARGE' },
      },
      handler: async (req, res, ctx, input) => {
        const uscc = departmentParam(input.params, ctx);
        const png = await pngBody(req, res);
        const { seal, replaced } = await seals.register(caller(ctx).keyId, uscc, png);
        res.json({ seal: sealView(seal), replaced });
      },
    }),
    route({
      method: 'get',
      path: '/v1/departments/:uscc/seal',
      permission: 'department:read',
      summary:
        "The seal the department's PDFs print (image/png; ETag: its SHA-256): the registered image, byte for byte; in a DEMO region without one, the demo seal drawn from the department's name with 样章 " +
        '(header Elicense-Seal-Source: registered | demo). 404 SEAL_NOT_FOUND when there is none.',
      tag: TAG,
      input: { params: { schema: DEPARTMENT_PARAMS } },
      responses: {
        '200': { description: 'The seal PNG', contentType: 'image/png', schema: { type: 'string', format: 'binary' } },
        '404': { description: 'SEAL_NOT_FOUND or DEPARTMENT_NOT_FOUND' },
      },
      handler: async (_req, res, ctx, input) => {
        const seal = await seals.get(departmentParam(input.params, ctx));
        res.setHeader('ETag', `"${seal.sha256}"`);
        res.setHeader('Elicense-Seal-Source', seal.source);
        res.setHeader('Cache-Control', 'private, no-cache');
        res.type('image/png').send(Buffer.from(seal.png));
      },
    }),
    route({
      method: 'delete',
      path: '/v1/departments/:uscc/seal',
      permission: 'department:admin',
      summary: "Remove the department's seal (audited): PDF forms made from now on carry none. 404 SEAL_NOT_FOUND when it has none.",
      tag: TAG,
      input: { params: { schema: DEPARTMENT_PARAMS } },
      responses: { '204': { description: 'Removed' }, '404': { description: 'SEAL_NOT_FOUND or DEPARTMENT_NOT_FOUND' } },
      handler: async (_req, res, ctx, input) => {
        await seals.remove(caller(ctx).keyId, departmentParam(input.params, ctx));
        res.status(204).end();
      },
    }),
  ];
}
