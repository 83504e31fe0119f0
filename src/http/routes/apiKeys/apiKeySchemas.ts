import { ROLES } from '../../../region/permissions';
import { nullable, object, oneOf, string, text } from '../../schema/Schema';
import { DEMO_DEPARTMENT } from '../departments/departmentSchemas';

const MAX_LABEL = 200;

/**
 * POST /v1/api-keys: {role, uscc?, label}. An issuer key must name its
 * department; a region admin or auditor key is region-wide and names none
 * (uscc left out or null).
 */
export const CREATE_API_KEY = object(
  {
    role: oneOf(ROLES, { description: 'What the key may do (docs/adr/0005)' }),
    uscc: nullable(string({ description: 'The department of an issuer key (USCC)', examples: [DEMO_DEPARTMENT] })),
    label: text(MAX_LABEL, { description: 'Who holds the key, for people reading the key list and the audit log', examples: ['窗口 3 号机'] }),
  },
  ['role', 'label'],
  {
    allOf: [
      { if: { required: ['role'], properties: { role: { const: 'issuer' } } }, then: { required: ['uscc'], properties: { uscc: { type: 'string' } } } },
      // A consuming department's key (issue 16) names the department, as an issuer's does.
      { if: { required: ['role'], properties: { role: { const: 'consumer' } } }, then: { required: ['uscc'], properties: { uscc: { type: 'string' } } } },
      { if: { required: ['role'], properties: { role: { enum: ['region_admin', 'auditor'] } } }, then: { properties: { uscc: { type: 'null' } } } },
    ],
  },
);

export const API_KEY_PARAMS = object({ keyId: string({ description: 'The key id (GET /v1/api-keys)' }) }, ['keyId']);
