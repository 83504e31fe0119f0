import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { ElicenseError } from '../../../errors';
import { checkRequestText } from '../../../json/checkRequestText';
import { checkIdempotencyKey, refuseUnknownType, resolveIssueRequest, type BatchRecordRequest } from '../../../region/licenses/issueRequest';
import type { StandardsCatalog } from '../../../standards/StandardsCatalog';
import { inputIssues } from '../../schema/readRouteInput';
import type { TypeOf } from '../../schema/Schema';
import { BATCH_RECORD } from './licenseSchemas';

/**
 * One record of a batch, read on its own so that it fails alone: the text
 * check first (the door leaves batch bodies to it), then the record schema
 * the OpenAPI document shows (SCHEMA_INVALID with every issue), the key, the type.
 */
export class BatchRecordReader {
  readonly #validate: ValidateFunction;

  constructor(private readonly catalog: StandardsCatalog) {
    this.#validate = new Ajv2020({ strict: true, strictRequired: false, strictTypes: false, allErrors: true }).compile(BATCH_RECORD.json);
  }

  read(record: unknown): BatchRecordRequest {
    checkRequestText(record);
    refuseUnknownType(this.catalog, record);
    if (!this.#validate(record)) {
      const issues = inputIssues(this.#validate.errors ?? []);
      throw new ElicenseError('SCHEMA_INVALID', `the record does not match the issue request schema: ${issues.slice(0, 3).map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`, { errors: issues });
    }
    const { idempotencyKey, ...rest } = record as TypeOf<typeof BATCH_RECORD>;
    if (idempotencyKey !== undefined) checkIdempotencyKey(idempotencyKey);
    return { ...resolveIssueRequest(this.catalog, rest), idempotencyKey };
  }
}
