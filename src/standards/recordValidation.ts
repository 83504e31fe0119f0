/** Outcome of validating a licence record against the standards catalogue. */
import type { TypeStandard } from './generated/TypeStandard';

export interface RecordIssue {
  /** JSON pointer into the record, e.g. /extendInfo/name. */
  path: string;
  message: string;
  /** Stable code of a failed code check (USCC_CHECK_CHARACTER_MISMATCH, DIVISION_CODE_UNKNOWN, ...). */
  code?: string;
}

export type RecordValidationCode = 'ENVELOPE_SCHEMA_INVALID' | 'TYPE_UNKNOWN' | 'TYPE_SCHEMA_INVALID' | 'CODE_INVALID';

export type RecordValidation =
  | { ok: true; standard: TypeStandard; warnings: RecordIssue[] }
  | { ok: false; code: RecordValidationCode; errors: RecordIssue[]; warnings: RecordIssue[] };
