import type { Migration } from '../Migration';
import { sql as issuingNode } from './0001_issuing_node';
import { sql as region } from './0002_region';
import { sql as federation } from './0003_federation';
import { sql as statistics } from './0004_statistics';
import { sql as changeNotices } from './0005_change_notices';
import { sql as licenseTimeIndex } from './0006_licence_time_index';
import { sql as nonValidIndex } from './0007_non_valid_index';
import { sql as honestIssuance } from './0008_honest_issuance';
import { sql as departmentSeals } from './0009_department_seals';
import { sql as holder } from './0010_holder';
import { sql as requestNonces } from './0011_request_nonces';
import { sql as consumers } from './0012_consumers';

/**
 * Every migration, in order. Kept as TypeScript string exports rather than
 * .sql files so that they travel inside dist/ (tsc copies no .sql, and the
 * container image ships only dist/).
 */
export const ALL_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'issuing_node', sql: issuingNode },
  { version: 2, name: 'region', sql: region },
  { version: 3, name: 'federation', sql: federation },
  { version: 4, name: 'statistics', sql: statistics },
  { version: 5, name: 'change_notices', sql: changeNotices },
  { version: 6, name: 'licence_time_index', sql: licenseTimeIndex },
  { version: 7, name: 'non_valid_index', sql: nonValidIndex },
  { version: 8, name: 'honest_issuance', sql: honestIssuance },
  { version: 9, name: 'department_seals', sql: departmentSeals },
  { version: 10, name: 'holder', sql: holder },
  { version: 11, name: 'request_nonces', sql: requestNonces },
  { version: 12, name: 'consumers', sql: consumers },
];
