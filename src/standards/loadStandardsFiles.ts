/**
 * Reads the standards folder (the I/O edge of the catalogue). Everything else works on the parsed data.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DivisionCodeListData } from '../codes/divisionCode';
import type { HolderCodeTypesData } from '../codes/holderCodeTypes';

/** The first envelope; records that carry no envelopeVersion follow it. */
export const ENVELOPE_SCHEMA_FILE = 'envelope/licence-record-1.0.0.schema.json';
/** The first meta-schema; type standards that carry no "$schema" follow it. */
export const TYPE_STANDARD_SCHEMA_FILE = 'type-standard.schema.json';
/** Envelope schema files: envelope/licence-record-<version>.schema.json. */
const ENVELOPE_FILE = /^licence-record-((?:0|[1-9][0-9]{0,3})\.(?:0|[1-9][0-9]{0,3})\.(?:0|[1-9][0-9]{0,3}))\.schema\.json$/;
/** Later meta-schemas: type-standard-<version>.schema.json, named by their $id in the standards that follow them. */
const META_FILE = /^type-standard-((?:0|[1-9][0-9]{0,3})\.(?:0|[1-9][0-9]{0,3})\.(?:0|[1-9][0-9]{0,3}))\.schema\.json$/;

export interface StandardsFiles {
  /** The 1.0.0 envelope (kept for readers that know one envelope). */
  envelopeSchema: Record<string, unknown>;
  /** Every envelope by version ('1.0.0', '1.1.0', ...). */
  envelopes: { version: string; file: string; schema: Record<string, unknown> }[];
  /** The 1.0.0 meta-schema. */
  typeStandardSchema: Record<string, unknown>;
  /** Every meta-schema: the 1.0.0 one first, then later ones (their $id is what a standard's "$schema" names). */
  typeStandardSchemas: { version: string; file: string; schema: Record<string, unknown> }[];
  /** Relative path (types/<slug>/<version>.json) → parsed document, not yet validated. */
  types: { file: string; doc: unknown }[];
  holderCodeTypes: HolderCodeTypesData;
  divisionCodes: DivisionCodeListData;
  statusCodes: Record<string, unknown>;
}

function readJson<T>(dir: string, file: string): T {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
}

export function loadStandardsFiles(dir: string): StandardsFiles {
  const types: StandardsFiles['types'] = [];
  for (const slug of readdirSync(join(dir, 'types')).sort()) {
    for (const f of readdirSync(join(dir, 'types', slug)).sort()) {
      if (!f.endsWith('.json')) continue;
      const file = `types/${slug}/${f}`;
      types.push({ file, doc: readJson(dir, file) });
    }
  }
  const envelopes: StandardsFiles['envelopes'] = [];
  for (const f of readdirSync(join(dir, 'envelope')).sort()) {
    const m = ENVELOPE_FILE.exec(f);
    if (m) envelopes.push({ version: m[1]!, file: `envelope/${f}`, schema: readJson(dir, `envelope/${f}`) });
  }
  const typeStandardSchema = readJson<Record<string, unknown>>(dir, TYPE_STANDARD_SCHEMA_FILE);
  const typeStandardSchemas: StandardsFiles['typeStandardSchemas'] = [{ version: '1.0.0', file: TYPE_STANDARD_SCHEMA_FILE, schema: typeStandardSchema }];
  for (const f of readdirSync(dir).sort()) {
    const m = META_FILE.exec(f);
    if (m) typeStandardSchemas.push({ version: m[1]!, file: f, schema: readJson(dir, f) });
  }
  return {
    envelopeSchema: readJson(dir, ENVELOPE_SCHEMA_FILE),
    envelopes,
    typeStandardSchema,
    typeStandardSchemas,
    types,
    holderCodeTypes: readJson(dir, 'codelists/holder-code-types.json'),
    divisionCodes: readJson(dir, 'codelists/division-codes.json'),
    statusCodes: readJson(dir, 'codelists/status-codes.json'),
  };
}
