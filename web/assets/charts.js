// Hand-drawn SVG charts for the dashboard: stacked bars over time and a ranked bar list. Each chart comes
// with a legend in words and its numbers as a table, so nothing depends on telling colours apart.
import { h, svg } from './dom.js';
import { formatCount } from './format.js';
import { t } from './i18n.js';

/** Okabe–Ito colours first (distinguishable with colour-blindness), then a few more. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#7F7F7F', '#8C564B', '#17BECF', '#9467BD'];

/** A round upper bound for the axis: 1, 2 or 5 × 10^n. */
function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/**
 * Stacked bars: one bar per bucket, one segment per series.
 * series: [{ key, label, color, counts: number[] }], bucketLabels: string[] (short) and bucketTitles (long).
 */
export function stackedBars({ id, title, series, bucketLabels, bucketTitles }) {
  const W = 720;
  const H = 240;
  const pad = { left: 44, right: 8, top: 10, bottom: 28 };
  const n = bucketLabels.length;
  const totals = bucketLabels.map((_, i) => series.reduce((s, x) => s + (x.counts[i] ?? 0), 0));
  // At least 4, and grid steps of whole numbers (4 or 5 of them).
  const max = niceMax(Math.max(4, ...totals));
  const plotW = W - pad.left - pad.right;
  const plotH = H - pad.top - pad.bottom;
  const slot = plotW / Math.max(1, n);
  const barW = Math.max(1, slot * 0.72);
  const y = (v) => pad.top + plotH - (v / max) * plotH;
  const parts = [];
  const steps = max % 4 === 0 ? 4 : 5;
  for (let k = 0; k <= steps; k++) {
    const v = (max * k) / steps;
    parts.push(svg('line', { class: 'grid', x1: pad.left, x2: W - pad.right, y1: y(v), y2: y(v) }));
    parts.push(svg('text', { x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end', text: formatCount(v) }));
  }
  const every = Math.max(1, Math.ceil(n / 10));
  for (let i = 0; i < n; i++) {
    const x = pad.left + i * slot + (slot - barW) / 2;
    let base = 0;
    for (const s of series) {
      const c = s.counts[i] ?? 0;
      if (c <= 0) continue;
      const top = y(base + c);
      parts.push(svg('rect', { x, y: top, width: barW, height: Math.max(0.5, y(base) - top), fill: s.color }, svg('title', { text: `${bucketTitles[i]} · ${s.label}: ${formatCount(c)}` })));
      base += c;
    }
    if (i % every === 0) parts.push(svg('text', { x: x + barW / 2, y: H - 8, 'text-anchor': 'middle', text: bucketLabels[i] }));
  }
  parts.push(svg('line', { class: 'axis', x1: pad.left, x2: W - pad.right, y1: y(0), y2: y(0) }));
  const total = totals.reduce((a, b) => a + b, 0);
  return h(
    'figure',
    { class: 'chart-figure', id, dataset: { total } },
    h('figcaption', { class: 'label', text: `${title} · ${t('stats.total')} ${formatCount(total)}` }),
    svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${title}: ${t('stats.total')} ${formatCount(total)}` }, parts),
    legend(series),
    dataTable(title, series, bucketTitles),
  );
}

export function legend(series) {
  return h(
    'ul',
    { class: 'legend' },
    series.map((s) => h('li', {}, h('span', { class: 'swatch', style: `background:${s.color}`, 'aria-hidden': 'true' }), `${s.label} (${formatCount(s.total ?? s.counts.reduce((a, b) => a + b, 0))})`)),
  );
}

/** The chart's numbers, for screen readers and for anyone who wants them exactly. */
function dataTable(title, series, bucketTitles) {
  const rows = bucketTitles.map((b, i) => ({ b, cells: series.map((s) => s.counts[i] ?? 0) })).filter((r) => r.cells.some((c) => c > 0));
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', { text: t('stats.showData') }),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data-table' },
        h('caption', { class: 'visually-hidden', text: title }),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('stats.bucket') }), series.map((s) => h('th', { scope: 'col', class: 'num', text: s.label })))),
        h(
          'tbody',
          {},
          rows.length === 0 ? h('tr', {}, h('td', { colspan: series.length + 1, text: t('stats.none') })) : rows.map((r) => h('tr', {}, h('th', { scope: 'row', text: r.b }), r.cells.map((c) => h('td', { class: 'num', text: formatCount(c) })))),
        ),
      ),
    ),
  );
}

/** Totals per key as horizontal bars, largest first. */
export function barList({ title, series }) {
  const max = Math.max(1, ...series.map((s) => s.total));
  return h(
    'div',
    { class: 'bar-block' },
    h('p', { class: 'label', text: title }),
    series.length === 0
      ? h('p', { class: 'hint', text: t('stats.none') })
      : h(
          'ul',
          { class: 'bar-list' },
          series.map((s) =>
            h(
              'li',
              { dataset: { key: s.key } },
              h('span', { text: s.label }),
              h('span', { class: 'bar-track', 'aria-hidden': 'true' }, h('span', { class: 'bar-fill', style: `display:block;width:${(100 * s.total) / max}%;background:${s.color}` })),
              h('span', { class: 'num', text: formatCount(s.total) }),
            ),
          ),
        ),
  );
}
