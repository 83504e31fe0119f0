import type { Label, TypeStandard } from '../../standards/generated/TypeStandard';

export interface FaceField {
  /** The layout path, e.g. `extendInfo.name` or `certificateIssuedDate`. */
  path: string;
  label: Label;
  value: string;
}

export interface FaceSection {
  id: string;
  heading?: Label;
  columns: 1 | 2;
  fields: FaceField[];
}

/** What the printed face shows, before any geometry: the type's layout filled with the record's values. */
export interface LicenseFace {
  title: Label;
  orientation: 'portrait' | 'landscape';
  sections: FaceSection[];
  identifier: string;
  issuer: string;
  holderName: string;
}

/** Shown for an optional field the record leaves out, so the layout stays the same for every licence of a type. */
export const EMPTY_VALUE = '—';

const FACE_PREFIX = 'extendInfo.';

/**
 * Fills the type standard's pdfLayout with the record's values and labels.
 * Pure: geometry and fonts come later, so the text set is known before the
 * font subset is made.
 */
export function licenseFace(record: Record<string, unknown>, standard: TypeStandard): LicenseFace {
  const face = (record['extendInfo'] ?? {}) as Record<string, unknown>;
  const sections = standard.pdfLayout.sections.map((s): FaceSection => {
    const fields = s.fields.map((path): FaceField => {
      const isFace = path.startsWith(FACE_PREFIX);
      const key = isFace ? path.slice(FACE_PREFIX.length) : path;
      const labels = (isFace ? standard.labels.face : standard.labels.envelope) as Record<string, Label | undefined>;
      const label = labels[key] ?? { zh: key, en: key };
      return { path, label, value: formatValue(isFace ? face[key] : record[key]) };
    });
    return { id: s.id, ...(s.heading ? { heading: s.heading } : {}), columns: s.columns ?? 2, fields };
  });
  return {
    title: standard.pdfLayout.title,
    orientation: standard.pdfLayout.orientation,
    sections,
    identifier: String(record['certificateIdentifier'] ?? ''),
    issuer: String(record['certificateIssuingAuthorityName'] ?? ''),
    holderName: String(record['certificateHolderName'] ?? ''),
  };
}

function formatValue(v: unknown): string {
  if (v === undefined || v === null || v === '') return EMPTY_VALUE;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? '是' : '否';
  // Lists (vehicle classes, business items) read as a Chinese enumeration.
  if (Array.isArray(v)) return v.map(formatValue).join('、');
  return JSON.stringify(v);
}

/** Every character the page will show, for the font subset. */
export function faceCharacters(face: LicenseFace, extra: readonly string[]): string {
  const parts: string[] = [face.title.zh, face.title.en, face.identifier, face.issuer, ...extra];
  for (const s of face.sections) {
    if (s.heading) parts.push(s.heading.zh, s.heading.en);
    for (const f of s.fields) parts.push(f.label.zh, f.label.en, f.value);
  }
  return [...new Set([...parts.join('')])].join('');
}
