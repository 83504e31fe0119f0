import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { ElicenseError } from '../../../errors';
import type { TypeStandard } from '../../../standards/generated/TypeStandard';
import type { NodeServices } from '../../NodeServices';
import { route, type Feature } from '../../RouteSpec';
import { object, string } from '../../schema/Schema';

/** Published standards never change, so their documents are built once and served with a strong ETag. */
interface Cached {
  body: string;
  etag: string;
}

function cached(value: unknown): Cached {
  const body = JSON.stringify(value);
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
}

function send(req: Request, res: Response, doc: Cached): void {
  res.setHeader('ETag', doc.etag);
  res.setHeader('Cache-Control', 'public, max-age=3600');
  const match = req.get('if-none-match');
  if (match !== undefined && match.split(',').some((t) => t.trim() === doc.etag || t.trim() === '*')) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(doc.body);
}

function catalogueEntry(t: TypeStandard, versions: string[], successor: TypeStandard | undefined) {
  return {
    typeCode: t.typeCode,
    slug: t.slug,
    nameZh: t.nameZh,
    nameEn: t.nameEn,
    version: t.version,
    versions,
    definingAuthority: { name: t.definingAuthority.name, nameEn: t.definingAuthority.nameEn, uscc: t.definingAuthority.uscc },
    placeholders: { typeCode: t.typeCodeIsPlaceholder, definingAuthorityUscc: t.definingAuthority.usccIsPlaceholder },
    href: `/v1/standards/${t.typeCode}`,
    ...(t.replacesTypeCode !== undefined ? { replacesTypeCode: t.replacesTypeCode } : {}),
    // A replaced code (docs/adr/0011): its licences keep verifying, new ones are issued under the successor.
    ...(successor !== undefined ? { supersededBy: { typeCode: successor.typeCode, version: successor.version } } : {}),
  };
}

const STANDARD_PARAMS = object({ type: string({ description: 'A type code or slug', examples: ['business-licence'] }) }, ['type']);
/** Other parameters are let pass, as they always were. */
const STANDARD_QUERY = object({ version: string({ description: 'An older published version of the standard; the latest when left out' }) }, [], { additionalProperties: true });

/**
 * The licence type standards this node issues and verifies against: a
 * catalogue (latest version of each type) and each full standard (face
 * schema, labels, QR fields, PDF layout). Public and cacheable.
 */
export function createStandardsFeature(services: NodeServices): Feature {
  const all = services.catalog.listTypes();
  const versionsOf = new Map<string, string[]>();
  for (const t of all) versionsOf.set(t.typeCode, [...(versionsOf.get(t.typeCode) ?? []), t.version]);
  // Latest version of each type code; per slug the code in force first, a replaced code after it.
  const latest = [...versionsOf.keys()]
    .map((code) => services.catalog.getType(code)!)
    .sort((a, b) => (a.slug !== b.slug ? (a.slug < b.slug ? -1 : 1) : Number(services.catalog.successorOf(a.typeCode) !== undefined) - Number(services.catalog.successorOf(b.typeCode) !== undefined)));
  const envelopes = [...services.catalog.envelopeSchemas].map(([version, schema]) => ({ version, id: String(schema['$id'] ?? '') }));
  const catalogue = cached({
    // The envelope new licences are issued under; every published one in envelopes.
    envelope: { version: envelopes[envelopes.length - 1]?.id ?? '' },
    envelopes,
    types: latest.map((t) => catalogueEntry(t, versionsOf.get(t.typeCode)!, services.catalog.successorOf(t.typeCode))),
  });
  const documents = new Map<string, Cached>();
  for (const t of all) documents.set(`${t.typeCode}@${t.version}`, cached(t));

  return {
    name: 'standards',
    routes: [
      {
        method: 'get',
        path: '/v1/standards',
        permission: 'public',
        summary: 'Catalogue of licence type standards: type code, names, version(s), defining authority, placeholder flags (ETag, cacheable)',
        tag: 'standards',
        handler: (req, res) => send(req, res, catalogue),
      },
      route({
        method: 'get',
        path: '/v1/standards/:type',
        permission: 'public',
        summary: 'One type standard in full (face schema, labels, QR fields, PDF layout), by type code or slug; ?version= for an older version',
        tag: 'standards',
        input: { params: { schema: STANDARD_PARAMS }, query: { schema: STANDARD_QUERY } },
        handler: (req, res, _ctx, input) => {
          const key = input.params.type;
          const v = input.query.version;
          const t = services.catalog.getType(key, v) ?? services.catalog.getTypeBySlug(key, v);
          const doc = t && documents.get(`${t.typeCode}@${t.version}`);
          if (!doc) throw new ElicenseError('NOT_FOUND', `no licence type standard ${key}${v !== undefined ? ` version ${v}` : ''}`);
          send(req, res, doc);
        },
      }),
    ],
  };
}
