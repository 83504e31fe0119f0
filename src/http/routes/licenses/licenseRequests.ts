import type { LicenseQuery } from '../../../store/LicenseStore';
import { realDate } from '../../schema/commonSchemas';
import type { TypeOf } from '../../schema/Schema';
import type { LICENSE_QUERY } from './licenseSchemas';

/** GET /v1/licenses as the store's query: the schema has checked every parameter; the dates are read here. */
export function licenseQueryOf(q: TypeOf<typeof LICENSE_QUERY>): Omit<LicenseQuery, 'uscc'> & { uscc: string | undefined } {
  const from = q.from === undefined ? undefined : new Date(realDate(q.from, 'from'));
  const to = q.to === undefined ? undefined : new Date(realDate(q.to, 'to'));
  return {
    uscc: q.department,
    ...(q.typeCode !== undefined ? { typeCode: q.typeCode } : {}),
    ...(q.status !== undefined ? { status: q.status } : {}),
    ...(q.holderCode !== undefined ? { holderCode: q.holderCode } : {}),
    ...(from !== undefined ? { createdFrom: from } : {}),
    ...(to !== undefined ? { createdBefore: to } : {}),
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
    ...(q.cursor !== undefined ? { after: q.cursor } : {}),
  };
}
