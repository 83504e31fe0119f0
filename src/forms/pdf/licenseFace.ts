import type { Label, TypeStandard } from '../../standards/generated/TypeStandard';

export interface FaceField {
  /** The layout path, e.g. `extendInfo.name`, `certificateIssuedDate`, `range.businessTerm` or `holders`. */
  path: string;
  label: Label;
  value: string;
}

export type SectionStyle = 'fields' | 'table' | 'text';

export interface FaceSection {
  id: string;
  heading?: Label;
  columns: 1 | 2;
  /** How the section prints (meta-schema 1.1.0); absent: label above value, as every 1.0.0 layout. */
  style?: SectionStyle;
  fields: FaceField[];
}

export type Arrangement = NonNullable<TypeStandard['pdfLayout']['arrangement']>;

/** What the printed face shows, before any geometry: the type's layout filled with the record's values. */
export interface LicenseFace {
  title: Label;
  orientation: 'portrait' | 'landscape';
  sections: FaceSection[];
  identifier: string;
  issuer: string;
  holderName: string;
  /** Where the QR, the photo and the seal go and how dates print (1.1.0 layouts that say). */
  arrangement?: Arrangement;
  /** A 1.1.0 layout (meta-schema 1.1.0): drawn by drawLicenseFace110; absent for 1.0.0 layouts, drawn as they always were. */
  layout110?: true;
}

/** Shown for an optional field the record leaves out of a 1.0.0 layout, so the layout stays the same for every licence of a type. */
export const EMPTY_VALUE = '—';

const FACE_PREFIX = 'extendInfo.';
const RANGE_PREFIX = 'range.';
const HOLDERS = 'holders';
/** How the paper joins the names of several holders (co-owners). */
export const HOLDER_SEPARATOR = '、';
const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/**
 * Fills the type standard's pdfLayout with the record's values and labels.
 * Pure: geometry and fonts come later, so the text set is known before the
 * font subset is made.
 *
 * A 1.0.0 layout prints every field it names ("—" for one the record leaves
 * out), exactly as it always has. A 1.1.0 layout (meta-schema 1.1.0) prints
 * only what the record has — a business licence of one kind of entity shows no
 * rows of the others' — skips `notPrinted` and photo fields, prints `holders`
 * (every holder, in order) and `range.<id>` (a from/to pair as one value:
 * 自2024年03月15日至长期), and Chinese dates when `arrangement.dates` is zh.
 */
export function licenseFace(record: Record<string, unknown>, standard: TypeStandard): LicenseFace {
  const layout = standard.pdfLayout;
  const common = {
    title: layout.title,
    orientation: layout.orientation,
    identifier: String(record['certificateIdentifier'] ?? ''),
    issuer: String(record['certificateIssuingAuthorityName'] ?? ''),
    holderName: String(record['certificateHolderName'] ?? ''),
  };
  if (standard.$schema === undefined) return { ...common, sections: layout.sections.map((s) => sectionOf(s, (path) => fieldOf(record, standard, path, formatValue))) };

  const skipped = new Set([...(layout.notPrinted ?? []), ...Object.keys(standard.photos ?? {})]);
  const zhDates = layout.arrangement?.dates === 'zh';
  const format = (v: unknown) => formatValue110(v, zhDates);
  const faceProperties = ((standard.faceSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) as Record<string, PropertySchema>;
  const sections: FaceSection[] = [];
  for (const s of layout.sections) {
    const section = sectionOf(s, (path) => {
      if (path === HOLDERS) return holdersField(record, layout.holdersLabel);
      if (path.startsWith(RANGE_PREFIX)) return rangeField(record, standard, path, format);
      const key = path.startsWith(FACE_PREFIX) ? path.slice(FACE_PREFIX.length) : undefined;
      if (key !== undefined && skipped.has(key)) return null;
      const schema = key !== undefined && Object.hasOwn(faceProperties, key) ? faceProperties[key] : undefined;
      const field = fieldOf(record, standard, path, (v) => formatValue110(v, zhDates, schema));
      return field.value === EMPTY_VALUE ? null : field;
    });
    if (section.fields.length === 0) continue;
    // A heading that only repeats its single field's label is printed once, as the label.
    const only = section.fields.length === 1 ? section.fields[0] : undefined;
    if (section.heading && only && only.label.zh === section.heading.zh) delete section.heading;
    sections.push(s.style ? { ...section, style: s.style } : section);
  }
  return { ...common, sections, ...(layout.arrangement ? { arrangement: layout.arrangement } : {}), layout110: true };
}

/** The part of a face field's JSON Schema the page reads: closed lists with names, structured items. */
interface PropertySchema {
  oneOf?: { const?: unknown; description?: string }[];
  items?: PropertySchema;
  properties?: Record<string, PropertySchema>;
  format?: string;
}

type LayoutSection = TypeStandard['pdfLayout']['sections'][number];

function sectionOf(s: LayoutSection, field: (path: string) => FaceField | null): FaceSection {
  const fields = s.fields.map(field).filter((f): f is FaceField => f !== null);
  return { id: s.id, ...(s.heading ? { heading: s.heading } : {}), columns: s.columns ?? 2, fields };
}

/** The record's value at a layout path (envelope field or extendInfo.<face field>), under its label. */
function fieldOf(record: Record<string, unknown>, standard: TypeStandard, path: string, format: (v: unknown) => string): FaceField {
  const isFace = path.startsWith(FACE_PREFIX);
  const key = isFace ? path.slice(FACE_PREFIX.length) : path;
  const face = (record['extendInfo'] ?? {}) as Record<string, unknown>;
  const labels = (isFace ? standard.labels.face : standard.labels.envelope) as Record<string, Label | undefined>;
  const label = labels[key] ?? { zh: key, en: key };
  return { path, label, value: format(isFace ? own(face, key) : own(record, key)) };
}

/** Every holder's name, the first (certificateHolderName) then the others in order, as the paper prints them. */
function holdersField(record: Record<string, unknown>, label: Label | undefined): FaceField | null {
  const others = Array.isArray(record['certificateOtherHolders']) ? (record['certificateOtherHolders'] as { name?: unknown }[]) : [];
  const names = [record['certificateHolderName'], ...others.map((h) => h?.name)].filter((n): n is string => typeof n === 'string' && n !== '');
  if (names.length === 0) return null;
  return { path: HOLDERS, label: label ?? { zh: '持证主体', en: 'Holders' }, value: names.join(HOLDER_SEPARATOR) };
}

/**
 * A from/to pair as one value: 自<from>至<to>; an open end prints the range's openEnd text (自…至长期), or
 * 自<from>起 when the range has none. Absent when the record has neither end.
 */
function rangeField(record: Record<string, unknown>, standard: TypeStandard, path: string, format: (v: unknown) => string): FaceField | null {
  const range = standard.pdfLayout.ranges?.[path.slice(RANGE_PREFIX.length)];
  if (!range) return null;
  const end = (p: string) => {
    const v = fieldOf(record, standard, p, format).value;
    return v === EMPTY_VALUE ? undefined : v;
  };
  const from = end(range.from);
  const to = end(range.to);
  if (from === undefined && to === undefined) return null;
  const value = from === undefined ? `至${to}` : to !== undefined ? `自${from}至${to}` : range.openEnd ? `自${from}至${range.openEnd.zh}` : `自${from}起`;
  return { path, label: range.label, value };
}

const own = (o: Record<string, unknown>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);

/** A 1.0.0 layout's value, exactly as it has always printed. */
function formatValue(v: unknown): string {
  if (v === undefined || v === null || v === '') return EMPTY_VALUE;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? '是' : '否';
  // Lists (vehicle classes, business items) read as a Chinese enumeration.
  if (Array.isArray(v)) return v.map(formatValue).join('、');
  return JSON.stringify(v);
}

/**
 * A 1.1.0 layout's value: dates in Chinese when the layout says so; a code of a closed list printed by
 * its name when the face schema gives one (`oneOf: [{const, description}]`: 驾驶证状态 A → 正常); a
 * structured item as its values, a `since` date as "<date>起" (C1（1998-07-18起）).
 */
function formatValue110(v: unknown, zhDates: boolean, schema?: PropertySchema): string {
  const named = schema?.oneOf?.find((o) => o.const === v && typeof o.description === 'string');
  if (named) return named.description!;
  if (typeof v === 'string' && v !== '') return zhDates ? zhDate(v) : v;
  if (Array.isArray(v) && v.length > 0) return v.map((x) => formatValue110(x, zhDates, schema?.items)).join('、');
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const values: string[] = [];
    let since: string | undefined;
    for (const [k, x] of Object.entries(v)) {
      const text = formatValue110(x, zhDates, schema?.properties?.[k]);
      if (text === EMPTY_VALUE) continue;
      if (k === 'since') since = text;
      else values.push(text);
    }
    if (values.length === 0 && since === undefined) return EMPTY_VALUE;
    return values.join(' ') + (since !== undefined ? `（${since}起）` : '');
  }
  return formatValue(v);
}

/** 2024-03-15 → 2024年03月15日; any other text as it is. */
export function zhDate(s: string): string {
  const m = ISO_DATE.exec(s);
  return m ? `${m[1]}年${m[2]}月${m[3]}日` : s;
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
