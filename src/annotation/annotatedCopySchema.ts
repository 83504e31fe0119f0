import { readFileSync } from 'node:fs';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { standardsDir } from '../standards/standardsDir';

export const ANNOTATED_COPY_SCHEMA_FILE = 'annotated-copy/annotated-copy-1.0.0.schema.json';

let validator: ValidateFunction | undefined;
let annotationValidator: ValidateFunction | undefined;

/** The published schema of the copy document, compiled once. */
export function annotatedCopyValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ strict: true, allErrors: false });
    const schema = JSON.parse(readFileSync(`${standardsDir()}/${ANNOTATED_COPY_SCHEMA_FILE}`, 'utf8')) as { $id: string };
    validator = ajv.compile(schema);
    annotationValidator = ajv.getSchema(`${schema.$id}#/$defs/annotation`);
    if (!annotationValidator) throw new Error('the annotated copy schema has no $defs/annotation');
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

/** The first schema error of an annotation alone (the QR's), as `pointer message`; undefined when it matches. */
export function annotationSchemaError(annotation: unknown): string | undefined {
  annotatedCopyValidator();
  const validate = annotationValidator!;
  if (validate(annotation)) return undefined;
  const first = validate.errors?.[0];
  return `${first?.instancePath || '/'} ${first?.message ?? 'does not match the schema'}`;
}
