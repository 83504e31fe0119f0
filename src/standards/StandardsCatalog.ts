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
  envelope: CompiledEnvelope;
}

interface CompiledEnvelope {
  version: string;
  validate: ValidateFunction;
  schema: Readonly<Record<string, unknown>>;
}

/** The envelope a record without envelopeVersion follows, and the meta-schema of a standard without "$schema". */
export const FIRST_ENVELOPE_VERSION = '1.0.0';

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
        : e.keyword === 'enum'
          ? `must be one of ${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map(String).join(', ')}`
          : e.keyword === 'const'
            ? `must be ${String((e.params as { allowedValue?: unknown }).allowedValue)}`
            : (e.message ?? e.keyword),
  }));
}

export class StandardsCatalog {
  readonly divisions: DivisionCodeList;
  readonly holderCodeTypes: HolderCodeTypes;
  readonly statusCodes: Readonly<Record<string, unknown>>;
  /** The 1.0.0 envelope schema (the one every record without envelopeVersion follows). */
  readonly envelopeSchema: Readonly<Record<string, unknown>>;
  /** Every envelope schema by version. */
  readonly envelopeSchemas: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  private readonly envelopes = new Map<string, CompiledEnvelope>();
  /** `${typeCode}@${version}` → compiled standard. */
  private readonly byKey = new Map<string, CompiledType>();
  /** typeCode → versions, ascending. */
  private readonly versions = new Map<string, TypeStandard[]>();
  /** slug → every version of every type code it has had, ascending by version. */
  private readonly bySlug = new Map<string, TypeStandard[]>();

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
    for (const e of files.envelopes) {
      const schema = deepFreeze(e.schema);
      this.envelopes.set(e.version, { version: e.version, validate: ajv.compile(schema), schema });
    }
    const first = this.envelopes.get(FIRST_ENVELOPE_VERSION);
    if (!first) throw new ElicenseError('STANDARD_INVALID', `envelope ${FIRST_ENVELOPE_VERSION} is missing`);
    this.envelopeSchema = first.schema;
    this.envelopeSchemas = new Map([...this.envelopes].map(([v, e]) => [v, e.schema]));
    const metaSchemas = new Map<string | undefined, ValidateFunction>();
    for (const m of files.typeStandardSchemas) {
      metaSchemas.set(m.version === FIRST_ENVELOPE_VERSION ? undefined : String(m.schema['$id']), ajv.compile(m.schema));
    }

    for (const { file, doc } of files.types) {
      const metaId = (doc as { $schema?: unknown } | null)?.$schema;
      const validateStandard = metaSchemas.get(typeof metaId === 'string' ? metaId : undefined);
      if (!validateStandard || (metaId !== undefined && typeof metaId !== 'string')) {
        throw new ElicenseError('STANDARD_INVALID', `${file}: unknown meta-schema ${String(metaId)}`, { file });
      }
      if (!validateStandard(doc)) {
        throw new ElicenseError('STANDARD_INVALID', `${file}: does not satisfy the type standard schema`, { file, errors: issues(validateStandard.errors) });
      }
      const typed = doc as TypeStandard;
      const envelope = this.envelopes.get(typed.envelopeVersion ?? FIRST_ENVELOPE_VERSION);
      if (!envelope) throw new ElicenseError('STANDARD_INVALID', `${file}: unknown envelope ${String(typed.envelopeVersion)}`, { file });
      const envelopeFields = Object.keys((envelope.schema['properties'] ?? {}) as object);
      const problems = checkTypeStandard(typed, file, envelopeFields, this.holderCodeTypes);
      if (problems.length > 0) throw new ElicenseError('STANDARD_INVALID', `${file}: ${problems.join('; ')}`, { file, problems });
      const key = `${typed.typeCode}@${typed.version}`;
      if (this.byKey.has(key)) throw new ElicenseError('STANDARD_INVALID', `${file}: type ${key} defined twice`, { file });
      const other = [...this.byKey.values()].find((c) => c.standard.typeCode === typed.typeCode && c.standard.slug !== typed.slug);
      if (other) throw new ElicenseError('STANDARD_INVALID', `${file}: type code already used by ${other.standard.slug}`, { file });
      let validateFace: ValidateFunction;
      try {
        validateFace = ajv.compile(typed.faceSchema);
      } catch (e) {
        throw new ElicenseError('STANDARD_INVALID', `${file}: faceSchema does not compile`, { file }, { cause: e });
      }
      const standard = deepFreeze(typed);
      this.byKey.set(key, { standard, validateFace, envelope });
      const list = this.versions.get(standard.typeCode) ?? [];
      list.push(standard);
      list.sort((a, b) => compareSemver(a.version, b.version));
      this.versions.set(standard.typeCode, list);
      const slugList = this.bySlug.get(standard.slug) ?? [];
      slugList.push(standard);
      slugList.sort((a, b) => compareSemver(a.version, b.version));
      this.bySlug.set(standard.slug, slugList);
    }
    this.checkSuccessions();
  }

  /**
   * A slug's versions are one line of succession: versions differ, and a version with a new type code names
   * the code it replaces (the previous version's), so "the newest version of a slug" and "the successor of a
   * code" are each one answer (docs/adr/0010).
   */
  private checkSuccessions(): void {
    for (const [slug, list] of this.bySlug) {
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1]!;
        const cur = list[i]!;
        if (compareSemver(prev.version, cur.version) === 0) {
          throw new ElicenseError('STANDARD_INVALID', `types/${slug}: version ${cur.version} is published under two type codes`, { slug });
        }
        const replaces = cur.replacesTypeCode;
        if (cur.typeCode !== prev.typeCode && replaces !== prev.typeCode) {
          throw new ElicenseError('STANDARD_INVALID', `types/${slug}/${cur.version}.json: a new type code must name the code it replaces (${prev.typeCode})`, { slug });
        }
        if (cur.typeCode === prev.typeCode && replaces !== undefined && replaces !== prev.typeCode) {
          throw new ElicenseError('STANDARD_INVALID', `types/${slug}/${cur.version}.json: replacesTypeCode ${replaces} is not this slug's previous code`, { slug });
        }
      }
      const first = list[0]!;
      if (first.replacesTypeCode !== undefined) {
        throw new ElicenseError('STANDARD_INVALID', `types/${slug}/${first.version}.json: replaces ${first.replacesTypeCode}, which no earlier version of ${slug} has`, { slug });
      }
    }
  }

  /** The standard of `typeCode` at `version`, or its latest version. */
  getType(typeCode: string, version?: string): TypeStandard | undefined {
    if (version !== undefined) return this.byKey.get(`${typeCode}@${version}`)?.standard;
    const list = this.versions.get(typeCode);
    return list?.[list.length - 1];
  }

  /** Latest (or given) version of the type with this slug, e.g. 'business-licence', whichever type code that version has. */
  getTypeBySlug(slug: string, version?: string): TypeStandard | undefined {
    const list = this.bySlug.get(slug);
    if (!list) return undefined;
    return version === undefined ? list[list.length - 1] : list.find((s) => s.version === version);
  }

  /**
   * The newest standard of the licence type this code names, when that is under another code (the code was
   * replaced: a placeholder by the national code); undefined when the code is current or unknown.
   */
  successorOf(typeCode: string): TypeStandard | undefined {
    const slug = this.versions.get(typeCode)?.[0]?.slug;
    const newest = slug === undefined ? undefined : this.getTypeBySlug(slug);
    return newest && newest.typeCode !== typeCode ? newest : undefined;
  }

  /** Every type code a slug has had, oldest first (one entry unless its code was replaced). */
  typeCodesOf(slug: string): string[] {
    return [...new Set((this.bySlug.get(slug) ?? []).map((s) => s.typeCode))];
  }

  /** Every type standard, all versions, ordered by slug then version. */
  listTypes(): TypeStandard[] {
    return [...this.bySlug.values()].flat().sort((a, b) => (a.slug === b.slug ? compareSemver(a.version, b.version) : a.slug < b.slug ? -1 : 1));
  }

  /**
   * Envelope schema (the record's envelopeVersion; none means 1.0.0) → type lookup by (certificateTypeCode,
   * standardVersion), which must follow the same envelope → face schema → code checks. Returns the first
   * failing stage with its issues; warnings (e.g. a USCC failing only its check character) come back on
   * success too.
   */
  validateRecord(record: unknown): RecordValidation {
    const declared = typeof record === 'object' && record !== null ? (record as { envelopeVersion?: unknown }).envelopeVersion : undefined;
    const envelope = declared === undefined ? this.envelopes.get(FIRST_ENVELOPE_VERSION)! : typeof declared === 'string' ? this.envelopes.get(declared) : undefined;
    if (!envelope) {
      return { ok: false, code: 'ENVELOPE_SCHEMA_INVALID', errors: [{ path: '/envelopeVersion', message: `no envelope version ${JSON.stringify(declared)}` }], warnings: NO_ISSUES };
    }
    if (!envelope.validate(record)) {
      return { ok: false, code: 'ENVELOPE_SCHEMA_INVALID', errors: issues(envelope.validate.errors), warnings: NO_ISSUES };
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
    if (compiled.envelope !== envelope) {
      return {
        ok: false,
        code: 'ENVELOPE_SCHEMA_INVALID',
        errors: [{ path: '/envelopeVersion', message: `type ${r.certificateTypeCode} version ${r.standardVersion} follows envelope ${compiled.envelope.version}, the record envelope ${envelope.version}` }],
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
