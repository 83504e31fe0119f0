import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { checkDivisionCode, divisionLevel, type DivisionCodeList } from '../../codes/divisionCode';
import { checkUscc } from '../../codes/uscc';
import { ElicenseError } from '../../errors';
import { EDDSA_DEPARTMENT_KEY_REFUSAL } from '../../crypto/algorithms';
import { ROOT_CA_ID, type CeremonyConfig } from './ceremonyConfig';
import ceremonySchema from './ceremony.schema.json';

export interface CeremonyProblem {
  /** JSON Pointer into the config file. */
  path: string;
  message: string;
}

export interface ParseCeremonyOptions {
  /** When given, every division code must be in this GB/T 2260 list. */
  divisionCodes?: DivisionCodeList;
  /** When given, every authorised licence type code must be one of these. */
  licenseTypeCodes?: ReadonlySet<string>;
}

export interface ParsedCeremonyConfig {
  config: CeremonyConfig;
  /** Accepted but worth an operator's look (e.g. a USCC whose check character fails). */
  warnings: CeremonyProblem[];
}

let validator: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  // Compiled once on first use; a compiled schema is a pure function.
  validator ??= new Ajv2020({ allErrors: true, strict: true }).compile(ceremonySchema);
  return validator;
}

/**
 * Validates a ceremony config: JSON Schema first, then the rules a schema
 * cannot state (references, path lengths, divisions nested in their issuer's,
 * validity inside the issuer's). Any problem → CEREMONY_INVALID naming the
 * JSON Pointer of the first one; all of them are in `details.problems`.
 */
export function parseCeremonyConfig(input: unknown, options: ParseCeremonyOptions = {}): ParsedCeremonyConfig {
  const validate = schemaValidator();
  if (!validate(input)) fail((validate.errors ?? []).map(schemaProblem));
  const config = input as CeremonyConfig;
  const problems: CeremonyProblem[] = [];
  const warnings: CeremonyProblem[] = [];
  checkSemantics(config, options, problems, warnings);
  if (problems.length > 0) fail(problems);
  return { config, warnings };
}

function fail(problems: CeremonyProblem[]): never {
  const first = problems[0] ?? { path: '', message: 'invalid' };
  throw new ElicenseError('CEREMONY_INVALID', `ceremony config is invalid at ${first.path || '/'}: ${first.message}`, { path: first.path, problems });
}

function schemaProblem(e: ErrorObject): CeremonyProblem {
  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty: string }).missingProperty);
    return { path: `${e.instancePath}/${missing}`, message: 'required field is missing' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = String((e.params as { additionalProperty: string }).additionalProperty);
    return { path: `${e.instancePath}/${extra}`, message: 'unknown field' };
  }
  if (e.keyword === 'enum') {
    return { path: e.instancePath, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
  }
  return { path: e.instancePath, message: e.message ?? e.keyword };
}

interface CaNode {
  path: string;
  divisionCode: string;
  pathLen: number;
  validityYears: number;
  /** Its key is SM2: it certifies SM2 keys only, and a non-SM2 CA certifies no SM2 key (ADR 0009, mixed paths). */
  sm2: boolean;
  /** Its key is Ed25519: refused as soon as a department key is certified below it (ADR 0004, "Readers agree"). */
  eddsa: boolean;
  /** The CA that certified it; undefined for the root. */
  parent?: string;
}

const isSm2 = (x: { algorithm?: string }): boolean => x.algorithm === 'SM2';

/** The code prefix that every division inside `code` shares: 35 for 350000, 3501 for 350100. */
function divisionPrefix(code: string): string {
  const level = divisionLevel(code);
  return level === 'province' ? code.slice(0, 2) : level === 'prefecture' ? code.slice(0, 4) : code;
}

function checkSemantics(c: CeremonyConfig, options: ParseCeremonyOptions, problems: CeremonyProblem[], warnings: CeremonyProblem[]): void {
  const problem = (path: string, message: string): void => void problems.push({ path, message });
  const division = (code: string, path: string): void => {
    const r = checkDivisionCode(code, options.divisionCodes);
    if (!r.ok) problem(path, r.message);
  };

  division(c.region.code, '/region/code');
  if (divisionLevel(c.region.code) === 'county') problem('/region/code', 'a region is a province- or prefecture-level division');

  const cas = new Map<string, CaNode>([
    [ROOT_CA_ID, { path: '/root', divisionCode: c.region.code, pathLen: c.root.pathLen, validityYears: c.root.validityYears, sm2: isSm2(c.root), eddsa: c.root.algorithm === 'EdDSA' }],
  ]);
  const sameFamily = (x: { algorithm?: string }, issuer: CaNode, path: string): void => {
    if (isSm2(x) !== issuer.sm2) problem(`${path}/algorithm`, `an SM2 and a non-SM2 key cannot be in one certification path (issuer ${issuer.path})`);
  };
  const inside = (code: string, issuer: CaNode, path: string): void => {
    if (!code.startsWith(divisionPrefix(issuer.divisionCode))) {
      problem(path, `division ${code} is not inside its issuer's division ${issuer.divisionCode} (${issuer.path})`);
    }
  };

  (c.intermediates ?? []).forEach((ic, i) => {
    const path = `/intermediates/${i}`;
    division(ic.divisionCode, `${path}/divisionCode`);
    if (cas.has(ic.id)) problem(`${path}/id`, `duplicate CA id "${ic.id}"`);
    const issuer = cas.get(ic.issuer);
    if (!issuer) {
      problem(`${path}/issuer`, `unknown issuer "${ic.issuer}": use "${ROOT_CA_ID}" or the id of an intermediate listed earlier`);
    } else {
      inside(ic.divisionCode, issuer, `${path}/divisionCode`);
      sameFamily(ic, issuer, path);
      if (issuer.pathLen < 1) {
        problem(`${issuer.path}/pathLen`, `pathLen ${issuer.pathLen} allows no intermediate CA below it, but ${path} is issued by it`);
      } else if (ic.pathLen > issuer.pathLen - 1) {
        problem(`${path}/pathLen`, `pathLen ${ic.pathLen} must be at most ${issuer.pathLen - 1} (issuer ${issuer.path} has pathLen ${issuer.pathLen})`);
      }
      if (ic.validityYears > issuer.validityYears) {
        problem(`${path}/validityYears`, `${ic.validityYears} years outlives the issuer's ${issuer.validityYears} years`);
      }
    }
    if (!cas.has(ic.id)) cas.set(ic.id, { path, divisionCode: ic.divisionCode, pathLen: ic.pathLen, validityYears: ic.validityYears, sm2: isSm2(ic), eddsa: ic.algorithm === 'EdDSA', parent: ic.issuer });
  });

  for (const key of ['trustListSigner', 'timestampAuthority'] as const) {
    if (c[key].validityDays > c.root.validityYears * 365) problem(`/${key}/validityDays`, 'outlives the root CA');
    sameFamily(c[key], cas.get(ROOT_CA_ID)!, `/${key}`);
  }

  const ids = new Set<string>();
  const edDsaCas = new Set<string>();
  const usccs = new Map<string, string>();
  c.departments.forEach((d, i) => {
    const path = `/departments/${i}`;
    if (ids.has(d.id)) problem(`${path}/id`, `duplicate department id "${d.id}"`);
    ids.add(d.id);
    const u = checkUscc(d.uscc);
    if (!u.ok) problem(`${path}/uscc`, u.message);
    else for (const w of u.warnings) warnings.push({ path: `${path}/uscc`, message: w.message });
    const seen = usccs.get(d.uscc);
    if (seen) problem(`${path}/uscc`, `USCC already used by ${seen}`);
    usccs.set(d.uscc, path);
    division(d.divisionCode, `${path}/divisionCode`);
    if (d.algorithm === 'EdDSA') problem(`${path}/algorithm`, EDDSA_DEPARTMENT_KEY_REFUSAL);
    const issuer = cas.get(d.issuer);
    if (!issuer) {
      problem(`${path}/issuer`, `unknown issuer "${d.issuer}"`);
    } else {
      inside(d.divisionCode, issuer, `${path}/divisionCode`);
      sameFamily(d, issuer, path);
      // Every CA on a department's path is checked by a PDF reader given the root: none may be EdDSA.
      for (let ca: CaNode | undefined = issuer, hops = 0; ca && hops <= cas.size; ca = ca.parent === undefined ? undefined : cas.get(ca.parent), hops++) {
        if (ca.eddsa) edDsaCas.add(ca.path);
      }
      if (d.validityDays > issuer.validityYears * 365) problem(`${path}/validityDays`, `outlives the issuer ${issuer.path}`);
    }
    if (options.licenseTypeCodes) {
      d.licenseTypes.forEach((t, j) => {
        if (!options.licenseTypeCodes!.has(t)) problem(`${path}/licenseTypes/${j}`, `unknown licence type code ${t}`);
      });
    }
  });
  for (const caPath of edDsaCas) problem(`${caPath}/algorithm`, `a CA above department keys may not be EdDSA: ${EDDSA_DEPARTMENT_KEY_REFUSAL}`);
}
