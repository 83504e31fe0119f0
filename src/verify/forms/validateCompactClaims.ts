import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { TypeStandard } from '../../standards/generated/TypeStandard';
import type { CompactClaims } from '../../forms/qr/compactLicense';

/** The envelope fields a QR carries besides the identifier (which decoding already parsed). */
const ENVELOPE_FIELDS = ['standardVersion', 'certificateEffectiveDate', 'certificateExpiringDate', 'certificateHolderName'] as const;

export type CompactClaimsValidation =
  | { ok: true }
  | { ok: false; code: 'TYPE_UNKNOWN' | 'ENVELOPE_SCHEMA_INVALID' | 'TYPE_SCHEMA_INVALID'; message: string };

const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats(ajv, ['date', 'time', 'date-time']);

// Compiled once per catalog (envelope) and per standard (face): both are immutable objects.
const envelopeValidators = new WeakMap<object, ValidateFunction>();
const faceValidators = new WeakMap<object, ValidateFunction>();

function envelopeValidator(catalog: StandardsCatalog): ValidateFunction {
  let v = envelopeValidators.get(catalog.envelopeSchema);
  if (!v) {
    const all = (catalog.envelopeSchema['properties'] ?? {}) as Record<string, unknown>;
    const properties = Object.fromEntries(ENVELOPE_FIELDS.map((f) => [f, all[f] ?? {}]));
    v = ajv.compile({ type: 'object', properties, required: ['standardVersion', 'certificateEffectiveDate', 'certificateHolderName'] });
    envelopeValidators.set(catalog.envelopeSchema, v);
  }
  return v;
}

/** The face schema cut down to the standard's qrFields: a QR may omit an optional field, never add one. */
function faceValidator(standard: TypeStandard): ValidateFunction {
  let v = faceValidators.get(standard);
  if (!v) {
    const { properties } = standard.faceSchema;
    const kept = Object.fromEntries(standard.qrFields.map((f) => [f, properties[f] ?? {}]));
    const required = standard.faceSchema.required.filter((f) => standard.qrFields.includes(f));
    v = ajv.compile({ type: 'object', additionalProperties: false, properties: kept, required });
    faceValidators.set(standard, v);
  }
  return v;
}

const describe = (v: ValidateFunction, base: string): string =>
  (v.errors ?? []).slice(0, 3).map((e) => `${base}${e.instancePath || ''} ${e.message ?? e.keyword}`).join('; ');

/**
 * The schema check of a QR: its type is a published standard, its envelope
 * claims have the record's property types, and its face values satisfy the
 * type's face schema for the standard's qrFields (nothing else, nothing unknown).
 */
export function validateCompactClaims(claims: CompactClaims, catalog: StandardsCatalog): CompactClaimsValidation {
  const standard = catalog.getType(claims.typeCode, claims.standardVersion);
  if (!standard) return { ok: false, code: 'TYPE_UNKNOWN', message: `no type standard ${claims.typeCode} version ${claims.standardVersion}` };
  const envelope = envelopeValidator(catalog);
  const record = {
    standardVersion: claims.standardVersion,
    certificateEffectiveDate: claims.effectiveDate,
    ...(claims.expiringDate !== undefined ? { certificateExpiringDate: claims.expiringDate } : {}),
    certificateHolderName: claims.holderName,
  };
  if (!envelope(record)) return { ok: false, code: 'ENVELOPE_SCHEMA_INVALID', message: describe(envelope, '') };
  if (claims.otherHolderCount !== undefined && claims.otherHolderCount + 1 > (standard.maxHolders ?? 1)) {
    return { ok: false, code: 'ENVELOPE_SCHEMA_INVALID', message: `${claims.otherHolderCount + 1} holders; ${standard.slug} ${standard.version} names at most ${standard.maxHolders ?? 1}` };
  }
  const face = faceValidator(standard);
  if (!face(claims.face)) return { ok: false, code: 'TYPE_SCHEMA_INVALID', message: describe(face, '/extendInfo') };
  return { ok: true };
}
