import { readFileSync } from 'node:fs';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { standardsDir } from '../standards/standardsDir';

export const ANNOTATED_COPY_SCHEMA_FILE = 'annotated-copy/annotated-copy-1.0.0.schema.json';

let validator: ValidateFunction | undefined;

/** The published schema of the copy document, compiled once. */
export function annotatedCopyValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ strict: true, allErrors: false });
    validator = ajv.compile(JSON.parse(readFileSync(`${standardsDir()}/${ANNOTATED_COPY_SCHEMA_FILE}`, 'utf8')) as object);
  }
  return validator;
}

/** The first schema error of a document, as `pointer message`; undefined when it matches. */
export function annotatedCopySchemaError(doc: unknown): string | undefined {
  const validate = annotatedCopyValidator();
  if (validate(doc)) return undefined;
  const first = validate.errors?.[0];
  return `${first?.instancePath || '/'} ${first?.message ?? 'does not match the schema'}`;
}
