import { HOLDER_LIMITS } from '../../../holder/HolderSide';
import { USAGE_KINDS } from '../../../holder/usageLog';
import { integer, object, oneOf, string, text } from '../../schema/Schema';

const DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2})$';

/** A holder of the demo samples (陈志强, driving licence): examples that work against the demo node. */
export const DEMO_HOLDER_EXAMPLE = '35010419751102135X';

const HOLDER_CODE = string({ minLength: 1, maxLength: 40, description: 'A demo holder code (GET /v1/holder/demo-holders): citizen ID number or USCC', examples: [DEMO_HOLDER_EXAMPLE] });
const USCC = string({ minLength: 18, maxLength: 18, pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$', description: 'Unified social credit code of the department', examples: ['11350100DM00000133'] });

export const DEMO_SIGN_IN = object({ holderCode: HOLDER_CODE }, ['holderCode']);

export const PRESENTATION_REQUEST = object({
  ttlSeconds: integer({
    minimum: HOLDER_LIMITS.presentationSeconds.min,
    maximum: HOLDER_LIMITS.presentationSeconds.max,
    description: 'How long the presentation QR may be redeemed (seconds)',
    default: HOLDER_LIMITS.presentationSeconds.default,
  }),
});

export const REDEEM_PRESENTATION = object(
  { presentation: string({ minLength: 1, maxLength: 16384, description: 'The text of the presentation QR: LP1:<compact JWS>', examples: ['LP1:eyJhbGciOiJFUzI1NiJ9.e30.AAAA'] }) },
  ['presentation'],
);

export const CREATE_GRANT = object(
  {
    licenseIdentifier: string({ minLength: 1, maxLength: 200, description: 'One licence of yours (or name typeCode instead)' }),
    typeCode: string({ minLength: 1, maxLength: 40, description: 'Your valid licences of one type (or name licenseIdentifier instead)' }),
    department: object(
      { uscc: USCC, region: string({ pattern: '^\\d{6}$', description: "The department's region code; default this node's region", examples: ['350000'] }) },
      ['uscc'],
    ),
    serviceItem: object(
      {
        name: text(200, { description: 'The service item (办理事项) the department uses the licence for', examples: ['机动车驾驶证业务'] }),
        code: string({ minLength: 1, maxLength: 100, pattern: '^[\\x21-\\x7e]+$', description: 'Its implementation code (事项编码), when known' }),
      },
      ['name'],
    ),
    caseNumber: text(100, { description: 'The case number (办件编号)', examples: ['FZ-2026-000123'] }),
    expiresAt: string({ pattern: DATE_TIME, description: `Until when the department may use it (ISO 8601 date-time); default ${HOLDER_LIMITS.grantSeconds.default / 3600} h, at most ${HOLDER_LIMITS.grantSeconds.max / 86400} days` }),
    maxUses: integer({ minimum: 1, maximum: HOLDER_LIMITS.grantUses.max, description: 'Reads allowed, the exchange included', default: HOLDER_LIMITS.grantUses.default }),
  },
  ['department', 'serviceItem', 'caseNumber'],
);

export const REDEEM_GRANT = object(
  { code: string({ minLength: 1, maxLength: 64, description: 'The authorisation code the holder gave: <region>-XXXX-XXXX-XXXX-XXXX (case, spaces and hyphens do not matter)', examples: ['350000-0000-0000-0000-0000'] }) },
  ['code'],
);

const GRANT_ID = string({ minLength: 1, maxLength: 100, description: 'A grant id (gr_…)', examples: ['gr_AAAAAAAAAAAAAAAA'] });
export const GRANT_PARAMS = object({ grantId: GRANT_ID }, ['grantId']);
export const GRANT_LICENSE_PARAMS = object(
  { grantId: GRANT_ID, identifier: string({ minLength: 1, maxLength: 200, description: 'A licence the grant covers', examples: ['1.2.156.3005.2.11100000PH00000122901.11350102EL000101X1.0000000000000001.1'] }) },
  ['grantId', 'identifier'],
);

export const USAGE_QUERY = object({
  before: integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Events before this event id (the `next` of the previous page)' }),
  limit: integer({ minimum: 1, maximum: 500, description: 'Page size', default: 100 }),
});

/** The region-wide usage log (region admin, auditor): pages as USAGE_QUERY, narrowed by department, kind or licence. */
export const REGION_USAGE_QUERY = object({
  before: integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Events before this event id (the `next` of the previous page)' }),
  limit: integer({ minimum: 1, maximum: 500, description: 'Page size', default: 100 }),
  region: string({ pattern: '^\\d{6}$', description: "The using department's region code", examples: ['350000'] }),
  uscc: string({ pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$', description: "The using department's USCC", examples: ['11350100DM00000133'] }),
  kind: oneOf(USAGE_KINDS, { description: 'One kind of use' }),
  licenseIdentifier: string({ minLength: 1, maxLength: 200, description: 'One licence' }),
});

export const CREATE_ANNOTATED_COPY = object(
  {
    purpose: text(64, { description: 'The purpose (制作事由) the copy is made for', examples: ['办理企业开户'] }),
    userDepartment: object(
      {
        name: text(64, { description: 'The user department (用证部门) the copy is for', examples: ['福州市市场监督管理局'] }),
        code: USCC,
      },
      ['name', 'code'],
    ),
    expiresAt: string({ pattern: DATE_TIME, description: "Until when the copy is valid (ISO 8601 date-time); default and limit: the type standard's annotatedCopyMaxDays (else 90 days)" }),
  },
  ['purpose', 'userDepartment'],
);

export const COPY_PARAMS = object({ copyId: string({ minLength: 1, maxLength: 64, description: 'An annotated copy id', examples: ['AAAAAAAAAAAAAAAAAAAAAA'] }) }, ['copyId']);
