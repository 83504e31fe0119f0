/**
 * Consistency rules of a type standard that JSON Schema cannot express: labels for every field, QR and
 * layout fields that exist, a type code built from the defining authority's USCC, known holder code types,
 * and for meta-schema 1.1.0: photo fields shaped as photo references and never in the QR, ranges over real
 * fields, every field a variant of the face requires laid out (or deliberately left unprinted).
 * Returns the problems found (empty when consistent).
 */
import type { HolderCodeTypes } from '../codes/holderCodeTypes';
import { checkUscc } from '../codes/uscc';
import type { TypeStandard } from './generated/TypeStandard';

const FACE = 'extendInfo.';
const RANGE = 'range.';
const HOLDERS = 'holders';

/** The face fields a face schema requires: at the top and in any variant (allOf[].then, oneOf[], anyOf[]). */
export function requiredFaceFields(faceSchema: TypeStandard['faceSchema']): string[] {
  const out = new Set<string>(faceSchema.required);
  const schema = faceSchema as unknown as Record<string, unknown>;
  for (const key of ['allOf', 'oneOf', 'anyOf']) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    for (const branch of list as Record<string, unknown>[]) {
      const then = (branch['then'] ?? branch) as { required?: unknown };
      if (Array.isArray(then.required)) for (const f of then.required) if (typeof f === 'string') out.add(f);
    }
  }
  return [...out];
}

/** A face value the compact QR round-trips unchanged: a scalar, or an array of scalars. */
function qrCarries(schema: unknown): boolean {
  const s = (schema ?? {}) as { type?: unknown; items?: unknown; properties?: unknown };
  if (s.type === 'object' || s.properties !== undefined) return false;
  if (s.type === 'array') return qrCarries(s.items);
  return true;
}

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
  if (standard.replacesTypeCode === standard.typeCode) problems.push('a standard cannot replace its own type code');
  for (const h of standard.holderTypeCodes) if (!holderCodeTypes.has(h)) problems.push(`holder code type ${h} is not in the code list`);
  if (standard.maxHolders !== undefined && standard.maxHolders > 1 && !envelope.has('certificateOtherHolders')) {
    problems.push(`maxHolders ${standard.maxHolders} needs an envelope with certificateOtherHolders`);
  }

  for (const f of faceFields) if (!standard.labels.face[f]) problems.push(`face field ${f} has no label`);
  for (const f of Object.keys(standard.labels.face)) if (!face.has(f)) problems.push(`label for unknown face field ${f}`);
  for (const f of envelopeFields) if (f !== 'extendInfo' && !standard.labels.envelope[f]) problems.push(`envelope field ${f} has no label`);
  for (const f of Object.keys(standard.labels.envelope)) if (!envelope.has(f)) problems.push(`label for unknown envelope field ${f}`);

  for (const f of standard.qrFields) {
    if (!face.has(f)) problems.push(`QR field ${f} is not a face field`);
    else if (!qrCarries((standard.faceSchema.properties as Record<string, unknown>)[f])) problems.push(`QR field ${f} must be a string, number, boolean or a list of them (the QR's CBOR reads objects back as maps)`);
  }
  for (const f of Object.keys(standard.faceCodeChecks ?? {})) if (!face.has(f)) problems.push(`code check on unknown face field ${f}`);

  const photos = standard.photos ?? {};
  for (const [f, spec] of Object.entries(photos)) {
    const prop = (standard.faceSchema.properties as Record<string, { type?: unknown; required?: unknown; properties?: Record<string, unknown> } | undefined>)[f];
    if (!prop) problems.push(`photo field ${f} is not a face field`);
    else if (prop.type !== 'object' || !prop.properties?.['sha256'] || !prop.properties['mediaType']) problems.push(`photo field ${f} must be a photo reference {mediaType, sha256}`);
    if (standard.qrFields.includes(f)) problems.push(`photo field ${f} may not go into the QR`);
    if (spec.widthPx[0] > spec.widthPx[1] || spec.heightPx[0] > spec.heightPx[1]) problems.push(`photo field ${f}: size range is [min, max]`);
  }

  const known = (ref: string): boolean =>
    ref.startsWith(FACE) ? face.has(ref.slice(FACE.length)) : ref.startsWith(RANGE) ? false : ref === HOLDERS ? true : envelope.has(ref) && ref !== 'extendInfo';
  const layout = standard.pdfLayout;
  const ranges = layout.ranges ?? {};
  const laidOut = new Set<string>();
  for (const section of layout.sections) {
    for (const ref of section.fields) {
      if (ref.startsWith(RANGE)) {
        const range = ranges[ref.slice(RANGE.length)];
        if (!range) problems.push(`layout section ${section.id} names unknown range ${ref}`);
        else for (const end of [range.from, range.to]) laidOut.add(end);
      } else if (!known(ref)) {
        problems.push(`layout section ${section.id} names unknown field ${ref}`);
      }
      if (laidOut.has(ref)) problems.push(`layout names ${ref} twice`);
      laidOut.add(ref);
    }
  }
  for (const [id, range] of Object.entries(ranges)) {
    for (const end of [range.from, range.to]) if (end.startsWith(RANGE) || end === HOLDERS || !known(end)) problems.push(`range ${id} names unknown field ${end}`);
  }
  if (laidOut.has(HOLDERS) && layout.holdersLabel === undefined) problems.push('a layout showing holders needs pdfLayout.holdersLabel');
  if (layout.arrangement?.sealOver !== undefined && !laidOut.has(layout.arrangement.sealOver)) problems.push(`the seal is placed over ${layout.arrangement.sealOver}, which the layout does not show`);
  if (Object.keys(photos).length > 0 && layout.arrangement?.photo === undefined) problems.push('a type with photos must say where the photo goes (pdfLayout.arrangement.photo)');
  const unprinted = new Set(layout.notPrinted ?? []);
  for (const f of unprinted) if (!face.has(f)) problems.push(`notPrinted names unknown face field ${f}`);
  for (const f of requiredFaceFields(standard.faceSchema)) {
    if (!laidOut.has(`${FACE}${f}`) && !unprinted.has(f) && !(f in photos)) problems.push(`required face field ${f} is not in the PDF layout`);
  }
  return problems;
}
