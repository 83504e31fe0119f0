import { checkDivisionCode } from '../../codes/divisionCode';
import { checkUscc } from '../../codes/uscc';
import type { CodeWarning } from '../../codes/codeCheck';
import { ElicenseError } from '../../errors';
import { type JwsAlgorithm as SigningAlgorithm } from '../../crypto/algorithms';
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

/**
 * What no schema can say about a department admission, checked after the
 * shape (the HTTP door checks that): the USCC's check characters and the
 * division code against GB/T 2260 (CODE_INVALID, every issue at its pointer),
 * then every type code against the catalogue (TYPE_UNKNOWN). A USCC whose
 * check characters fail with a warning only is admitted with the warnings.
 */
export function checkAdmission(request: { uscc: string; name: string; divisionCode: string; types: readonly string[] }, catalog: StandardsCatalog): AdmitDepartmentRequest {
  const { uscc, divisionCode } = request;
  const codeIssues: RecordIssue[] = [];
  const usccCheck = checkUscc(uscc);
  if (!usccCheck.ok) codeIssues.push({ path: '/uscc', code: usccCheck.code, message: usccCheck.message });
  const divisionCheck = checkDivisionCode(divisionCode, catalog.divisions);
  if (!divisionCheck.ok) codeIssues.push({ path: '/divisionCode', code: divisionCheck.code, message: divisionCheck.message });
  if (codeIssues.length > 0) {
    throw new ElicenseError('CODE_INVALID', codeIssues.map((i) => `${i.path}: ${i.message}`).join('; '), { errors: codeIssues });
  }
  const types = [...new Set(request.types)];
  for (const t of types) checkTypeCode(t, catalog);
  return { uscc, name: request.name.trim(), divisionCode, types, warnings: [...(usccCheck.ok ? usccCheck.warnings : []), ...replacedTypeWarnings(types, catalog)] };
}

/**
 * A grant of a code another code has replaced (docs/adr/0011) is allowed: it keeps the department's old
 * licences verifying, and nothing is taken away by accident. It does not let the department issue by slug,
 * which issues under the newest standard, so the answer warns (TYPE_CODE_REPLACED) and names the successor.
 */
export function replacedTypeWarnings(typeCodes: readonly string[], catalog: Pick<StandardsCatalog, 'successorOf'>): CodeWarning[] {
  const warnings: CodeWarning[] = [];
  for (const t of typeCodes) {
    const successor = catalog.successorOf(t);
    if (successor === undefined) continue;
    warnings.push({
      code: 'TYPE_CODE_REPLACED',
      message: `type code ${t} is replaced by ${successor.typeCode} (${successor.slug} ${successor.version}): the grant keeps licences of ${t} verifying, but new licences of this type are issued under ${successor.typeCode}, which needs its own grant`,
    });
  }
  return warnings;
}

/** A type code the catalogue knows (any version); TYPE_UNKNOWN otherwise. */
export function checkTypeCode(typeCode: string, catalog: StandardsCatalog): void {
  if (catalog.getType(typeCode) === undefined) {
    throw new ElicenseError('TYPE_UNKNOWN', `no licence type standard with code ${typeCode}`, { errors: [{ path: '/typeCode', message: 'unknown type code' }] });
  }
}
