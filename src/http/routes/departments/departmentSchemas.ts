import { organizationCodeCheckCharacter, usccCheckCharacter } from '../../../codes/uscc';
import { DEPARTMENT_KEY_ALGORITHMS, EDDSA_DEPARTMENT_KEY_REFUSAL } from '../../../crypto/algorithms';
import { ElicenseError } from '../../../errors';
import { DEFAULT_KEY_VALIDITY_DAYS, MAX_KEY_VALIDITY_DAYS } from '../../../region/departments/departmentRequests';
import { REASON } from '../../schema/commonSchemas';
import { array, integer, jsonSchema, object, oneOf, string, text } from '../../schema/Schema';

/** A department of the demo region (福州市市场监督管理局): examples that work against the demo node. */
export const DEMO_DEPARTMENT = '11350100DM00000133';
const MAX_NAME = 200;
const MAX_CSR = 16 * 1024;

/** A USCC with valid check characters that no demo department holds, for the admission example. */
function exampleUscc(): string {
  const org8 = 'EX000001';
  const first17 = `11350100${org8}${organizationCodeCheckCharacter(org8)}`;
  return first17 + usccCheckCharacter(first17);
}

const USCC = string({ description: 'Unified social credit code (GB 32100), 18 characters with check characters', examples: [DEMO_DEPARTMENT] });

export const DEPARTMENT_PARAMS = object({ uscc: USCC }, ['uscc']);
export const TYPE_GRANT_PARAMS = object({ uscc: USCC, typeCode: string({ description: 'A licence type code (GET /v1/standards)', examples: ['11100000PH00000122901'] }) }, ['uscc', 'typeCode']);
export const KEY_PARAMS = object({ uscc: USCC, keyId: string({ description: 'A signing key id (GET /v1/departments/{uscc}/keys)' }) }, ['uscc', 'keyId']);

/**
 * POST /v1/departments. The shape is the schema's (SCHEMA_INVALID); the
 * USCC's check characters, the division code and the type codes are checked
 * after it (CODE_INVALID, TYPE_UNKNOWN: checkAdmission).
 */
export const ADMIT_DEPARTMENT = object(
  {
    uscc: USCC,
    name: text(MAX_NAME, { description: 'The department name', examples: ['福州市示例管理局'] }),
    divisionCode: string({ description: 'GB/T 2260 division code of its jurisdiction', examples: ['350100'] }),
    types: array(string(), { description: 'Licence type codes it may issue (grants)', default: [] }),
  },
  ['uscc', 'name', 'divisionCode'],
);

export const admitDepartmentExample = (typeCode: string) => ({ uscc: exampleUscc(), name: '福州市示例管理局', divisionCode: '350100', types: [typeCode] });

export const STATE_CHANGE = object({ reason: REASON }, ['reason']);

/** A key request for EdDSA is refused with its reason, not as a schema failure (the enum alone would not say why). */
export function refuseEdDsaKeyRequest(body: unknown): void {
  if (typeof body === 'object' && body !== null && (body as { algorithm?: unknown }).algorithm === 'EdDSA') {
    throw new ElicenseError('ALGORITHM_NOT_ALLOWED', EDDSA_DEPARTMENT_KEY_REFUSAL, { algorithm: 'EdDSA', path: '/algorithm' });
  }
}

/**
 * POST /v1/departments/{uscc}/keys: the node makes the key ({algorithm?}), or
 * the department sends a PKCS#10 CSR ({csr}) and keeps its private key. With
 * a CSR, the requested key decides the algorithm: `algorithm` is refused.
 */
export const ISSUE_KEY = object(
  {
    algorithm: oneOf(DEPARTMENT_KEY_ALGORITHMS, { description: 'The algorithm of a node-held key (EdDSA is no longer offered for department keys: docs/adr/0004-pdf-form.md, "Readers agree")', default: 'ES256' }),
    csr: string({ minLength: 1, maxLength: MAX_CSR, description: 'A PKCS#10 certification request (PEM or base64 DER): the department keeps its key' }),
    validityDays: integer({ minimum: 1, maximum: MAX_KEY_VALIDITY_DAYS, description: 'Days the certificate is valid', default: DEFAULT_KEY_VALIDITY_DAYS }),
    caKeyId: string({ minLength: 1, maxLength: 100, description: "The region CA key to certify with; default: the previous key's CA, else the newest intermediate, else the root" }),
  },
  [],
  { dependentSchemas: { csr: { properties: { algorithm: false } } } },
);

/**
 * POST /v1/departments/type-grants/migrations: grant every department the successor of each replaced type
 * code it holds (docs/adr/0011); a dry run only reports.
 */
export const TYPE_GRANT_MIGRATION = object({
  dryRun: jsonSchema<boolean>({ type: 'boolean', description: 'Report the grants that would be added, change nothing', default: false }),
});
