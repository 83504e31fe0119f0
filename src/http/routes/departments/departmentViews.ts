import { encodePem } from '../../../pki/ca/encodePem';
import type { DivisionCodeList } from '../../../codes/divisionCode';
import type { Department } from '../../../store/DepartmentStore';
import type { SigningKeyRecord } from '../../../store/SigningKeyStore';
import { keyCustody } from '../../../region/departments/keyCustody';

/** A department as the API shows it. */
export function departmentView(d: Department, types: readonly string[], divisions: DivisionCodeList) {
  return {
    uscc: d.uscc,
    name: d.name,
    divisionCode: d.divisionCode,
    divisionName: divisions.name(d.divisionCode) ?? null,
    state: d.state,
    stateSince: d.stateSince.toISOString(),
    stateReason: d.stateReason,
    createdAt: d.createdAt.toISOString(),
    types: [...types],
  };
}

/** A signing key as the API shows it: certificates and states, never the (sealed) private key. */
export function signingKeyView(k: SigningKeyRecord) {
  return {
    keyId: k.keyId,
    uscc: k.uscc,
    purpose: k.purpose,
    algorithm: k.algorithm,
    custody: keyCustody(k),
    state: k.state,
    stateSince: k.stateSince.toISOString(),
    notBefore: k.notBefore.toISOString(),
    notAfter: k.notAfter.toISOString(),
    createdAt: k.createdAt.toISOString(),
    certificate: encodePem(k.certificate, 'CERTIFICATE'),
    chain: k.chain.map((c) => encodePem(c, 'CERTIFICATE')),
  };
}
