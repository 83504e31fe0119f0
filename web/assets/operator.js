// The operator dashboard (region admin, auditor): statistics with charts, the region's departments with
// their authorised types and certificates, and the federation peers with the freshness of their data.
import { ApiError, divisionName, getCatalogue, getDivisions } from './api.js';
import { barList, PALETTE, stackedBars } from './charts.js';
import { clear, h, icon, labelCells } from './dom.js';
import { ago, formatCount, formatDateTime } from './format.js';
import { initI18n, locale, onLanguageChange, pick, t } from './i18n.js';
import { errorText, setupSession } from './session.js';

const $ = (id) => document.getElementById(id);
const RANGES = { '24h': { granularity: 'hour', buckets: 24 }, '7d': { granularity: 'day', buckets: 7 }, '30d': { granularity: 'day', buckets: 30 }, '90d': { granularity: 'day', buckets: 90 } };
const RESULT_COLORS = { accepted: '#1a7f37', rejected: '#c62828', valid: '#1a7f37', suspended: '#b26a00', revoked: '#c62828' };
/** Certificates that end within this many days are flagged. */
const EXPIRY_WARNING_DAYS = 30;

let session;
let principal;
let catalogue;
let divisions;
let departments = [];
let keysByDepartment = new Map();
let peers = null;
let stats = null;
let statsByResult = null;

function badge(kind, text, iconKind) {
  return h('span', { class: `badge badge-${kind}` }, icon(iconKind), text);
}

async function main() {
  await initI18n();
  [catalogue, divisions] = await Promise.all([getCatalogue(), getDivisions().catch(() => null)]);
  $('stats-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void loadStatistics();
  });
  $('stats-range').addEventListener('change', () => void loadStatistics());
  $('stats-by').addEventListener('change', () => void loadStatistics());
  $('peers-sync').addEventListener('click', () => void syncNow());
  onLanguageChange(() => {
    renderUses();
    renderStatistics();
    renderDepartments();
    renderPeers();
  });
  session = setupSession({ scope: 'operator', roles: ['region_admin', 'auditor'], onSignedIn });
  document.documentElement.dataset.ready = 'true';
}

async function onSignedIn(p) {
  principal = p;
  $('peers-sync').hidden = principal.role !== 'region_admin';
  await Promise.all([loadDepartments(), loadPeers(), loadUses()]);
  renderUses(); // department and peer names are known now
  await loadStatistics();
  document.documentElement.dataset.signedIn = 'true';
}

// ---------------------------------------------------------------- names of keys

function typeName(code) {
  const x = catalogue?.types?.find((c) => c.typeCode === code);
  return x ? pick({ zh: x.nameZh, en: x.nameEn }) : code;
}

function keyLabel(by, key) {
  if (key === '(others)') return t('stats.others');
  if (key === 'unknown') return t('stats.unknown');
  if (by === 'type') return key === 'other' ? t('stats.otherType') : typeName(key);
  if (by === 'department') return departments.find((d) => d.uscc === key)?.name ?? key;
  if (by === 'region') {
    if (key === 'other') return t('stats.otherRegion');
    if (stats?.region?.code === key) return `${stats.region.name} (${key})`;
    const peer = peers?.find((p) => p.regionCode === key);
    return peer ? `${peer.name ?? key} (${key})` : key;
  }
  if (by === 'result') return ['accepted', 'rejected'].includes(key) ? t(`stats.result.${key}`) : t(`status.${key}`);
  return key;
}

// ---------------------------------------------------------------- uses by consuming departments (issue 16)

let uses = null;

async function loadUses() {
  $('uses-error').hidden = true;
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86_400_000);
  const day = (d) => d.toISOString().slice(0, 10);
  try {
    uses = (await session.call(`/v1/statistics/uses?from=${day(from)}&to=${day(to)}`)).data;
  } catch (e) {
    uses = null;
    $('uses-error').hidden = false;
    $('uses-error').textContent = errorText(e);
  }
  renderUses();
}

function consumerLabel(c) {
  const name = c.name ?? departments.find((d) => d.uscc === c.uscc)?.name ?? c.uscc;
  // A department of a peer region says which region it speaks for.
  const peer = Array.isArray(peers) ? peers.find((p) => p.regionCode === c.region) : undefined;
  return peer ? t('operator.uses.peerConsumer', { name, region: `${peer.name ?? c.region} (${c.region})` }) : name;
}

function renderUses() {
  if (!uses) return;
  const byType = uses.byType.map((x, i) => ({ key: x.typeCode, label: typeName(x.typeCode), total: x.count, color: PALETTE[i % PALETTE.length] }));
  const byConsumer = uses.byConsumer.map((x, i) => ({ key: `${x.region}:${x.uscc}`, label: consumerLabel(x), total: x.count, color: PALETTE[i % PALETTE.length] }));
  clear($('uses-by-type')).append(barList({ title: t('operator.uses.byType'), series: byType }));
  clear($('uses-by-consumer')).append(barList({ title: t('operator.uses.byConsumer'), series: byConsumer }));
}

// ---------------------------------------------------------------- statistics

async function loadStatistics() {
  const range = RANGES[$('stats-range').value] ?? RANGES['30d'];
  const by = $('stats-by').value;
  const q = (b) => `/v1/statistics?granularity=${range.granularity}&by=${b}&from=${encodeURIComponent(fromFor(range))}`;
  $('stats-error').hidden = true;
  try {
    const [main, results] = await Promise.all([session.call(q(by)), by === 'result' ? null : session.call(q('result'))]);
    stats = main.data;
    statsByResult = results ? results.data : main.data;
    renderStatistics();
    document.documentElement.dataset.statsLoaded = String(Date.now());
  } catch (e) {
    $('stats-error').hidden = false;
    $('stats-error').textContent = errorText(e);
  }
}

function fromFor(range) {
  const now = Date.now();
  const ms = range.granularity === 'hour' ? 3_600_000 : 86_400_000;
  return new Date(now - (range.buckets - 1) * ms).toISOString();
}

function bucketText(iso, granularity, long) {
  const d = new Date(iso);
  if (granularity === 'hour') return new Intl.DateTimeFormat(locale(), long ? { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false } : { hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
  return new Intl.DateTimeFormat(locale(), { timeZone: 'Asia/Shanghai', ...(long ? { year: 'numeric' } : {}), month: '2-digit', day: '2-digit' }).format(d);
}

function coloured(by, series) {
  return series.map((s, i) => ({ ...s, label: keyLabel(by, s.key), color: (by === 'result' && RESULT_COLORS[s.key]) || PALETTE[i % PALETTE.length] }));
}

function renderStatistics() {
  if (!stats) return;
  const by = stats.by;
  const labels = stats.buckets.map((b) => bucketText(b, stats.granularity, false));
  const titles = stats.buckets.map((b) => bucketText(b, stats.granularity, true));
  const issued = coloured(by, stats.issuance.series);
  const verified = coloured(by, stats.verifications.series);
  const accepted = statsByResult?.verifications.series.find((s) => s.key === 'accepted')?.total ?? 0;
  const rejected = statsByResult?.verifications.series.find((s) => s.key === 'rejected')?.total ?? 0;
  const share = accepted + rejected > 0 ? `${((100 * accepted) / (accepted + rejected)).toFixed(1)}%` : '—';
  const kpi = (id, value, label) => h('div', { class: 'kpi', id }, h('div', { class: 'kpi-value', text: value }), h('div', { class: 'kpi-label', text: label }));
  clear($('stats-kpis')).append(
    kpi('kpi-issued', formatCount(stats.issuance.total), t('stats.kpi.issued')),
    kpi('kpi-verified', formatCount(stats.verifications.total), t('stats.kpi.verified')),
    kpi('kpi-accepted', share, t('stats.kpi.acceptedShare')),
    kpi('kpi-rejected', formatCount(rejected), t('stats.kpi.rejected')),
  );
  const byText = t(`operator.stats.by.${by}`);
  clear($('stats-issuance')).append(stackedBars({ id: 'chart-issuance', title: `${t('stats.issuance')} · ${byText}`, series: issued, bucketLabels: labels, bucketTitles: titles }));
  clear($('stats-verifications')).append(stackedBars({ id: 'chart-verifications', title: `${t('stats.verifications')} · ${byText}`, series: verified, bucketLabels: labels, bucketTitles: titles }));
  clear($('stats-issuance-totals')).append(barList({ title: `${t('stats.issuance')} · ${byText}`, series: issued }));
  clear($('stats-verification-totals')).append(barList({ title: `${t('stats.verifications')} · ${byText}`, series: verified }));
  $('stats-note').textContent = t(by === 'result' ? 'stats.note.result' : 'stats.note', { asOf: formatDateTime(stats.asOf), tz: stats.granularity === 'day' ? 'UTC+8' : '' });
}

// ---------------------------------------------------------------- departments

async function loadDepartments() {
  $('departments-error').hidden = true;
  try {
    departments = (await session.call('/v1/departments')).data.departments;
    const keys = await Promise.all(departments.map((d) => session.call(`/v1/departments/${encodeURIComponent(d.uscc)}/keys`).then((r) => r.data.keys).catch(() => null)));
    keysByDepartment = new Map(departments.map((d, i) => [d.uscc, keys[i]]));
    renderDepartments();
  } catch (e) {
    $('departments-error').hidden = false;
    $('departments-error').textContent = errorText(e);
  }
}

function renderDepartments() {
  const body = clear($('departments-table').querySelector('tbody'));
  const soon = Date.now() + EXPIRY_WARNING_DAYS * 86_400_000;
  for (const d of departments) {
    const stateKind = d.state === 'active' ? ['ok', 'ok'] : d.state === 'suspended' ? ['warn', 'warn'] : ['bad', 'fail'];
    const keys = (keysByDepartment.get(d.uscc) ?? []).filter((k) => k.purpose === 'licence_signing' || k.purpose === undefined);
    body.append(
      h(
        'tr',
        { dataset: { uscc: d.uscc } },
        h('td', {}, h('strong', { text: d.name }), h('br'), h('code', { text: d.uscc })),
        h('td', { text: divisionName(divisions, d.divisionCode) ? t('region.named', { name: divisionName(divisions, d.divisionCode), code: d.divisionCode }) : (d.divisionName ?? d.divisionCode) }),
        h('td', {}, badge(stateKind[0], t(`department.state.${d.state}`), stateKind[1]), d.stateReason ? h('p', { class: 'detail', text: d.stateReason }) : null),
        h('td', {}, h('ul', { class: 'plain' }, d.types.map((code) => h('li', { text: typeName(code) })))),
        h(
          'td',
          {},
          keys.length === 0
            ? h('span', { class: 'hint', text: t('operator.departments.noKeys') })
            : h(
                'ul',
                { class: 'plain' },
                keys.map((k) => {
                  const ending = k.state === 'active' && new Date(k.notAfter).getTime() < soon;
                  // EdDSA is no longer offered for department keys: common PDF readers cannot check it (ADR 0004, "Readers agree").
                  const rotate = k.state === 'active' && k.algorithm === 'EdDSA';
                  return h(
                    'li',
                    { dataset: { keyId: k.keyId } },
                    `${k.algorithm} · `,
                    h('code', { text: k.keyId }),
                    ' ',
                    badge(k.state === 'active' ? (ending ? 'warn' : 'ok') : 'muted', t(`key.state.${k.state}`), k.state === 'active' ? (ending ? 'warn' : 'ok') : 'none'),
                    h('br'),
                    h('span', { class: 'detail', text: `${t('operator.departments.validUntil')} ${formatDateTime(k.notAfter)}${ending ? ` · ${t('operator.departments.endingSoon')}` : ''}` }),
                    rotate ? h('p', { class: 'detail warn-text', dataset: { rotate: 'EdDSA' }, text: t('operator.departments.rotateEdDsa') }) : null,
                  );
                }),
              ),
        ),
      ),
    );
  }  labelCells($('departments-table'));
}

// ---------------------------------------------------------------- peers

async function loadPeers() {
  try {
    peers = (await session.call('/v1/federation/peers')).data.peers;
  } catch (e) {
    peers = e instanceof ApiError && (e.status === 404 || e.status === 403) ? { unavailable: true, status: e.status } : { error: errorText(e) };
  }
  renderPeers();
}

const PEER_STATE = { ok: ['ok', 'ok'], stale: ['warn', 'warn'], failing: ['bad', 'fail'], never_synced: ['muted', 'none'] };

function renderPeers() {
  const box = clear($('peers-body'));
  if (!peers) return;
  if (peers.unavailable) {
    $('peers-sync').hidden = true;
    box.append(h('p', { class: 'alert alert-info', id: 'peers-none', text: t('operator.peers.unavailable') }));
    return;
  }
  if (peers.error) {
    box.append(h('p', { class: 'alert alert-error', text: peers.error }));
    return;
  }
  $('peers-sync').hidden = principal?.role !== 'region_admin' || peers.length === 0;
  if (peers.length === 0) {
    box.append(h('p', { class: 'alert alert-info', id: 'peers-none', text: t('operator.peers.none') }));
    return;
  }
  const doc = (d, extra) => (d ? `#${d.sequence} · ${t('operator.peers.issued')} ${formatDateTime(d.issuedAt)}${extra ?? ''} · ${t('operator.peers.fetched')} ${ago(d.fetchedAt)}` : '—');
  box.append(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data-table stack', id: 'peers-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['region', 'state', 'lastSuccess', 'lastAttempt', 'lastError', 'trustList', 'agreement', 'statusLists'].map((c) => h('th', { scope: 'col', text: t(`operator.peers.col.${c}`) })),
          ),
        ),
        h(
          'tbody',
          {},
          peers.map((p) => {
            const [kind, ic] = PEER_STATE[p.state] ?? ['muted', 'none'];
            return h(
              'tr',
              { dataset: { region: p.regionCode ?? '', state: p.state } },
              h(
                'td',
                {},
                h('strong', { text: p.name ?? p.regionCode ?? '—' }),
                h('br'),
                h('code', { text: p.regionCode ?? p.pinnedRegionCode ?? '' }),
                p.baseUrl ? h('p', { class: 'detail', text: p.baseUrl }) : null,
                p.conflicts?.length > 0
                  ? h('p', { class: 'detail peer-conflicts' }, badge('warn', t('operator.peers.conflicts', { n: p.conflicts.length }), 'warn'), ' ', p.conflicts.map((c) => c.uscc).join(', '))
                  : null,
              ),
              h('td', {}, badge(kind, t(`peer.state.${p.state}`), ic)),
              h('td', { text: p.lastSuccessAt ? `${formatDateTime(p.lastSuccessAt)} (${ago(p.lastSuccessAt)})` : '—' }),
              h('td', { text: p.lastAttemptAt ? `${formatDateTime(p.lastAttemptAt)} (${ago(p.lastAttemptAt)})` : '—' }),
              h('td', {}, p.lastError ? [h('code', { text: p.lastError.code }), h('p', { class: 'detail', text: p.lastError.message })] : '—'),
              h('td', {
                text: doc(
                  p.trustList,
                  p.trustList?.nextUpdate
                    ? ` · ${t('operator.peers.nextUpdate')} ${formatDateTime(p.trustList.nextUpdate)}${p.trustList.acceptsLicencesUntil ? ` · ${t('operator.peers.acceptsUntil')} ${formatDateTime(p.trustList.acceptsLicencesUntil)}` : ''}`
                    : '',
                ),
              }),
              h('td', { text: doc(p.agreement) }),
              h('td', {
                text: !p.statusLists
                  ? '—'
                  : p.statusLists.count === 0
                    ? formatCount(0)
                    : `${formatCount(p.statusLists.count)} · ${t('operator.peers.oldest')} ${formatDateTime(p.statusLists.oldestIssuedAt)} · ${t('operator.peers.fetched')} ${ago(p.statusLists.fetchedAt)}`,
              }),
            );
          }),
        ),
      ),
    ),
  );
  labelCells($('peers-table'));
}

async function syncNow() {
  const button = $('peers-sync');
  button.disabled = true;
  try {
    await session.call('/v1/federation/sync', { method: 'POST', json: {}, as: 'json' });
    $('operator-status').textContent = t('operator.peers.synced');
  } catch (e) {
    $('operator-status').textContent = errorText(e);
  } finally {
    button.disabled = false;
    await loadPeers();
  }
}

void main();
