import { divisionName } from './api.js';
import { h } from './dom.js';
import { formatValue } from './format.js';
import { pick, t } from './i18n.js';

/** Record fields shown before the face data, and after it. */
const HEAD = ['certificateHolderName', 'certificateHolderCode', 'certificateNumber'];
const TAIL = ['certificateIssuedDate', 'certificateEffectiveDate', 'certificateExpiringDate', 'certificateAreaCode', 'certificateIssuingAuthorityName', 'certificateIssuingAuthorityCode', 'certificateIdentifier', 'definingAuthorityName'];

/**
 * The licence's data as label/value pairs, labelled from its type standard (zh/en), in the
 * standard's field order. Works for the full form and for the shorter QR form (fields it
 * lacks are left out, except the expiry of a full form, which is "long-term" when absent).
 */
export function licenceFields(license, standard, divisions) {
  const envelope = standard?.labels?.envelope ?? {};
  const face = standard?.labels?.face ?? {};
  const rows = [];
  const add = (label, value, key) => rows.push({ label, value, key });
  for (const k of HEAD) {
    if (license[k] === undefined) continue;
    let v = formatValue(license[k]);
    if (k === 'certificateHolderCode' && license.certificateHolderTypeName) v += ` (${license.certificateHolderTypeName})`;
    add(pick(envelope[k], k), v, k);
  }
  const extend = license.extendInfo ?? {};
  const order = Object.keys(standard?.faceSchema?.properties ?? {});
  for (const k of [...order, ...Object.keys(extend).filter((k) => !order.includes(k))]) {
    if (extend[k] === undefined) continue;
    add(pick(face[k], k), formatValue(extend[k]), `extendInfo.${k}`);
  }
  for (const k of TAIL) {
    let v = license[k];
    if (v === undefined) {
      if (k === 'certificateExpiringDate' && license.certificateIssuingAuthorityName !== undefined && license.certificateEffectiveDate !== undefined) add(pick(envelope[k], k), t('licence.longTerm'), k);
      continue;
    }
    v = formatValue(v);
    if (k === 'certificateAreaCode') {
      const name = divisionName(divisions, license[k]);
      if (name) v = `${v} ${name}`;
    }
    add(pick(envelope[k], k), v, k);
  }
  return rows;
}

export function fieldList(rows, cls = 'fields') {
  return h(
    'dl',
    { class: cls },
    rows.map((r) => h('div', { class: 'field', dataset: { field: r.key } }, h('dt', { text: r.label }), h('dd', { text: r.value }))),
  );
}
