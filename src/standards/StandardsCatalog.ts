/**
 * The licence standards catalogue: the envelope schema, every type standard and the code lists, loaded
 * and compiled once. `validateRecord` is on every verifier's hot path, so it only runs precompiled
 * validators and map lookups.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { DivisionCodeList } from '../codes/divisionCode';
import { HolderCodeTypes } from '../codes/holderCodeTypes';
import { ElicenseError } from '../errors';
import { checkRecordCodes } from './checkRecordCodes';
import { checkTypeStandard } from './checkTypeStandard';
import type { LicenseRecord } from './generated/LicenseRecord';
import type { TypeStandard } from './generated/TypeStandard';
import { loadStandardsFiles, type StandardsFiles } from './loadStandardsFiles';
import type { RecordIssue, RecordValidation } from './recordValidation';
import { compareSemver } from './semver';
import { standardsDir } from './standardsDir';

interface CompiledType {
  standard: TypeStandard;
  validateFace: ValidateFunction;
}

const NO_ISSUES: RecordIssue[] = [];
Object.freeze(NO_ISSUES);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function issues(errors: ErrorObject[] | null | undefined, prefix = ''): RecordIssue[] {
  return (errors ?? []).map((e) => ({
    path: prefix + e.instancePath,
    message:
      e.keyword === 'additionalProperties'
        ? `unknown property ${String((e.params as { additionalProperty?: unknown }).additionalProperty)}`
        : (e.message ?? e.keyword),
  }));
}

export class StandardsCatalog {
  readonly divisions: DivisionCodeList;
  readonly holderCodeTypes: HolderCodeTypes;
  readonly statusCodes: Readonly<Record<string, unknown>>;
  readonly envelopeSchema: Readonly<Record<string, unknown>>;
  private readonly validateEnvelope: ValidateFunction;
  /** `${typeCode}@${version}` → compiled standard. */
  private readonly byKey = new Map<string, CompiledType>();
  /** typeCode → versions, ascending. */
  private readonly versions = new Map<string, TypeStandard[]>();

  /** Loads standards/ (or `dir`) from disk. Throws ElicenseError STANDARD_INVALID on any inconsistency. */
  static load(dir: string = standardsDir()): StandardsCatalog {
    return new StandardsCatalog(loadStandardsFiles(dir));
  }

  constructor(files: StandardsFiles) {
    const ajv = new Ajv2020({ strict: true, allErrors: false });
    addFormats(ajv, ['date', 'time', 'date-time']);
    this.divisions = new DivisionCodeList(files.divisionCodes);
    this.holderCodeTypes = new HolderCodeTypes(files.holderCodeTypes);
    this.statusCodes = deepFreeze(files.statusCodes);
    this.envelopeSchema = deepFreeze(files.envelopeSchema);
    this.validateEnvelope = ajv.compile(files.envelopeSchema);
    const envelopeFields = Object.keys((files.envelopeSchema.properties ?? {}) as object);
    const validateStandard = ajv.compile<TypeStandard>(files.typeStandardSchema);

    for (const { file, doc } of files.types) {
      if (!validateStandard(doc)) {
        throw new ElicenseError('STANDARD_INVALID', `${file}: does not satisfy the type standard schema`, { file, errors: issues(validateStandard.errors) });
      }
      const problems = checkTypeStandard(doc, file, envelopeFields, this.holderCodeTypes);
      if (problems.length > 0) throw new ElicenseError('STANDARD_INVALID', `${file}: ${problems.join('; ')}`, { file, problems });
      const key = `${doc.typeCode}@${doc.version}`;
      if (this.byKey.has(key)) throw new ElicenseError('STANDARD_INVALID', `${file}: type ${key} defined twice`, { file });
      const other = [...this.byKey.values()].find((c) => c.standard.typeCode === doc.typeCode && c.standard.slug !== doc.slug);
      if (other) throw new ElicenseError('STANDARD_INVALID', `${file}: type code already used by ${other.standard.slug}`, { file });
      let validateFace: ValidateFunction;
      try {
        validateFace = ajv.compile(doc.faceSchema);
      } catch (e) {
        throw new ElicenseError('STANDARD_INVALID', `${file}: faceSchema does not compile`, { file }, { cause: e });
      }
      const standard = deepFreeze(doc);
      this.byKey.set(key, { standard, validateFace });
      const list = this.versions.get(doc.typeCode) ?? [];
      list.push(standard);
      list.sort((a, b) => compareSemver(a.version, b.version));
      this.versions.set(doc.typeCode, list);
    }
  }

  /** The standard of `typeCode` at `version`, or its latest version. */
  getType(typeCode: string, version?: string): TypeStandard | undefined {
    if (version !== undefined) return this.byKey.get(`${typeCode}@${version}`)?.standard;
    const list = this.versions.get(typeCode);
    return list?.[list.length - 1];
  }

  /** Latest (or given) version of the type with this slug, e.g. 'business-licence'. */
  getTypeBySlug(slug: string, version?: string): TypeStandard | undefined {
    for (const list of this.versions.values()) {
      if (list[0]?.slug !== slug) continue;
      return version === undefined ? list[list.length - 1] : list.find((s) => s.version === version);
    }
    return undefined;
  }

  /** Every type standard, all versions, ordered by slug then version. */
  listTypes(): TypeStandard[] {
    return [...this.versions.values()].flat().sort((a, b) => (a.slug === b.slug ? compareSemver(a.version, b.version) : a.slug < b.slug ? -1 : 1));
  }

  /**
   * Envelope schema → type lookup by (certificateTypeCode, standardVersion) → face schema → code checks.
   * Returns the first failing stage with its issues; warnings (e.g. a USCC failing only its check character)
   * come back on success too.
   */
  validateRecord(record: unknown): RecordValidation {
    if (!this.validateEnvelope(record)) {
      return { ok: false, code: 'ENVELOPE_SCHEMA_INVALID', errors: issues(this.validateEnvelope.errors), warnings: NO_ISSUES };
    }
    const r = record as LicenseRecord;
    const compiled = this.byKey.get(`${r.certificateTypeCode}@${r.standardVersion}`);
    if (!compiled) {
      return {
        ok: false,
        code: 'TYPE_UNKNOWN',
        errors: [{ path: '/certificateTypeCode', message: `no type standard ${r.certificateTypeCode} version ${r.standardVersion}` }],
        warnings: NO_ISSUES,
      };
    }
    if (!compiled.validateFace(r.extendInfo)) {
      return { ok: false, code: 'TYPE_SCHEMA_INVALID', errors: issues(compiled.validateFace.errors, '/extendInfo'), warnings: NO_ISSUES };
    }
    const codes = checkRecordCodes(r, compiled.standard, { divisions: this.divisions, holderCodeTypes: this.holderCodeTypes });
    if (codes.errors.length > 0) return { ok: false, code: 'CODE_INVALID', errors: codes.errors, warnings: codes.warnings };
    return { ok: true, standard: compiled.standard, warnings: codes.warnings.length > 0 ? codes.warnings : NO_ISSUES };
  }
}
