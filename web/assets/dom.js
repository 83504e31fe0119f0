// Small DOM helpers for the pages: elements are built with properties and text nodes, never from HTML strings,
// so nothing a licence or a server message contains can become markup.

/**
 * h('p', { class: 'hint', text: '...' }, child, ...) — attrs: class, text, html is not supported on purpose;
 * on: { click: fn }; dataset: {}; any other key becomes an attribute (false/null/undefined skip it).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'on') for (const [type, fn] of Object.entries(v)) el.addEventListener(type, fn);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** The status icons: shape and text carry the meaning, colour only adds to it. */
export function icon(kind) {
  const paths = {
    ok: 'M6 12.5l4 4 8-9',
    fail: 'M7 7l10 10M17 7L7 17',
    warn: 'M12 6v7M12 16.5v.5',
    info: 'M12 11v6M12 7.5v.5',
    none: 'M7 12h10',
  };
  return svg(
    'svg',
    { class: `icon icon-${kind}`, viewBox: '0 0 24 24', width: 24, height: 24, 'aria-hidden': 'true', focusable: 'false' },
    svg('circle', { cx: 12, cy: 12, r: 11, fill: 'currentColor', opacity: 0.14 }),
    svg('path', { d: paths[kind] ?? paths.none, fill: 'none', stroke: 'currentColor', 'stroke-width': 2.6, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }),
  );
}

/** Saves a Blob under a file name through a temporary blob: link (the API key never goes into a URL). */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Names each body cell by its column heading (data-label), so a table of class "stack" can become one card per row on a phone. */
export function labelCells(table) {
  const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
  for (const tr of table.querySelectorAll('tbody tr')) {
    [...tr.children].forEach((td, i) => {
      if (heads[i]) td.dataset.label = heads[i];
    });
  }
  return table;
}
