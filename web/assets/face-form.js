// The licence form of the issuer console, generated from the type standard: the record fields every
// licence has (holders, number, dates, area, related service item) and the type's face data (faceSchema,
// labels zh/en, photos). Each field is checked against its JSON Schema (required, lengths, patterns, enums,
// dates, numbers, lists, lists of objects) before anything is sent; a face whose fields depend on a
// discriminator (allOf / if / then, e.g. the business licence's entityKind) shows only the fields of the
// chosen branch, with that branch's required marks. The server stays the judge: its 422 problem details are
// mapped back to the same fields.
import { h } from './dom.js';
import { currentLang, pick, t } from './i18n.js';

const DATE = { type: 'string', format: 'date' };

/** A message by key, or null when messages.json has none (t() answers an unknown key with the key). */
function known(key, vars) {
  const s = t(key, vars);
  return typeof s === 'string' && s !== key ? s : null;
}

const isEmpty = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** A pattern in words where it is a plain character class with a length; otherwise null (the pattern is shown). */
export function describePattern(pattern) {
  const m = /^\^\[([^\]]+)\]\{(\d+)(?:,(\d+))?\}\$$/.exec(pattern);
  if (m) {
    const [, cls, min, max] = m;
    const count = max === undefined ? min : `${min}–${max}`;
    if (cls === '0-9') return t('form.pattern.digits', { n: count });
    if (/^0-9A-Z/.test(cls) || /^0-9A-H/.test(cls)) return t('form.pattern.codeChars', { n: count });
  }
  if (pattern === '^[0-9]{17}[0-9X]$') return t('form.pattern.idNumber');
  if (pattern === '^([01][0-9]|2[0-3]):[0-5][0-9]$') return t('form.pattern.time');
  return null;
}

function isRealDate(v) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/** The values a schema allows when it is a closed list: enum, const, or oneOf/anyOf of consts (with descriptions). */
export function enumOf(schema) {
  if (!schema || typeof schema !== 'object') return null;
  if (Array.isArray(schema.enum)) return schema.enum;
  if (schema.const !== undefined) return [schema.const];
  const alts = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alts) && alts.length > 0 && alts.every((a) => a && typeof a === 'object' && a.const !== undefined)) return alts.map((a) => a.const);
  return null;
}

/** How a value of a closed list reads: messages.json (face.enum.<field>.<value>), else the standard's description, else the value. */
function enumText(field, schema, value) {
  const own = known(`face.enum.${field}.${value}`);
  if (own) return own;
  const alt = (schema?.oneOf ?? schema?.anyOf ?? []).find((a) => a?.const === value);
  return alt?.description ? `${value} ${alt.description}` : String(value);
}

const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Whether a value meets the parts of a schema that faces use in `if` conditions (const, enum, not, required,
 * properties, allOf/anyOf/oneOf). Enough to pick the branch of a face; the server checks the full schema.
 */
export function meets(schema, value) {
  if (schema === true || schema === undefined) return true;
  if (schema === false) return false;
  if (schema.const !== undefined && !sameJson(schema.const, value)) return false;
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => sameJson(e, value))) return false;
  if (schema.not !== undefined && meets(schema.not, value)) return false;
  const object = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (Array.isArray(schema.required) && (!object || schema.required.some((k) => value[k] === undefined))) return false;
  if (schema.properties && object) {
    for (const [k, s] of Object.entries(schema.properties)) if (value[k] !== undefined && !meets(s, value[k])) return false;
  }
  if (Array.isArray(schema.allOf) && !schema.allOf.every((s) => meets(s, value))) return false;
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s) => meets(s, value))) return false;
  if (Array.isArray(schema.oneOf) && schema.oneOf.filter((s) => meets(s, value)).length !== 1) return false;
  return true;
}

/**
 * The fields a face shows and requires for its current values: every allOf branch with `if`/`then` whose
 * condition holds adds its required fields and hides the fields it sets to false. Until a field the
 * conditions read (the discriminator) is chosen, the fields some branch on it forbids stay hidden, so the
 * form starts with the fields every kind has. Returns { hidden: Set, required: Set, waitingFor: Set }.
 */
export function faceConditions(faceSchema, face) {
  const hidden = new Set();
  const required = new Set(faceSchema?.required ?? []);
  const waitingFor = new Set();
  for (const branch of faceSchema?.allOf ?? []) {
    if (!branch?.if || !branch.then) continue;
    const reads = [...Object.keys(branch.if.properties ?? {}), ...(branch.if.required ?? [])];
    const forbids = Object.entries(branch.then.properties ?? {})
      .filter(([, s]) => s === false)
      .map(([k]) => k);
    if (meets(branch.if, face)) {
      for (const k of forbids) hidden.add(k);
      for (const k of branch.then.required ?? []) required.add(k);
    } else if (reads.some((k) => face[k] === undefined)) {
      for (const k of forbids) hidden.add(k);
      if (forbids.length > 0) for (const k of reads) if (face[k] === undefined) waitingFor.add(k);
    }
  }
  return { hidden, required, waitingFor };
}

/** The first problem of a value against a (face) schema, as a message; null when it is fine. */
export function checkValue(value, schema, required) {
  if (isEmpty(value)) return required ? t('form.error.required') : null;
  if (schema === false) return t('form.error.forbidden');
  schema = schema === true || !schema ? {} : schema;
  if (schema.type === 'array') {
    if (!Array.isArray(value)) return t('form.error.type');
    if (schema.minItems !== undefined && value.length < schema.minItems) return t('form.error.minItems', { n: schema.minItems });
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return t('form.error.maxItems', { n: schema.maxItems });
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) return t('form.error.unique');
    for (const item of value) {
      const e = checkValue(item, schema.items ?? {}, true);
      if (e) return e;
    }
    return null;
  }
  if (schema.type === 'object') {
    if (typeof value !== 'object' || Array.isArray(value)) return t('form.error.type');
    for (const k of schema.required ?? []) if (isEmpty(value[k])) return t('form.error.required');
    for (const [k, v] of Object.entries(value)) {
      const e = checkValue(v, schema.properties?.[k] ?? {}, false);
      if (e) return e;
    }
    return null;
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    if (typeof value !== 'number' || Number.isNaN(value)) return t(schema.type === 'integer' ? 'form.error.integer' : 'form.error.number');
    if (schema.type === 'integer' && !Number.isInteger(value)) return t('form.error.integer');
    if (schema.minimum !== undefined && value < schema.minimum) return t('form.error.minimum', { n: schema.minimum });
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return t('form.error.exclusiveMinimum', { n: schema.exclusiveMinimum });
    if (schema.maximum !== undefined && value > schema.maximum) return t('form.error.maximum', { n: schema.maximum });
    return null;
  }
  const choices = enumOf(schema);
  if (choices) return choices.includes(value) ? null : t('form.error.enum');
  if (typeof value !== 'string') return t('form.error.type');
  if (schema.format === 'date' && !isRealDate(value)) return t('form.error.date');
  if (schema.minLength !== undefined && [...value].length < schema.minLength) return t('form.error.minLength', { n: schema.minLength });
  if (schema.maxLength !== undefined && [...value].length > schema.maxLength) return t('form.error.maxLength', { n: schema.maxLength });
  if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) {
    const words = describePattern(schema.pattern);
    return words ? t('form.error.patternWords', { hint: words }) : t('form.error.pattern', { pattern: schema.pattern });
  }
  return null;
}

const RECORD_PATHS = {
  certificateHolderName: 'holder.name',
  certificateHolderCode: 'holder.code',
  certificateHolderTypeCode: 'holder.typeCode',
  certificateHolderTypeName: 'holder.typeCode',
  certificateNumber: 'certificateNumber',
  certificateEffectiveDate: 'effectiveDate',
  certificateExpiringDate: 'expiringDate',
  certificateAreaCode: 'areaCode',
  relatedItemName: 'relatedItem.name',
  relatedItemCode: 'relatedItem.code',
};

/**
 * Where an error of the server's problem details is in the form: { name, rest } (rest: the path below the
 * field, e.g. ['1', 'since'] inside a list of objects), or null. Takes record paths (/certificateOtherHolders/0/code),
 * request paths (/data/otherHolders/0/code, /photos/photo/data) and a face schema's "required" errors, which
 * name the missing field in the message at the face's own path.
 */
export function serverPathTarget(path, message) {
  const parts = String(path ?? '')
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s.replaceAll('~1', '/').replaceAll('~0', '~')));
  if (parts[0] === 'data') parts.shift();
  const [head, ...rest] = parts;
  if (head === undefined) return null;
  if (RECORD_PATHS[head] && rest.length === 0) return { name: RECORD_PATHS[head], rest: [] };
  const holderField = (x) => (x === 'typeName' ? 'typeCode' : x);
  if (head === 'extendInfo') {
    if (rest.length === 0) {
      const missing = /required property '([^']+)'/.exec(String(message ?? ''));
      return missing ? { name: `extendInfo.${missing[1]}`, rest: [] } : null;
    }
    return { name: `extendInfo.${rest[0]}`, rest: rest.slice(1) };
  }
  if (head === 'holder' && rest.length > 0) return { name: `holder.${holderField(rest[0])}`, rest: [] };
  if (head === 'certificateOtherHolders' || head === 'otherHolders') {
    if (rest.length >= 2 && /^\d+$/.test(rest[0])) return { name: `otherHolders.${rest[0]}.${holderField(rest[1])}`, rest: [] };
    if (rest.length === 1 && /^\d+$/.test(rest[0])) return { name: `otherHolders.${rest[0]}.name`, rest: [] };
    return { name: 'otherHolders', rest: [] };
  }
  if (head === 'relatedItem') return { name: rest.length > 0 ? `relatedItem.${rest[0]}` : 'relatedItem.name', rest: [] };
  if (head === 'photos') return rest.length > 0 ? { name: `photos.${rest[0]}`, rest: rest.slice(1) } : null;
  return { name: head, rest };
}

/** Where a path of the server's problem details (record or request paths) is in the form (a field name), or null. */
export function fieldForServerPath(path, message) {
  return serverPathTarget(path, message)?.name ?? null;
}

/** Reads a File as base64 (without the data: prefix). */
function fileAsBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** Pixel size of an image file, or null when this browser cannot decode it (the server then says why). */
async function imageSize(file) {
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close?.();
    return size;
  } catch {
    return null;
  }
}

const MEDIA_NAMES = { 'image/jpeg': 'JPEG', 'image/png': 'PNG' };

/**
 * Builds the form for one type standard in `container`.
 * holderTypes: the holder code type list (standards/codelists/holder-code-types.json).
 * Returns { fields, read() → { data, errors }, settled() → Promise (photos still being read), showServerErrors(errors) → unmapped, relabel() }.
 */
export function buildLicenceForm(container, standard, holderTypes, department) {
  const envelope = standard.labels?.envelope ?? {};
  const faceLabels = standard.labels?.face ?? {};
  const faceSchema = standard.faceSchema ?? {};
  const photoSpecs = standard.photos ?? {};
  const maxHolders = Math.max(1, standard.maxHolders ?? 1);
  const holderChoices = (standard.holderTypeCodes ?? []).map((code) => holderTypes.find((x) => x.code === code)).filter(Boolean);
  const fields = [];
  /** Errors that belong to a group rather than one field (e.g. too many holders): name → { setError }. */
  const groups = new Map();
  /** Photos being read from disk: issuing waits for them (settled()). */
  const pending = new Set();
  let n = 0;
  /** Text that depends on the language: [element, () => text], redone by relabel(). */
  const texts = [];
  const tx = (tag, attrs, text) => {
    const el = h(tag, { ...attrs, text: text() });
    texts.push([el, text]);
    return el;
  };
  const holderText = (entry) => `${pick({ zh: entry.nameZh, en: entry.nameEn })} (${entry.code})`;
  const holderSchema = (typeCode) => {
    const entry = holderChoices.find((x) => x.code === typeCode);
    return { type: 'string', minLength: 1, maxLength: 64, ...(entry?.pattern ? { pattern: entry.pattern } : {}) };
  };

  // ------------------------------------------------------------ the controls of one field

  function selectControl(id, attrs, values, text) {
    const el = h('select', { id, name: id, ...attrs }, tx('option', { value: '' }, () => t('form.choose')));
    for (const v of values) el.append(tx('option', { value: String(v) }, () => text(v)));
    return el;
  }

  /** A list of objects (e.g. vehicle classes with their dates): one row per item, with add and remove. */
  function rowsControl(id, name, label, schema, attrs) {
    const itemSchema = schema.items ?? {};
    const props = Object.entries(itemSchema.properties ?? {});
    const itemRequired = new Set(itemSchema.required ?? []);
    const key = name.replace(/^extendInfo\./, '');
    const rows = [];
    const list = h('div', { class: 'item-rows' });
    const legend = h('legend', {}, tx('span', {}, () => pick(label, name)));
    const addButton = tx('button', { type: 'button', class: 'small add-row' }, () => t('form.rows.add'));
    const box = h('fieldset', { class: 'item-list', ...attrs }, legend, list, h('div', { class: 'row-actions' }, addButton));
    const propLabel = (p) => known(`face.item.${key}.${p}`) ?? p;
    function addRow() {
      const index = rows.length;
      const controls = {};
      const cells = props.map(([p, ps]) => {
        const cid = `${id}-${++n}-${p}`;
        const choices = enumOf(ps);
        let c;
        if (choices) c = selectControl(cid, { dataset: { prop: p } }, choices, (v) => enumText(`${key}.${p}`, ps, v));
        else if (ps.format === 'date') c = h('input', { id: cid, name: cid, type: 'date', dataset: { prop: p } });
        else if (ps.type === 'integer' || ps.type === 'number') c = h('input', { id: cid, name: cid, type: 'text', inputmode: ps.type === 'integer' ? 'numeric' : 'decimal', dataset: { prop: p } });
        else c = h('input', { id: cid, name: cid, type: 'text', autocomplete: 'off', dataset: { prop: p } });
        if (itemRequired.has(p)) c.setAttribute('aria-required', 'true');
        controls[p] = c;
        return h('div', { class: 'item-cell' }, h('label', { for: cid }, tx('span', {}, () => propLabel(p)), itemRequired.has(p) ? h('span', { class: 'required', 'aria-hidden': 'true', text: ' *' }) : null), c);
      });
      const remove = tx('button', { type: 'button', class: 'small remove-row' }, () => t('form.rows.removeShort'));
      const row = { el: h('div', { class: 'item-row', dataset: { index } }, cells, h('div', { class: 'item-cell item-remove' }, remove)), controls };
      remove.addEventListener('click', () => {
        rows.splice(rows.indexOf(row), 1);
        row.el.remove();
        rows.forEach((r, i) => (r.el.dataset.index = String(i)));
        refresh();
        (rows[0]?.controls[props[0]?.[0]] ?? addButton).focus();
      });
      rows.push(row);
      list.append(row.el);
      refresh();
      return row;
    }
    function refresh() {
      addButton.disabled = schema.maxItems !== undefined && rows.length >= schema.maxItems;
      rows.forEach((r, i) => {
        const b = r.el.querySelector('.remove-row');
        b.setAttribute('aria-label', t('form.rows.remove', { n: i + 1 }));
        b.disabled = rows.length === 1;
      });
    }
    const readItem = (r) => {
      const item = {};
      for (const [p, ps] of props) {
        const raw = r.controls[p].value.trim();
        if (raw === '') continue;
        item[p] = ps.type === 'integer' || ps.type === 'number' ? Number(raw) : raw;
      }
      return item;
    };
    addButton.addEventListener('click', () => {
      const row = addRow();
      row.controls[props[0]?.[0]]?.focus();
    });
    addRow();
    return {
      control: box,
      focusEl: () => rows[0]?.controls[props[0]?.[0]] ?? addButton,
      read: () => rows.map(readItem).filter((item) => Object.keys(item).length > 0),
      /** The first problem, with the row and property it is at. */
      check(required) {
        const items = rows.map(readItem);
        for (let i = 0; i < rows.length; i++) {
          if (Object.keys(items[i]).length === 0 && rows.length > 1) continue;
          for (const [p, ps] of props) {
            const message = checkValue(items[i][p], ps, itemRequired.has(p) && (Object.keys(items[i]).length > 0 || required));
            if (message) return { message: rows.length > 1 ? t('form.rows.at', { n: i + 1, message }) : message, rest: [String(i), p] };
          }
        }
        const message = checkValue(items.filter((x) => Object.keys(x).length > 0), schema, required);
        return message ? { message, rest: [] } : null;
      },
      controlsAt(rest) {
        const row = rows[Number(rest[0])];
        if (!row) return null;
        return rest[1] && row.controls[rest[1]] ? [row.controls[rest[1]]] : Object.values(row.controls);
      },
      prefix: (rest) => (rest.length > 0 && /^\d+$/.test(rest[0]) ? t('form.rows.atPrefix', { n: Number(rest[0]) + 1 }) : ''),
    };
  }

  /** A photo field: a file input (the allowed media types), checked for type, bytes and pixels, with a preview. */
  function photoControl(id, spec, attrs) {
    const input = h('input', { id, name: id, type: 'file', accept: spec.mediaTypes.join(','), ...attrs });
    const preview = h('img', { class: 'photo-preview', alt: '', hidden: true });
    const note = h('p', { class: 'hint photo-note', hidden: true });
    let value;
    let problem = null;
    let previewUrl = null;
    const show = (url) => {
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = url;
      preview.hidden = !url;
      if (url) preview.src = url;
      else preview.removeAttribute('src');
    };
    async function take(file) {
      value = undefined;
      problem = null;
      note.hidden = true;
      show(null);
      if (!file) return;
      const kb = (b) => Math.ceil(b / 1024);
      if (!spec.mediaTypes.includes(file.type)) {
        problem = t('form.photo.type', { types: spec.mediaTypes.map((m) => MEDIA_NAMES[m] ?? m).join(currentLang() === 'en' ? ', ' : '、') });
        return;
      }
      if (file.size > spec.maxBytes) {
        problem = t('form.photo.tooLarge', { kb: kb(file.size), max: kb(spec.maxBytes) });
        return;
      }
      const size = await imageSize(file);
      if (size) {
        const [w0, w1] = spec.widthPx;
        const [h0, h1] = spec.heightPx;
        if (size.width < w0 || size.width > w1 || size.height < h0 || size.height > h1) {
          problem = t('form.photo.pixels', { w: size.width, h: size.height, w0, w1, h0, h1 });
          return;
        }
        show(URL.createObjectURL(file));
        preview.alt = t('form.photo.previewAlt');
        note.hidden = false;
        note.textContent = t('form.photo.chosen', { name: file.name, kb: kb(file.size), w: size.width, h: size.height });
      } else {
        // Not an image this browser can show: the server decodes it and is the judge.
        note.hidden = false;
        note.textContent = t('form.photo.noPreview', { name: file.name });
      }
      value = { mediaType: file.type, data: await fileAsBase64(file) };
    }
    input.addEventListener('change', () => {
      const job = take(input.files?.[0]).finally(() => pending.delete(job));
      pending.add(job);
    });
    return {
      control: h('div', { class: 'photo-input' }, input, h('div', { class: 'photo-box' }, preview, note)),
      focusEl: () => input,
      read: () => value,
      check: (required) => {
        if (problem) return { message: problem, rest: [] };
        const message = value === undefined && required ? t('form.error.required') : null;
        return message ? { message, rest: [] } : null;
      },
    };
  }

  // ------------------------------------------------------------ one field: label, control, hint, error

  function addField(parent, { name, label, schema, required = false, hint, wide, optionText, photo }) {
    const id = `f${++n}-${name.replace(/[^A-Za-z0-9]/g, '-')}`;
    const errId = `${id}-error`;
    const hintId = `${id}-hint`;
    const describedBy = [hint ? hintId : null, errId].filter(Boolean).join(' ');
    const isRequired = typeof required === 'function' ? required : () => required;
    const labelText = () => (typeof label === 'function' ? label() : pick(label, name));
    const error = h('p', { class: 'field-error', id: errId, hidden: true });
    /** Where the required mark goes; filled or emptied by markRequired() as the face's branch changes. */
    const starSlots = [];
    const star = () => {
      const slot = h('span', { class: 'required-slot' });
      starSlots.push(slot);
      return slot;
    };
    const labelEl = (forId) => h('label', { for: forId }, tx('span', {}, labelText), star());
    const aria = { 'aria-describedby': describedBy };
    let control;
    let read;
    let focusEl;
    let custom = null;
    const list = schema.type === 'array';
    const itemChoices = list ? enumOf(schema.items) : null;
    const choices = enumOf(schema);
    const key = name.replace(/^extendInfo\./, '');
    if (photo) {
      custom = photoControl(id, photo, aria);
      control = [labelEl(id), custom.control];
      read = custom.read;
    } else if (list && itemChoices) {
      const boxes = itemChoices.map((v, i) => h('input', { type: 'checkbox', id: `${id}-${i}`, value: v, name: id }));
      control = h(
        'fieldset',
        { class: 'checks-inline', ...aria },
        h('legend', {}, tx('span', {}, labelText), star()),
        boxes.map((b, i) => h('label', { for: b.id }, b, tx('span', {}, () => enumText(key, schema.items, itemChoices[i])))),
      );
      read = () => boxes.filter((b) => b.checked).map((b) => b.value);
      focusEl = boxes[0];
    } else if (list && (schema.items?.type === 'object' || schema.items?.properties)) {
      custom = rowsControl(id, name, label, schema, aria);
      custom.control.querySelector('legend').append(star());
      control = custom.control;
      read = custom.read;
    } else if (list) {
      focusEl = h('textarea', { id, name: id, rows: 3, ...aria });
      control = [labelEl(id), focusEl];
      read = () =>
        focusEl.value
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean);
    } else if (choices) {
      focusEl = selectControl(id, aria, choices, optionText ?? ((v) => enumText(key, schema, v)));
      control = [labelEl(id), focusEl];
      read = () => focusEl.value;
    } else if (schema.format === 'date') {
      focusEl = h('input', { id, name: id, type: 'date', ...aria });
      control = [labelEl(id), focusEl];
      read = () => focusEl.value;
    } else if (schema.type === 'integer' || schema.type === 'number') {
      focusEl = h('input', { id, name: id, type: 'text', inputmode: schema.type === 'integer' ? 'numeric' : 'decimal', ...aria });
      control = [labelEl(id), focusEl];
      read = () => (focusEl.value.trim() === '' ? undefined : Number(focusEl.value.trim()));
    } else if ((schema.maxLength ?? 0) > 200) {
      focusEl = h('textarea', { id, name: id, rows: 3, ...aria });
      control = [labelEl(id), focusEl];
      read = () => focusEl.value.trim();
    } else {
      focusEl = h('input', { id, name: id, type: 'text', autocomplete: 'off', ...aria });
      control = [labelEl(id), focusEl];
      read = () => focusEl.value.trim();
    }
    const isWide = wide || photo || list || (schema.maxLength ?? 0) > 200;
    const wrap = h('div', { class: ['form-field', isWide ? 'wide' : ''], dataset: { field: name } }, control, hint ? tx('p', { class: 'hint', id: hintId }, hint) : null, error);
    parent.append(wrap);
    const controls = () => [...wrap.querySelectorAll('input, select, textarea')];
    const field = {
      name,
      label,
      wrap,
      required: isRequired,
      schema: () => (typeof schema === 'function' ? schema() : schema),
      read,
      visible: () => !wrap.hidden,
      focus: () => (custom?.focusEl?.() ?? focusEl).focus(),
      /** Shows a message (null clears it); `rest` marks the part of a list it is about. */
      setError(message, rest = []) {
        error.hidden = !message;
        error.textContent = message ? `${custom?.prefix?.(rest) ?? ''}${message}` : '';
        const marked = message ? (rest.length > 0 ? custom?.controlsAt?.(rest) : null) ?? controls() : [];
        for (const el of controls()) {
          if (marked.includes(el)) el.setAttribute('aria-invalid', 'true');
          else el.removeAttribute('aria-invalid');
        }
      },
      /** Checks the value and shows the outcome; the page hears of it by a bubbling "field-checked" event. */
      validate() {
        const problem = custom?.check ? custom.check(isRequired()) : { message: checkValue(read(), field.schema(), isRequired()), rest: [] };
        const message = problem?.message ?? null;
        field.setError(message, problem?.rest ?? []);
        wrap.dispatchEvent(new CustomEvent('field-checked', { bubbles: true, detail: { name: field.name, message } }));
        return message;
      },
      markRequired() {
        const on = isRequired();
        for (const slot of starSlots) {
          if (on && !slot.firstChild) slot.append(h('span', { class: 'required', 'aria-hidden': 'true', text: ' *' }));
          if (!on) slot.replaceChildren();
        }
        for (const el of controls()) {
          if (el.type === 'checkbox' || el.type === 'button') continue;
          if (on) el.setAttribute('aria-required', 'true');
          else el.removeAttribute('aria-required');
        }
      },
      rename(next) {
        field.name = next;
        wrap.dataset.field = next;
      },
      touched: false,
    };
    field.markRequired();
    // Checked when the person leaves the field, and again on every change once it showed an error. A field
    // only passed through (nothing typed) waits for 签发: a message appearing under it on the way to a button
    // would move the button under the pointer.
    let edited = false;
    wrap.addEventListener('focusout', (e) => {
      // A list of rows is left when focus goes outside it, not from one cell to the next.
      if (e.relatedTarget && wrap.contains(e.relatedTarget)) return;
      if (!edited && !field.touched) return;
      field.touched = true;
      field.validate();
    });
    wrap.addEventListener('input', () => {
      edited = true;
      if (field.touched) field.validate();
    });
    wrap.addEventListener('change', () => {
      edited = true;
      // A photo is checked once it has been read.
      if (photo)
        setTimeout(() => {
          void Promise.all([...pending]).then(() => {
            field.touched = true;
            field.validate();
          });
        }, 0);
      else if (field.touched) field.validate();
    });
    fields.push(field);
    return field;
  }

  const section = (legendText, cls) => {
    const fs = h('fieldset', { class: cls }, tx('legend', {}, legendText), h('div', { class: 'form-grid' }));
    return fs;
  };
  const grid = (fs) => fs.querySelector('.form-grid');
  const holdersLabel = standard.pdfLayout?.holdersLabel;
  const holder = section(() => (holdersLabel ? t('form.section.holderAs', { as: pick(holdersLabel) }) : t('form.section.holder')), 'holder-section');
  const record = section(() => t('form.section.record'));
  const related = section(() => t('form.section.relatedItem'), 'related-section');
  const face = section(() => t('form.section.face', { type: pick({ zh: standard.nameZh, en: standard.nameEn }) }), 'face-section');
  container.append(holder, record, related, face);

  // ------------------------------------------------------------ holders (1..maxHolders)

  /** One holder's three fields (name, code type, code) under `prefix` ("holder" or "otherHolders.<i>"). */
  function holderFields(parent, prefix, defaultType) {
    const nameField = addField(parent, { name: `${prefix}.name`, label: envelope.certificateHolderName, schema: { type: 'string', minLength: 1, maxLength: 200 }, required: true });
    const typeField = addField(parent, {
      name: `${prefix}.typeCode`,
      label: envelope.certificateHolderTypeCode,
      schema: { type: 'string', enum: holderChoices.map((x) => x.code) },
      required: true,
      // Code types by name, not by number.
      optionText: (code) => {
        const entry = holderChoices.find((x) => x.code === code);
        return entry ? holderText(entry) : code;
      },
    });
    const typeSelect = typeField.wrap.querySelector('select');
    if (holderChoices.length === 1) typeSelect.value = holderChoices[0].code;
    else if (defaultType) typeSelect.value = defaultType;
    const codeField = addField(parent, { name: `${prefix}.code`, label: envelope.certificateHolderCode, schema: () => holderSchema(typeField.read()), required: true });
    return [nameField, typeField, codeField];
  }
  const firstHolder = holderFields(grid(holder), 'holder');

  const others = [];
  if (maxHolders > 1) {
    const list = h('div', { class: 'holder-rows' });
    const addButton = tx('button', { type: 'button', class: 'small add-holder', id: `f${++n}-add-holder` }, () => t('form.holders.add'));
    const groupError = h('p', { class: 'field-error', hidden: true });
    const limit = tx('p', { class: 'hint' }, () => t('form.holders.limit', { n: maxHolders }));
    holder.append(h('div', { class: 'other-holders', dataset: { field: 'otherHolders' } }, list, h('div', { class: 'row-actions' }, addButton), limit, groupError));
    groups.set('otherHolders', {
      setError(message) {
        groupError.hidden = !message;
        groupError.textContent = message ?? '';
      },
    });
    const renumber = () => {
      others.forEach((o, i) => {
        o.el.dataset.index = String(i);
        for (const f of o.fields) f.rename(f.name.replace(/^otherHolders\.\d+\./, `otherHolders.${i}.`));
        o.title.textContent = o.titleText();
        o.remove.setAttribute('aria-label', t('form.holders.removeLabel', { n: i + 2 }));
      });
      addButton.disabled = others.length + 1 >= maxHolders;
    };
    const addHolder = () => {
      const i = others.length;
      const rowGrid = h('div', { class: 'form-grid' });
      const o = { el: null, fields: [], title: null, remove: null };
      o.titleText = () => t('form.holders.title', { n: others.indexOf(o) + 2 });
      o.title = h('h4', { class: 'holder-row-title', text: '' });
      texts.push([o.title, o.titleText]);
      o.remove = tx('button', { type: 'button', class: 'small remove-holder' }, () => t('form.rows.removeShort'));
      o.el = h('div', { class: 'holder-row', dataset: { index: i } }, h('div', { class: 'holder-row-head' }, o.title, o.remove), rowGrid);
      list.append(o.el);
      others.push(o);
      o.fields = holderFields(rowGrid, `otherHolders.${i}`, firstHolder[1].read());
      // In page order among the fields (the first problem found is the first on the page).
      fields.splice(fields.length - o.fields.length, o.fields.length);
      const after = fields.findLastIndex((f) => /^(holder|otherHolders)\./.test(f.name));
      fields.splice(after + 1, 0, ...o.fields);
      o.remove.addEventListener('click', () => {
        others.splice(others.indexOf(o), 1);
        for (const f of o.fields) fields.splice(fields.indexOf(f), 1);
        o.el.remove();
        renumber();
        addButton.focus();
      });
      renumber();
      return o;
    };
    addButton.addEventListener('click', () => addHolder().fields[0].focus());
    renumber();
  }

  // ------------------------------------------------------------ the record's own fields

  addField(grid(record), { name: 'certificateNumber', label: envelope.certificateNumber, schema: { type: 'string', minLength: 1, maxLength: 100 }, required: true });
  addField(grid(record), { name: 'effectiveDate', label: envelope.certificateEffectiveDate, schema: DATE, required: true });
  addField(grid(record), { name: 'expiringDate', label: envelope.certificateExpiringDate, schema: DATE, required: false, hint: () => t('form.hint.expiring') });
  addField(grid(record), {
    name: 'areaCode',
    label: envelope.certificateAreaCode,
    schema: { type: 'string', pattern: '^[0-9]{6}$' },
    required: false,
    hint: () => t('form.hint.areaCode', { code: department?.divisionCode ?? '' }),
  });

  // 关联事项: optional; a code without a name is not one.
  let itemCode = null;
  addField(grid(related), {
    name: 'relatedItem.name',
    label: envelope.relatedItemName ?? (() => t('form.relatedItem.name')),
    schema: { type: 'string', minLength: 1, maxLength: 200 },
    required: () => !isEmpty(itemCode?.read()),
    hint: () => t('form.hint.relatedItem'),
  });
  itemCode = addField(grid(related), { name: 'relatedItem.code', label: envelope.relatedItemCode ?? (() => t('form.relatedItem.code')), schema: { type: 'string', minLength: 1, maxLength: 64 } });
  related.addEventListener('input', () => fields.find((f) => f.name === 'relatedItem.name')?.markRequired());

  // ------------------------------------------------------------ the face

  const props = faceSchema.properties ?? {};
  let conditions = faceConditions(faceSchema, {});
  const faceKey = (f) => (f.name.startsWith('extendInfo.') ? f.name.slice('extendInfo.'.length) : f.name.startsWith('photos.') ? f.name.slice('photos.'.length) : null);
  for (const [k, schema] of Object.entries(props)) {
    const photo = photoSpecs[k];
    addField(grid(face), {
      name: photo ? `photos.${k}` : `extendInfo.${k}`,
      label: faceLabels[k],
      schema,
      required: () => conditions.required.has(k),
      photo,
      hint: photo
        ? () =>
            t('form.photo.hint', {
              types: photo.mediaTypes.map((m) => MEDIA_NAMES[m] ?? m).join(currentLang() === 'en' ? ' or ' : ' 或 '),
              kb: Math.floor(photo.maxBytes / 1024),
              w: photo.widthPx.join('–'),
              h: photo.heightPx.join('–'),
            })
        : undefined,
    });
  }
  const waiting = h('p', { class: 'hint choose-first', hidden: true });
  grid(face).before(waiting);

  function currentFace() {
    const values = {};
    for (const f of fields) {
      const k = faceKey(f);
      if (k === null || !f.name.startsWith('extendInfo.')) continue;
      const v = f.read();
      if (!isEmpty(v)) values[k] = v;
    }
    return values;
  }

  /** Shows the fields of the face's current branch, with its required marks. */
  function applyConditions() {
    conditions = faceConditions(faceSchema, currentFace());
    for (const f of fields) {
      const k = faceKey(f);
      if (k === null) continue;
      const hide = conditions.hidden.has(k);
      if (hide !== f.wrap.hidden) {
        f.wrap.hidden = hide;
        if (hide) f.setError(null);
      }
      f.markRequired();
    }
    const names = [...conditions.waitingFor].map((k) => pick(faceLabels[k], k));
    waiting.hidden = names.length === 0;
    waiting.textContent = names.length === 0 ? '' : t('form.hint.chooseFirst', { field: names.join(currentLang() === 'en' ? ', ' : '、') });
  }
  face.addEventListener('change', applyConditions);
  applyConditions();

  const setPath = (obj, parts, v) => {
    let at = obj;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = /^\d+$/.test(parts[i + 1]) ? [] : {};
      at[parts[i]] ??= next;
      at = at[parts[i]];
    }
    at[parts[parts.length - 1]] = v;
  };

  const serverText = (e) => {
    const plain = e.code ? known(`form.server.${e.code}`) : null;
    const detail = plain ? (currentLang() === 'en' ? `${plain} (${e.message})` : `${plain}（${e.message}）`) : e.message;
    return `${t('form.error.server')}${detail}`;
  };

  return {
    fields,
    /** Labels, hints and shown errors in the current language (values stay as typed). */
    relabel() {
      for (const [el, text] of texts) if (el.isConnected) el.textContent = text();
      applyConditions();
      for (const f of fields) if (f.touched && f.visible()) f.validate();
    },
    /** Resolves when every chosen photo has been read and checked. */
    settled: () => Promise.all([...pending]),
    /** The request data and the fields with errors (all shown fields checked; messages shown by each field). */
    read() {
      applyConditions();
      const errors = [];
      const data = { holder: {}, extendInfo: {} };
      for (const g of groups.values()) g.setError(null);
      for (const f of fields) {
        if (!f.visible()) continue;
        f.touched = true;
        const message = f.validate();
        if (message) errors.push({ field: f, message });
        const v = f.read();
        if (isEmpty(v)) continue;
        setPath(data, f.name.split('.'), v);
      }
      const typeName = (code) => holderChoices.find((x) => x.code === code)?.nameZh;
      for (const x of [data.holder, ...(data.otherHolders ?? [])]) if (x && typeName(x.typeCode)) x.typeName = typeName(x.typeCode);
      if (data.otherHolders) data.otherHolders = data.otherHolders.filter(Boolean);
      return { data, errors };
    },
    /** Puts each server error by its field; returns the ones no shown field matches. */
    showServerErrors(errors) {
      const unmapped = [];
      for (const e of errors ?? []) {
        const target = serverPathTarget(e.path, e.message);
        let field = target && fields.find((f) => f.name === target.name && f.visible());
        // A photo field's face path (/extendInfo/photo) is the photo input.
        if (!field && target?.name.startsWith('extendInfo.')) field = fields.find((f) => f.name === `photos.${target.name.slice(11)}` && f.visible());
        const group = target && !field ? groups.get(target.name) : null;
        if (field) field.setError(serverText(e), target.rest);
        else if (group) group.setError(serverText(e));
        else unmapped.push(e);
      }
      return unmapped;
    },
  };
}
