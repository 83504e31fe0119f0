import { divisionName } from './api.js';
import { h } from './dom.js';
import { formatValue } from './format.js';
import { currentLang, pick, t } from './i18n.js';

/** Record fields shown before the face data, and after it. */
const HEAD = ['certificateHolderName', 'certificateHolderCode', 'certificateNumber'];
const TAIL = ['certificateIssuedDate', 'certificateEffectiveDate', 'certificateExpiringDate', 'certificateAreaCode', 'certificateIssuingAuthorityName', 'certificateIssuingAuthorityCode', 'certificateIdentifier', 'definingAuthorityName'];
const MEDIA_NAMES = { 'image/jpeg': 'JPEG', 'image/png': 'PNG' };

/** A standard (or record) of envelope 1.1.0 or later: its layout decides ranges, holders and what is not printed. */
function laidOut(standard, license) {
  const v = standard?.envelopeVersion ?? license?.envelopeVersion;
  return typeof v === 'string' && v !== '1.0.0';
}

const valueAt = (license, path) => (path.startsWith('extendInfo.') ? license.extendInfo?.[path.slice('extendInfo.'.length)] : license[path]);

/** A holder as one line: name · code (code type). */
function holderLine(name, code, typeName) {
  const open = currentLang() === 'en' ? ' (' : '（';
  const close = currentLang() === 'en' ? ')' : '）';
  return [name, code ? `${code}${typeName ? `${open}${typeName}${close}` : ''}` : null].filter(Boolean).join(' · ');
}

/** Whether the image's SHA-256 is the signed one; null where the page has no Web Crypto (plain HTTP off localhost). */
async function checkPhoto(base64, sha256) {
  if (!globalThis.crypto?.subtle || typeof sha256 !== 'string') return null;
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return [...hash].map((b) => b.toString(16).padStart(2, '0')).join('') === sha256;
  } catch {
    return false;
  }
}

/**
 * A photo field: the image when the answer carries it (photos / attachments: {field: {mediaType, data}}),
 * otherwise what the signed reference says, in words (never the raw {mediaType, sha256} object).
 */
function photoValue(reference, image, label) {
  const kind = MEDIA_NAMES[reference?.mediaType] ?? reference?.mediaType ?? '';
  const digest = typeof reference?.sha256 === 'string' ? `${reference.sha256.slice(0, 8)}…${reference.sha256.slice(-8)}` : '';
  if (image && typeof image.data === 'string' && /^image\/(jpeg|png)$/.test(image.mediaType ?? '')) {
    const img = h('img', { src: `data:${image.mediaType};base64,${image.data}`, alt: t('licence.photo.alt', { field: label }) });
    const caption = h('figcaption', { class: 'hint', text: t('licence.photo.attached', { kind, digest }) });
    void checkPhoto(image.data, reference?.sha256).then((same) => {
      if (same === null) return;
      caption.textContent = t(same ? 'licence.photo.bound' : 'licence.photo.mismatch', { kind, digest });
      // A photo that is not the one signed for is not shown as the holder's.
      if (!same) {
        img.remove();
        caption.className = 'field-error';
      }
    });
    return { value: t('licence.photo.shown', { kind }), node: h('figure', { class: 'licence-photo' }, img, caption) };
  }
  const text = reference && typeof reference === 'object' ? t('licence.photo.notAttached', { kind, digest }) : formatValue(reference);
  return { value: text };
}

/**
 * The licence's data as label/value pairs, labelled from its type standard (zh/en), in the
 * standard's field order. Works for the full form and for the shorter QR form (fields it
 * lacks are left out, except the expiry of a full form, which is "long-term" when absent).
 * For standards 1.1.0: every holder, the related service item, ranges (pdfLayout.ranges) as one value,
 * no notPrinted fields, and photo fields as images (options.photos: {field: {mediaType, data}}) or in words.
 */
export function licenceFields(license, standard, divisions, options = {}) {
  const envelope = standard?.labels?.envelope ?? {};
  const face = standard?.labels?.face ?? {};
  const layout = laidOut(standard, license) ? (standard?.pdfLayout ?? {}) : null;
  const photos = options.photos ?? {};
  const photoFields = new Set(Object.keys(standard?.photos ?? {}));
  const fullForm = license.certificateIssuingAuthorityName !== undefined && license.certificateEffectiveDate !== undefined;
  const rows = [];
  const add = (label, value, key, extra = {}) => rows.push({ label, value, key, ...extra });

  // Ranges: one value in place of their two fields; a 1.1.0 licence's validity is always one.
  const ranges = Object.entries(layout?.ranges ?? {}).map(([id, r]) => ({ id, ...r }));
  if (layout && !ranges.some((r) => r.from === 'certificateEffectiveDate')) {
    ranges.push({ id: 'validity', labelText: t('licence.validity'), from: 'certificateEffectiveDate', to: 'certificateExpiringDate', openEnd: null });
  }
  const rangeOf = new Map();
  for (const r of ranges) {
    rangeOf.set(r.from, r);
    rangeOf.set(r.to, r);
  }
  const shownRanges = new Set();
  const addRange = (r) => {
    if (shownRanges.has(r.id)) return;
    shownRanges.add(r.id);
    const from = valueAt(license, r.from);
    const to = valueAt(license, r.to);
    if (from === undefined && to === undefined) return;
    // The end of a face range is absent when open; the record's expiry only tells so in a full form (a QR may leave it out).
    const open = to === undefined && (r.to.startsWith('extendInfo.') || fullForm);
    const end = to !== undefined ? formatValue(to) : open ? pick(r.openEnd, t('licence.longTerm')) : null;
    const value = from === undefined ? t('licence.range.untilOnly', { to: end }) : end === null ? t('licence.range.fromOnly', { from: formatValue(from) }) : t('licence.range', { from: formatValue(from), to: end });
    add(r.labelText ?? pick(r.label, r.id), value, `range.${r.id}`);
  };
  const notPrinted = new Set((layout?.notPrinted ?? []).map((k) => (k.includes('.') ? k : `extendInfo.${k}`)));
  const skip = (path) => notPrinted.has(path);

  for (const k of HEAD) {
    if (license[k] === undefined || skip(k)) continue;
    if (k === 'certificateHolderCode') {
      add(pick(envelope[k], k), holderLine(null, formatValue(license[k]), license.certificateHolderTypeName), k);
      const others = Array.isArray(license.certificateOtherHolders) ? license.certificateOtherHolders : [];
      if (others.length > 0) {
        add(
          pick(envelope.certificateOtherHolders, t('licence.otherHolders')),
          others.map((o) => holderLine(o?.name, o?.code, o?.typeName)).join('\n'),
          'certificateOtherHolders',
          { lines: others.map((o) => holderLine(o?.name, o?.code, o?.typeName)) },
        );
      }
      continue;
    }
    add(pick(envelope[k], k), formatValue(license[k]), k);
  }
  if (license.relatedItemName !== undefined) {
    const code = license.relatedItemCode;
    add(t('licence.relatedItem'), code ? `${license.relatedItemName} · ${code}` : license.relatedItemName, 'relatedItem');
  }
  const extend = license.extendInfo ?? {};
  const order = Object.keys(standard?.faceSchema?.properties ?? {});
  for (const k of [...order, ...Object.keys(extend).filter((k) => !order.includes(k))]) {
    const path = `extendInfo.${k}`;
    if (extend[k] === undefined || skip(path)) continue;
    if (layout && rangeOf.has(path)) {
      addRange(rangeOf.get(path));
      continue;
    }
    if (photoFields.has(k) || (extend[k] && typeof extend[k] === 'object' && typeof extend[k].sha256 === 'string')) {
      add(pick(face[k], k), '', path, photoValue(extend[k], photos[k], pick(face[k], k)));
      continue;
    }
    add(pick(face[k], k), faceValue(extend[k], standard?.faceSchema?.properties?.[k], k), path);
  }
  for (const k of TAIL) {
    if (skip(k)) continue;
    if (layout && rangeOf.has(k)) {
      addRange(rangeOf.get(k));
      continue;
    }
    let v = license[k];
    if (v === undefined) {
      if (k === 'certificateExpiringDate' && fullForm) add(pick(envelope[k], k), t('licence.longTerm'), k);
      continue;
    }
    v = formatValue(v);
    if (k === 'certificateAreaCode') {
      const name = divisionName(divisions, license[k]);
      if (name) v = t('region.named', { name, code: v });
    }
    add(pick(envelope[k], k), v, k);
  }
  return rows;
}

/** A face value as text: lists of objects (vehicle classes with dates) as one line each, closed lists with their words. */
function faceValue(value, schema, key) {
  const enumWords = (s, field, v) => {
    const own = t(`face.enum.${field}.${v}`);
    if (own !== `face.enum.${field}.${v}`) return own;
    const alt = (s?.oneOf ?? s?.anyOf ?? []).find((a) => a?.const === v);
    return alt?.description ? `${v} ${alt.description}` : formatValue(v);
  };
  if (Array.isArray(value) && value.some((x) => x && typeof x === 'object')) {
    // The first property names the item, the others follow with their labels: C1（准驾日期 1998-07-18）.
    const props = Object.keys(schema?.items?.properties ?? {});
    const en = currentLang() === 'en';
    const label = (p) => {
      const own = t(`face.item.${key}.${p}`);
      return own === `face.item.${key}.${p}` ? p : own;
    };
    return value
      .map((item) => {
        const [first, ...rest] = (props.length > 0 ? props : Object.keys(item ?? {})).filter((p) => item?.[p] !== undefined);
        if (first === undefined) return '';
        const more = rest.map((p) => `${label(p)} ${formatValue(item[p])}`).join(en ? ', ' : '，');
        return more ? `${formatValue(item[first])}${en ? ` (${more})` : `（${more}）`}` : formatValue(item[first]);
      })
      .join(en ? '; ' : '；');
  }
  if (Array.isArray(value) && schema?.items) return value.map((v) => enumWords(schema.items, key, v)).join(currentLang() === 'en' ? ', ' : '、');
  if (schema && !Array.isArray(value) && (schema.enum || schema.oneOf) && t(`face.enum.${key}.${value}`) !== `face.enum.${key}.${value}`) return enumWords(schema, key, value);
  return formatValue(value);
}

export function fieldList(rows, cls = 'fields') {
  return h(
    'dl',
    { class: cls },
    rows.map((r) =>
      h(
        'div',
        { class: 'field', dataset: { field: r.key } },
        h('dt', { text: r.label }),
        r.node ? h('dd', {}, r.node) : r.lines ? h('dd', {}, r.lines.map((line) => h('span', { class: 'line', text: line }))) : h('dd', { text: r.value }),
      ),
    ),
  );
}
