import type { StandardsCatalog } from '../standards/StandardsCatalog';
import type { CompactClaims } from '../forms/qr/compactLicense';
import { validateCompactClaims } from './forms/validateCompactClaims';
import type { ResultBuilder } from './ResultBuilder';

/** Step 2, schema, of a full form: the envelope, the type's face data and its codes, against the published type standard. */
export function checkRecordSchema(record: Record<string, unknown>, catalog: StandardsCatalog, rb: ResultBuilder): void {
  const schema = catalog.validateRecord(record);
  if (schema.ok) rb.pass('schema');
  else rb.fail('schema', schema.code, schema.errors.slice(0, 5).map((e) => `${e.path || '/'} ${e.message}`).join('; '));
  for (const w of schema.warnings) rb.warn(w.code ?? 'CODE_WARNING');
}

/** Step 2, schema, of a compact QR: a published type standard, and the claims typed as the record's (its face data is the qrFields subset). */
export function checkCompactSchema(claims: CompactClaims, catalog: StandardsCatalog, rb: ResultBuilder): void {
  const schema = validateCompactClaims(claims, catalog);
  if (schema.ok) rb.pass('schema');
  else rb.fail('schema', schema.code, schema.message);
}
