import type { Queryable } from '../../src/store/Database';
import { SqlDepartmentStore } from '../../src/store/DepartmentStore';
import type { NewLicense, StatusSlot } from '../../src/store/LicenseStore';

export const T0 = new Date('2026-03-01T08:00:00.000Z');
export const TYPE_A = '11100000MB0143530A001';
export const TYPE_B = '11100000MB0143530A002';

let counter = 0;

/** A distinct, well-formed-looking USCC per call (the store does not validate codes). */
export function freshUscc(): string {
  counter += 1;
  return `11100000MB${String(counter).padStart(4, '0')}${String(process.pid % 10000).padStart(4, '0')}`;
}

export async function addDepartment(q: Queryable, uscc = freshUscc()): Promise<string> {
  await new SqlDepartmentStore().create(q, { uscc, name: `Department ${uscc}`, divisionCode: '110000', at: T0 });
  return uscc;
}

export function licenseFor(uscc: string, serial: string, slot: StatusSlot, extra: Partial<NewLicense> = {}): NewLicense {
  return {
    identifier: `1.2.156.3005.2.${TYPE_A}.${uscc}.${serial}.001.X`,
    uscc,
    typeCode: TYPE_A,
    serial,
    version: 1,
    ...slot,
    record: { holder: { name: `Holder ${serial}`, code: `H${serial}` }, serial },
    fullForm: `{"signed":"${serial}"}`,
    actor: 'ak_test',
    at: T0,
    ...extra,
  };
}
