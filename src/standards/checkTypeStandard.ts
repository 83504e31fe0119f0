/**
 * Consistency rules of a type standard that JSON Schema cannot express: labels for every field, QR and
 * layout fields that exist, a type code built from the defining authority's USCC, known holder code types.
 * Returns the problems found (empty when consistent).
 */
import type { HolderCodeTypes } from '../codes/holderCodeTypes';
import { checkUscc } from '../codes/uscc';
import type { TypeStandard } from './generated/TypeStandard';

export function checkTypeStandard(
  standard: TypeStandard,
  file: string,
  envelopeFields: readonly string[],
  holderCodeTypes: HolderCodeTypes,
): string[] {
  const problems: string[] = [];
  const faceFields = Object.keys(standard.faceSchema.properties);
  const face = new Set(faceFields);
  const envelope = new Set(envelopeFields);

  if (file !== `types/${standard.slug}/${standard.version}.json`) problems.push(`file name must be types/${standard.slug}/${standard.version}.json`);
  if (!standard.typeCode.startsWith(standard.definingAuthority.uscc)) problems.push('typeCode must start with the defining authority USCC');
  const uscc = checkUscc(standard.definingAuthority.uscc);
  if (!uscc.ok || uscc.warnings.length > 0) problems.push('defining authority USCC fails its checks');
  for (const h of standard.holderTypeCodes) if (!holderCodeTypes.has(h)) problems.push(`holder code type ${h} is not in the code list`);

  for (const f of faceFields) if (!standard.labels.face[f]) problems.push(`face field ${f} has no label`);
  for (const f of Object.keys(standard.labels.face)) if (!face.has(f)) problems.push(`label for unknown face field ${f}`);
  for (const f of envelopeFields) if (f !== 'extendInfo' && !standard.labels.envelope[f]) problems.push(`envelope field ${f} has no label`);
  for (const f of Object.keys(standard.labels.envelope)) if (!envelope.has(f)) problems.push(`label for unknown envelope field ${f}`);

  for (const f of standard.qrFields) if (!face.has(f)) problems.push(`QR field ${f} is not a face field`);
  for (const f of Object.keys(standard.faceCodeChecks ?? {})) if (!face.has(f)) problems.push(`code check on unknown face field ${f}`);

  const laidOut = new Set<string>();
  for (const section of standard.pdfLayout.sections) {
    for (const ref of section.fields) {
      const known = ref.startsWith('extendInfo.') ? face.has(ref.slice(11)) : envelope.has(ref) && ref !== 'extendInfo';
      if (!known) problems.push(`layout section ${section.id} names unknown field ${ref}`);
      if (laidOut.has(ref)) problems.push(`layout names ${ref} twice`);
      laidOut.add(ref);
    }
  }
  for (const f of standard.faceSchema.required) if (!laidOut.has(`extendInfo.${f}`)) problems.push(`required face field ${f} is not in the PDF layout`);
  return problems;
}
