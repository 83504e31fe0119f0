/**
 * A licence signed under a superseded standard (an older version, or a replaced type code) and recorded as the
 * node records what it issues: what a department issued before the newer standard was published. The node
 * itself refuses a superseded standard (STANDARD_SUPERSEDED), so tests sign it the way the golden vectors of an
 * older standard are signed (allowSuperseded), with the department's key held by the node, its region's
 * timestamp and a status slot of its list. The department must hold the draft's type code.
 */
import { generateSerial } from '../../../src/codes/licenseIdentifier';
import type { FullForm } from '../../../src/format/FullForm';
import { issueLicense } from '../../../src/issue/issueLicense';
import type { LicenseDraft } from '../../../src/issue/prepareLicenseRecord';
import type { TestNode } from './startTestNode';

export async function issueUnderSupersededStandard(node: TestNode, uscc: string, draft: LicenseDraft): Promise<FullForm> {
  const s = node.services;
  const at = s.clock.now();
  const snapshot = await s.trust.current();
  const department = snapshot.departments.get(uscc);
  if (!department) throw new Error(`no department ${uscc} in the node's trust data`);
  return s.db.transaction(async (tx) => {
    const signer = await s.signers.departmentSigner(tx, uscc, at, snapshot.version);
    const tsa = await s.signers.timestampAuthority(tx, at, snapshot.version);
    const [slot] = await s.stores.licenses.allocateStatusSlots(tx, uscc, 1, at);
    const form = await issueLicense(draft, {
      catalog: s.catalog,
      trust: snapshot.trust,
      department: { name: department.name, uscc, divisionCode: department.divisionCode, signer },
      timestampAuthority: tsa,
      serial: generateSerial(s.random),
      at,
      statusEntry: { listId: slot!.statusListId, index: slot!.statusIndex },
      allowSuperseded: true,
    });
    const identifier = form.license['certificateIdentifier'] as string;
    const parts = identifier.split('.');
    await s.stores.licenses.insert(tx, [
      {
        identifier,
        uscc,
        typeCode: draft.typeCode,
        serial: parts[parts.length - 3]!,
        version: Number(parts[parts.length - 2]),
        statusListId: slot!.statusListId,
        statusIndex: slot!.statusIndex,
        record: form.license,
        fullForm: JSON.stringify(form),
        actor: 'test:superseded-standard',
        at,
      },
    ]);
    return form;
  });
}
