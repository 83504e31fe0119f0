/**
 * Reads the standards folder (the I/O edge of the catalogue). Everything else works on the parsed data.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DivisionCodeListData } from '../codes/divisionCode';
import type { HolderCodeTypesData } from '../codes/holderCodeTypes';

export const ENVELOPE_SCHEMA_FILE = 'envelope/licence-record-1.0.0.schema.json';
export const TYPE_STANDARD_SCHEMA_FILE = 'type-standard.schema.json';

export interface StandardsFiles {
  envelopeSchema: Record<string, unknown>;
  typeStandardSchema: Record<string, unknown>;
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
  return {
    envelopeSchema: readJson(dir, ENVELOPE_SCHEMA_FILE),
    typeStandardSchema: readJson(dir, TYPE_STANDARD_SCHEMA_FILE),
    types,
    holderCodeTypes: readJson(dir, 'codelists/holder-code-types.json'),
    divisionCodes: readJson(dir, 'codelists/division-codes.json'),
    statusCodes: readJson(dir, 'codelists/status-codes.json'),
  };
}
