import { createHash } from 'node:crypto';

/** One forward-only schema step. `version` counts up from 1 with no gaps. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** SHA-256 of the SQL with line endings normalised, so a CRLF checkout does not look like an edit. */
export function migrationChecksum(m: Migration): string {
  return createHash('sha256').update(m.sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}
