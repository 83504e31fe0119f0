import { ElicenseError } from '../../errors';
import { DerReader } from './DerReader';
import { GeneralName, readGeneralName } from './GeneralName';

export interface NameConstraintsValue {
  /** undefined when the field is absent. */
  readonly permitted: readonly GeneralName[] | undefined;
  readonly excluded: readonly GeneralName[] | undefined;
}

/** GeneralSubtrees: each GeneralSubtree with minimum 0 and no maximum (RFC 5280 4.2.1.10). */
function readSubtrees(der: Uint8Array, r: DerReader): GeneralName[] {
  const out: GeneralName[] = [];
  while (!r.done) {
    const subtree = DerReader.inside(der, r.read(0x30, 'GeneralSubtree'));
    out.push(readGeneralName(der, subtree));
    // minimum [0] DEFAULT 0 must be absent in DER; maximum [1] must be absent per RFC 5280.
    if (!subtree.done) throw new ElicenseError('CERT_MALFORMED', 'name constraint with minimum/maximum');
  }
  return out;
}

export function parseNameConstraints(der: Uint8Array): NameConstraintsValue {
  const top = new DerReader(der);
  const seq = top.read(0x30, 'nameConstraints');
  top.expectEnd('nameConstraints');
  const r = DerReader.inside(der, seq);
  const p = r.readOptional(0xa0, 'permittedSubtrees');
  const e = r.readOptional(0xa1, 'excludedSubtrees');
  r.expectEnd('nameConstraints');
  return {
    permitted: p ? readSubtrees(der, DerReader.inside(der, p)) : undefined,
    excluded: e ? readSubtrees(der, DerReader.inside(der, e)) : undefined,
  };
}
