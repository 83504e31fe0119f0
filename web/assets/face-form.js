// The licence form of the issuer console, generated from the type standard: the record fields every
// licence has (holder, number, dates, area) and the type's face data (faceSchema, labels zh/en).
// Each field is checked against its JSON Schema (required, lengths, patterns, enums, dates, numbers,
// lists) before anything is sent; the server's 422 problem details are mapped back to the same fields.
import { h } from './dom.js';
import { pick, t } from './i18n.js';

const DATE = { type: 'string', format: 'date' };

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

/** The first problem of a value against a (face) schema, as a message; null when it is fine. */
export function checkValue(value, schema, required) {
  const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  if (empty) return required ? t('form.error.required') : null;
  if (schema.type === 'array') {
    if (!Array.isArray(value)) return t('form.error.type');
    if (schema.minItems !== undefined && value.length < schema.minItems) return t('form.error.minItems', { n: schema.minItems });
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return t('form.error.maxItems', { n: schema.maxItems });
    if (schema.uniqueItems && new Set(value).size !== value.length) return t('form.error.unique');
    for (const item of value) {
      const e = checkValue(item, schema.items ?? {}, true);
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
  if (typeof value !== 'string') return t('form.error.type');
  if (schema.enum && !schema.enum.includes(value)) return t('form.error.enum');
  if (schema.format === 'date' && !isRealDate(value)) return t('form.error.date');
  if (schema.minLength !== undefined && [...value].length < schema.minLength) return t('form.error.minLength', { n: schema.minLength });
  if (schema.maxLength !== undefined && [...value].length > schema.maxLength) return t('form.error.maxLength', { n: schema.maxLength });
  if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) {
    const words = describePattern(schema.pattern);
    return words ? t('form.error.patternWords', { hint: words }) : t('form.error.pattern', { pattern: schema.pattern });
  }
  return null;
}

/** Where a path of the server's problem details (record or request paths) is in the form. */
export function fieldForServerPath(path) {
  const p = String(path ?? '');
  const record = {
    '/certificateHolderName': 'holder.name',
    '/certificateHolderCode': 'holder.code',
    '/certificateHolderTypeCode': 'holder.typeCode',
    '/certificateHolderTypeName': 'holder.typeCode',
    '/certificateNumber': 'certificateNumber',
    '/certificateEffectiveDate': 'effectiveDate',
    '/certificateExpiringDate': 'expiringDate',
    '/certificateAreaCode': 'areaCode',
  };
  if (record[p]) return record[p];
  let m = /^\/(?:data\/)?extendInfo\/([^/]+)/.exec(p);
  if (m) return `extendInfo.${decodeURIComponent(m[1])}`;
  m = /^\/data\/holder\/([^/]+)/.exec(p);
  if (m) return `holder.${m[1] === 'typeName' ? 'typeCode' : m[1]}`;
  m = /^\/data\/([^/]+)/.exec(p);
  if (m) return m[1];
  return null;
}

/**
 * Builds the form for one type standard in `container`.
 * holderTypes: the holder code type list (standards/codelists/holder-code-types.json).
 * Returns { read() → { data, errors }, showServerErrors(errors) → unmapped, fields }.
 */
export function buildLicenceForm(container, standard, holderTypes, department) {
  const envelope = standard.labels?.envelope ?? {};
  const faceLabels = standard.labels?.face ?? {};
  const holderChoices = (standard.holderTypeCodes ?? []).map((code) => holderTypes.find((x) => x.code === code)).filter(Boolean);
  const fields = [];
  let n = 0;
  /** Text that depends on the language: [element, () => text], redone by relabel(). */
  const texts = [];
  const tx = (tag, attrs, text) => {
    const el = h(tag, { ...attrs, text: text() });
    texts.push([el, text]);
    return el;
  };

  function holderSchema() {
    const code = fields.find((f) => f.name === 'holder.typeCode')?.read();
    const entry = holderChoices.find((x) => x.code === code);
    return { type: 'string', minLength: 1, maxLength: 64, ...(entry?.pattern ? { pattern: entry.pattern } : {}) };
  }

  function addField(parent, { name, label, schema, required, hint, wide }) {
    const id = `f${++n}-${name.replace(/[^A-Za-z0-9]/g, '-')}`;
    const errId = `${id}-error`;
    const hintId = `${id}-hint`;
    const describedBy = [hint ? hintId : null, errId].filter(Boolean).join(' ');
    const error = h('p', { class: 'field-error', id: errId, hidden: true });
    const star = () => (required ? h('span', { class: 'required', 'aria-hidden': 'true', text: ' *' }) : null);
    const labelEl = (forId) => h('label', { for: forId }, tx('span', {}, () => pick(label, name)), star());
    let control;
    let read;
    let focusEl;
    const list = schema.type === 'array';
    if (list && schema.items?.enum) {
      const boxes = schema.items.enum.map((v, i) => h('input', { type: 'checkbox', id: `${id}-${i}`, value: v, name: id }));
      control = h(
        'fieldset',
        { class: 'checks-inline', 'aria-describedby': describedBy },
        h('legend', {}, tx('span', {}, () => pick(label, name)), star()),
        boxes.map((b, i) => h('label', { for: b.id }, b, schema.items.enum[i])),
      );
      read = () => boxes.filter((b) => b.checked).map((b) => b.value);
      focusEl = boxes[0];
    } else if (list) {
      focusEl = h('textarea', { id, name: id, rows: 3, 'aria-describedby': describedBy, 'aria-required': required ? 'true' : null });
      control = [labelEl(id), focusEl];
      read = () =>
        focusEl.value
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean);
    } else if (schema.enum) {
      focusEl = h(
        'select',
        { id, name: id, 'aria-describedby': describedBy, 'aria-required': required ? 'true' : null },
        tx('option', { value: '' }, () => t('form.choose')),
        schema.enum.map((v) => h('option', { value: v, text: v })),
      );
      control = [labelEl(id), focusEl];
      read = () => focusEl.value;
    } else if (schema.format === 'date') {
      focusEl = h('input', { id, name: id, type: 'date', 'aria-describedby': describedBy, 'aria-required': required ? 'true' : null });
      control = [labelEl(id), focusEl];
      read = () => focusEl.value;
    } else if (schema.type === 'integer' || schema.type === 'number') {
      focusEl = h('input', { id, name: id, type: 'text', inputmode: schema.type === 'integer' ? 'numeric' : 'decimal', 'aria-describedby': describedBy, 'aria-required': required ? 'true' : null });
      control = [labelEl(id), focusEl];
      read = () => (focusEl.value.trim() === '' ? undefined : Number(focusEl.value.trim()));
    } else if ((schema.maxLength ?? 0) > 200) {
      focusEl = h('textarea', { id, name: id, rows: 3, 'aria-describedby': describedBy, 'aria-required': required ? 'true' : null });
      control = [labelEl(id), focusEl];
      read = () => focusEl.value.trim();
    } else {
      focusEl = h('input', { id, name: id, type: 'text', autocomplete: 'off', 'aria-describedby': describedBy, 'aria-required': required ? 'true' : null });
      control = [labelEl(id), focusEl];
      read = () => focusEl.value.trim();
    }
    const wrap = h('div', { class: ['form-field', wide || list || (schema.maxLength ?? 0) > 200 ? 'wide' : ''], dataset: { field: name } }, control, hint ? tx('p', { class: 'hint', id: hintId }, hint) : null, error);
    parent.append(wrap);
    const field = {
      name,
      label,
      required,
      schema: () => (name === 'holder.code' ? holderSchema() : schema),
      read,
      focus: () => focusEl.focus(),
      setError(message) {
        error.hidden = !message;
        error.textContent = message ?? '';
        for (const el of wrap.querySelectorAll('input, select, textarea')) {
          if (message) el.setAttribute('aria-invalid', 'true');
          else el.removeAttribute('aria-invalid');
        }
      },
      validate() {
        const message = checkValue(read(), field.schema(), required);
        field.setError(message);
        return message;
      },
      touched: false,
    };
    // Checked when the person leaves the field, and again on every change once it showed an error.
    wrap.addEventListener('focusout', () => {
      field.touched = true;
      field.validate();
    });
    wrap.addEventListener('input', () => {
      if (field.touched) field.validate();
    });
    wrap.addEventListener('change', () => {
      if (field.touched) field.validate();
    });
    fields.push(field);
    return field;
  }

  const holder = h('fieldset', {}, tx('legend', {}, () => t('form.section.holder')), h('div', { class: 'form-grid' }));
  const record = h('fieldset', {}, tx('legend', {}, () => t('form.section.record')), h('div', { class: 'form-grid' }));
  const face = h('fieldset', {}, tx('legend', {}, () => t('form.section.face', { type: pick({ zh: standard.nameZh, en: standard.nameEn }) })), h('div', { class: 'form-grid' }));
  container.append(holder, record, face);
  const grid = (fs) => fs.querySelector('.form-grid');

  addField(grid(holder), { name: 'holder.name', label: envelope.certificateHolderName, schema: { type: 'string', minLength: 1, maxLength: 200 }, required: true });
  addField(grid(holder), {
    name: 'holder.typeCode',
    label: envelope.certificateHolderTypeCode,
    schema: { type: 'string', enum: holderChoices.map((x) => x.code) },
    required: true,
  });
  // Show the code types by name, not by number.
  const typeSelect = grid(holder).querySelector('[data-field="holder.typeCode"] select');
  for (const option of typeSelect.options) {
    const entry = holderChoices.find((x) => x.code === option.value);
    if (entry) {
      const text = () => `${pick({ zh: entry.nameZh, en: entry.nameEn })} (${entry.code})`;
      option.textContent = text();
      texts.push([option, text]);
    }
  }
  if (holderChoices.length === 1) typeSelect.value = holderChoices[0].code;
  addField(grid(holder), { name: 'holder.code', label: envelope.certificateHolderCode, schema: { type: 'string' }, required: true });

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

  const props = standard.faceSchema?.properties ?? {};
  const requiredFace = new Set(standard.faceSchema?.required ?? []);
  for (const [k, schema] of Object.entries(props)) {
    addField(grid(face), { name: `extendInfo.${k}`, label: faceLabels[k], schema, required: requiredFace.has(k) });
  }

  return {
    fields,
    /** Labels, hints and shown errors in the current language (values stay as typed). */
    relabel() {
      for (const [el, text] of texts) el.textContent = text();
      for (const f of fields) if (f.touched) f.validate();
    },
    /** The request data and the fields with errors (all checked; messages shown by each field). */
    read() {
      const errors = [];
      const data = { holder: {}, extendInfo: {} };
      for (const f of fields) {
        f.touched = true;
        const message = f.validate();
        if (message) errors.push({ field: f, message });
        const v = f.read();
        const empty = v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
        if (empty) continue;
        const [head, tail] = f.name.split('.');
        if (tail === undefined) data[head] = v;
        else data[head][tail] = v;
      }
      const entry = holderChoices.find((x) => x.code === data.holder.typeCode);
      if (entry) data.holder.typeName = entry.nameZh;
      return { data, errors };
    },
    /** Puts each server error by its field; returns the ones no field matches. */
    showServerErrors(errors) {
      const unmapped = [];
      for (const e of errors ?? []) {
        const name = fieldForServerPath(e.path);
        const field = fields.find((f) => f.name === name);
        if (field) field.setError(`${t('form.error.server')}${e.message}`);
        else unmapped.push(e);
      }
      return unmapped;
    },
  };
}
