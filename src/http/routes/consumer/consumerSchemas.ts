import { MAX_CAUSE, MAX_SERVICE_ITEM_NAME } from '../../../consumer/consumerTerms';
import { jsonSchema, object, oneOf, string, text } from '../../schema/Schema';

const CAUSE = string({
  minLength: 1,
  maxLength: MAX_CAUSE,
  description: `The stated cause of this use (申请事由), 1 to ${MAX_CAUSE} characters, one line (422 CAUSE_REQUIRED / CAUSE_INVALID); for a copy its purpose, at most 64`,
  examples: ['办理企业开户，核验营业执照'],
});
const SERVICE_ITEM = object(
  {
    name: text(MAX_SERVICE_ITEM_NAME, { description: 'The service item (办理事项) the licence is used for (422 SERVICE_ITEM_REQUIRED)', examples: ['企业开户'] }),
    code: string({ minLength: 1, maxLength: 100, pattern: '^[\\x21-\\x7e]+$', description: 'Its implementation code (事项编码), when known' }),
  },
  ['name'],
);
const USCC = string({ minLength: 18, maxLength: 18, pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$', description: 'Unified social credit code of the department', examples: ['11350100DM0000021X'] });
const REGION = string({ pattern: '^[1-9][0-9]{5}$', description: "The department's region code (this node's region, or a peer region)", examples: ['350000'] });
const TYPE_CODE = string({ minLength: 1, maxLength: 40, description: 'A licence type code (GET /v1/standards)', examples: ['11100000MB0143028R001'] });

const TERMS = { cause: CAUSE, serviceItem: SERVICE_ITEM };

export const CONSUMER_QUERY = object(
  {
    ...TERMS,
    identifier: string({ minLength: 1, maxLength: 200, description: 'A licence identifier (GB/T 36904)' }),
    holder: object(
      {
        code: string({ minLength: 1, maxLength: 40, description: "The holder's code: citizen ID number, USCC, … (its check character must hold: 422 CODE_INVALID)", examples: ['91350102EL0000017D'] }),
        codeType: string({ pattern: '^[0-9]{3}$', description: 'Holder code type (111 citizen ID number, 001 USCC, …); default: 111 for 18 digits (X), else 001' }),
      },
      ['code'],
    ),
    typeCode: TYPE_CODE,
    qr: string({ minLength: 1, maxLength: 4400, description: "The licence's QR text (LC1:…)" }),
  },
  ['cause', 'serviceItem'],
);

export const CONSUMER_VERIFY = object(
  {
    ...TERMS,
    license: jsonSchema<unknown>({ description: 'What POST /v1/verifications takes as JSON: the full form, {"fullForm": …}, {"qr": "LC1:…" | "LP1:…" | "EAC1:…"}, or an annotated copy' }),
  },
  ['cause', 'serviceItem', 'license'],
);

export const CONSUMER_TERMS = object(TERMS, ['cause', 'serviceItem']);

export const COPY_QUERY = object({ format: oneOf(['json', 'pdf'] as const, { description: 'json (default): the annotated copy document; pdf: its PDF (also with Accept: application/pdf)' }) });

export const IDENTIFIER_PARAMS = object({ identifier: string({ minLength: 1, maxLength: 200, description: 'A licence identifier' }) }, ['identifier']);
export const TYPE_PARAMS = object({ typeCode: TYPE_CODE }, ['typeCode']);
const PEER_REGION = string({ pattern: '^[1-9][0-9]{5}$', description: 'The peer region whose licence is used (a configured peer of this node)', examples: ['440000'] });
export const PEER_PARAMS = object({ peerRegion: PEER_REGION }, ['peerRegion']);
export const PEER_COPY_PARAMS = object({ peerRegion: PEER_REGION, identifier: string({ minLength: 1, maxLength: 200, description: 'A licence identifier of the peer region' }) }, ['peerRegion', 'identifier']);
export const CONSUMER_GRANT_PARAMS = object({ region: REGION, uscc: USCC, typeCode: TYPE_CODE }, ['region', 'uscc', 'typeCode']);

export { USAGE_QUERY } from '../holder/holderSchemas';
export const STATISTICS_QUERY = object({
  from: string({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'First day counted (UTC, YYYY-MM-DD); default: the first use' }),
  to: string({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Last day counted (UTC, YYYY-MM-DD); default: today' }),
});

export const USE_STATISTICS = object(
  {
    byType: jsonSchema({ type: 'array', items: { type: 'object', required: ['typeCode', 'count'], properties: { typeCode: { type: 'string' }, count: { type: 'integer' } } } }),
    byConsumer: jsonSchema({
      type: 'array',
      items: { type: 'object', required: ['region', 'uscc', 'name', 'count'], properties: { region: { type: 'string' }, uscc: { type: 'string' }, name: { type: ['string', 'null'] }, count: { type: 'integer' } } },
    }),
    byDay: jsonSchema({ type: 'array', items: { type: 'object', required: ['day', 'count'], properties: { day: { type: 'string' }, count: { type: 'integer' } } } }),
  },
  ['byType', 'byConsumer', 'byDay'],
);
