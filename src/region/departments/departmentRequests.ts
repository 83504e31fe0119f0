import { checkDivisionCode } from '../../codes/divisionCode';
import { checkUscc } from '../../codes/uscc';
import type { CodeWarning } from '../../codes/codeCheck';
import { ElicenseError } from '../../errors';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../../pki/ca/signingAlgorithm';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { RecordIssue } from '../../standards/recordValidation';

export interface AdmitDepartmentRequest {
  uscc: string;
  name: string;
  divisionCode: string;
  types: string[];
  /** A USCC whose check characters fail is admitted (early pilot codes exist), with these warnings. */
  warnings: CodeWarning[];
}

export interface StateChangeRequest {
  reason: string;
}

interface KeyRequestCommon {
  validityDays: number;
  /** The region CA key to certify with; default: the previous key's CA, else the newest intermediate, else the root. */
  caKeyId: string | undefined;
}

export type IssueKeyRequest = KeyRequestCommon & ({ custody: 'node'; algorithm: SigningAlgorithm } | { custody: 'department'; csr: string });

export const DEFAULT_KEY_VALIDITY_DAYS = 730;
/** Department certificates are short-lived (product brief 4): at most five years. */
export const MAX_KEY_VALIDITY_DAYS = 1826;
const MAX_NAME = 200;
const MAX_REASON = 1000;
const MAX_CSR = 16 * 1024;

/** Reads the JSON body as an object with only the given fields; anything else is one SCHEMA_INVALID with every issue. */
function fieldsOf(body: unknown, allowed: readonly string[]): { get(name: string): unknown; issues: RecordIssue[] } {
  const issues: RecordIssue[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ElicenseError('SCHEMA_INVALID', 'the request body must be a JSON object', { errors: [{ path: '', message: 'must be an object' }] });
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) issues.push({ path: `/${key}`, message: `unknown property ${key}` });
  }
  return { get: (name) => record[name], issues };
}

function fail(issues: RecordIssue[], what: string): never {
  throw new ElicenseError('SCHEMA_INVALID', `${what}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { errors: issues });
}

function text(value: unknown, path: string, max: number, issues: RecordIssue[]): string {
  if (typeof value !== 'string' || value.trim() === '') {
    issues.push({ path, message: 'must be a non-empty string' });
    return '';
  }
  if (value.length > max) issues.push({ path, message: `must be at most ${max} characters` });
  return value.trim();
}

/**
 * POST /v1/departments. Shape problems are SCHEMA_INVALID; a malformed USCC
 * or a division code outside the GB/T 2260 list is CODE_INVALID; a type code
 * the catalogue does not know is TYPE_UNKNOWN (all 422).
 */
export function readAdmitDepartment(body: unknown, catalog: StandardsCatalog): AdmitDepartmentRequest {
  const f = fieldsOf(body, ['uscc', 'name', 'divisionCode', 'types']);
  const name = text(f.get('name'), '/name', MAX_NAME, f.issues);
  const rawUscc = f.get('uscc');
  const rawDivision = f.get('divisionCode');
  if (typeof rawUscc !== 'string') f.issues.push({ path: '/uscc', message: 'must be a string' });
  if (typeof rawDivision !== 'string') f.issues.push({ path: '/divisionCode', message: 'must be a string' });
  const rawTypes = f.get('types') ?? [];
  const types: string[] = [];
  if (!Array.isArray(rawTypes) || rawTypes.some((t) => typeof t !== 'string')) {
    f.issues.push({ path: '/types', message: 'must be an array of type codes' });
  } else {
    for (const t of rawTypes as string[]) if (!types.includes(t)) types.push(t);
  }
  if (f.issues.length > 0) fail(f.issues, 'department admission');

  const uscc = rawUscc as string;
  const divisionCode = rawDivision as string;
  const codeIssues: RecordIssue[] = [];
  const usccCheck = checkUscc(uscc);
  if (!usccCheck.ok) codeIssues.push({ path: '/uscc', code: usccCheck.code, message: usccCheck.message });
  const divisionCheck = checkDivisionCode(divisionCode, catalog.divisions);
  if (!divisionCheck.ok) codeIssues.push({ path: '/divisionCode', code: divisionCheck.code, message: divisionCheck.message });
  if (codeIssues.length > 0) {
    throw new ElicenseError('CODE_INVALID', codeIssues.map((i) => `${i.path}: ${i.message}`).join('; '), { errors: codeIssues });
  }
  for (const t of types) checkTypeCode(t, catalog);
  return { uscc, name, divisionCode, types, warnings: usccCheck.ok ? usccCheck.warnings : [] };
}

/** A type code the catalogue knows (any version); TYPE_UNKNOWN otherwise. */
export function checkTypeCode(typeCode: string, catalog: StandardsCatalog): void {
  if (catalog.getType(typeCode) === undefined) {
    throw new ElicenseError('TYPE_UNKNOWN', `no licence type standard with code ${typeCode}`, { errors: [{ path: '/typeCode', message: 'unknown type code' }] });
  }
}

/** POST /v1/departments/{uscc}/suspend | withdraw | reinstate and key withdrawal: a reason is required. */
export function readStateChange(body: unknown): StateChangeRequest {
  const f = fieldsOf(body ?? {}, ['reason']);
  const reason = text(f.get('reason'), '/reason', MAX_REASON, f.issues);
  if (f.issues.length > 0) fail(f.issues, 'state change');
  return { reason };
}

/**
 * POST /v1/departments/{uscc}/keys: either the node makes the key
 * ({algorithm?}) or the department sends a PKCS#10 CSR ({csr}) and keeps its
 * private key. `algorithm` with a CSR is refused: the CSR's key decides it.
 */
export function readIssueKey(body: unknown): IssueKeyRequest {
  const f = fieldsOf(body ?? {}, ['algorithm', 'csr', 'validityDays', 'caKeyId']);
  const caKeyId = f.get('caKeyId');
  if (caKeyId !== undefined && (typeof caKeyId !== 'string' || caKeyId === '' || caKeyId.length > 100)) f.issues.push({ path: '/caKeyId', message: 'must be a key id' });
  const rawValidity = f.get('validityDays') ?? DEFAULT_KEY_VALIDITY_DAYS;
  if (typeof rawValidity !== 'number' || !Number.isInteger(rawValidity) || rawValidity < 1 || rawValidity > MAX_KEY_VALIDITY_DAYS) {
    f.issues.push({ path: '/validityDays', message: `must be a whole number of days from 1 to ${MAX_KEY_VALIDITY_DAYS}` });
  }
  const validityDays = rawValidity as number;
  const csr = f.get('csr');
  const algorithm = f.get('algorithm');
  if (csr !== undefined) {
    if (typeof csr !== 'string' || csr.length === 0 || csr.length > MAX_CSR) f.issues.push({ path: '/csr', message: 'must be a PEM or base64 DER PKCS#10 request' });
    if (algorithm !== undefined) f.issues.push({ path: '/algorithm', message: 'not allowed with a CSR: the requested key decides the algorithm' });
    if (f.issues.length > 0) fail(f.issues, 'key request');
    return { custody: 'department', csr: csr as string, validityDays, caKeyId: caKeyId as string | undefined };
  }
  const alg = algorithm ?? 'ES256';
  if (typeof alg !== 'string' || !(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
    f.issues.push({ path: '/algorithm', message: `must be one of ${SIGNING_ALGORITHMS.join(', ')}` });
  }
  if (f.issues.length > 0) fail(f.issues, 'key request');
  return { custody: 'node', algorithm: alg as SigningAlgorithm, validityDays, caKeyId: caKeyId as string | undefined };
}
