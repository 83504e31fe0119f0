// The holder's page (我的证照): sign in through the region's identity provider (or, in a DEMO region only, as one
// of the demo holders), see every licence naming you, present one at a window (a single-use QR), grant a
// department use of it for one service item and case (a one-time code), make annotated copies, and read every use.
// The holder token lives in this tab's sessionStorage only and goes out as "Authorization: Bearer".
import { api, ApiError, apiKeys, getCatalogue } from './api.js';
import { clear, download, h, labelCells } from './dom.js';
import { ago, formatDateTime } from './format.js';
import { applyStatic, initI18n, onLanguageChange, pick, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

let token = null;
let me = null;
let licences = [];
let grants = [];
let usage = [];
let usageNext = null;
let departments = [];
let types = new Map();
/** This node's region code (from its published trust list). */
let ownRegion = null;

// The holder token is kept like the pages' API keys: this tab's sessionStorage only.
const store = {
  get: () => apiKeys.get('holder'),
  set: (v) => apiKeys.set('holder', v),
  clear: () => apiKeys.clear('holder'),
};

const call = (path, options = {}) => api(path, { ...options, key: token });

function errorText(e) {
  if (e instanceof ApiError) {
    const known = t(`wallet.error.${e.code}`);
    if (known !== `wallet.error.${e.code}`) return known;
    return e.problem?.detail ? `${e.code}: ${e.problem.detail}` : t('wallet.error.generic', { code: e.code });
  }
  return String(e?.message ?? e);
}

function announce(text) {
  $('wallet-status').textContent = text;
}

// ---------------------------------------------------------------- sign-in

async function setUpSignIn() {
  try {
    const r = await api('/v1/holder/demo-holders');
    const select = clear($('demo-holder'));
    for (const holder of r.data.holders) {
      select.append(h('option', { value: holder.code, text: `${holder.name}（${t(`wallet.kind.${holder.kind}`)}）` }));
    }
    $('demo-signin-form').hidden = r.data.holders.length === 0;
  } catch {
    // Not a demo region: only the identity provider's token signs in.
    $('demo-signin-form').hidden = true;
  }
  $('demo-signin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await api('/v1/holder/demo-sign-in', { method: 'POST', json: { holderCode: $('demo-holder').value } });
      await enter(r.data.token);
    } catch (e) {
      showSignIn(errorText(e));
    }
  });
  $('token-signin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const candidate = $('holder-token').value.trim();
    if (candidate) await enter(candidate);
  });
  $('sign-out').addEventListener('click', () => {
    delete document.documentElement.dataset.signedIn;
    store.clear();
    token = null;
    showSignIn(null);
  });
}

function showSignIn(message) {
  $('workspace').hidden = true;
  $('session-box').hidden = true;
  $('signin-section').hidden = false;
  $('signin-error').hidden = !message;
  $('signin-error').textContent = message ?? '';
  $('holder-token').value = '';
}

async function enter(candidate, fromStorage = false) {
  try {
    me = (await api('/v1/holder/me', { key: candidate })).data.holder;
  } catch (e) {
    store.clear();
    return showSignIn(e instanceof ApiError && e.status === 401 ? t(fromStorage ? 'session.expired' : 'wallet.signin.badToken') : errorText(e));
  }
  token = candidate;
  store.set(candidate);
  $('signin-section').hidden = true;
  $('workspace').hidden = false;
  $('session-box').hidden = false;
  $('demo-identity').hidden = !me.demo;
  renderHeading();
  await Promise.all([loadLicences(), loadGrants(), loadUsage(), loadDepartments()]);
  showTab(location.hash.slice(1) || 'licences');
  document.documentElement.dataset.signedIn = 'true';
}

function renderHeading() {
  if (!me) return;
  // The holder's name as their own licences print it; the code (masked) until they are loaded.
  const own = licences.find((l) => l.holderRole === 'holder');
  const name = own?.license?.certificateHolderName ?? `${me.holderCode.slice(0, 4)}…${me.holderCode.slice(-4)}`;
  $('holder-heading').textContent = t('wallet.heading', { name });
  $('session-label').textContent = me.actingRole ? t(`wallet.acting.${me.actingRole}`) : t('wallet.signedIn');
  $('session-label').title = me.holderCode;
}

// ---------------------------------------------------------------- tabs

function showTab(name) {
  const tabs = ['licences', 'grants', 'usage'];
  const tab = tabs.includes(name) ? name : 'licences';
  for (const n of tabs) {
    $(`${n}-panel`).hidden = n !== tab;
    if (n === tab) $(`tab-${n}`).setAttribute('aria-current', 'page');
    else $(`tab-${n}`).removeAttribute('aria-current');
  }
}

// ---------------------------------------------------------------- licences

async function loadLicences() {
  $('licences-error').hidden = true;
  try {
    licences = (await call('/v1/holder/licenses')).data.items;
  } catch (e) {
    licences = [];
    $('licences-error').hidden = false;
    $('licences-error').textContent = errorText(e);
  }
  renderLicences();
  renderHeading();
}

function typeName(code, fallback) {
  const ty = types.get(code);
  return ty ? pick({ zh: ty.nameZh, en: ty.nameEn }) : (fallback ?? code);
}

function statusBadge(status) {
  const kind = status === 'valid' ? 'ok' : status === 'suspended' ? 'warn' : 'bad';
  return h('span', { class: `badge badge-${kind}`, text: t(`status.${status}`) });
}

function renderLicences() {
  const list = clear($('licence-list'));
  $('licences-empty').hidden = licences.length > 0;
  for (const l of licences) {
    const record = l.license ?? {};
    const valid = l.status === 'valid';
    list.append(
      h(
        'li',
        { class: 'card wallet-card', dataset: { identifier: l.identifier } },
        h('div', { class: 'wallet-card-head' }, h('h3', { text: typeName(l.typeCode, l.typeName) }), statusBadge(l.status)),
        h(
          'dl',
          { class: 'wallet-facts' },
          h('dt', { text: t('wallet.licence.number') }),
          h('dd', { text: record.certificateNumber ?? '—' }),
          h('dt', { text: t('wallet.licence.issuer') }),
          h('dd', { text: l.department?.name ?? record.certificateIssuingAuthorityName ?? l.department?.uscc }),
          h('dt', { text: t('wallet.licence.issued') }),
          h('dd', { text: record.certificateIssuedDate ?? formatDateTime(l.issuedAt) }),
          h('dt', { text: t('wallet.licence.validUntil') }),
          h('dd', { text: record.certificateExpiringDate ?? t('wallet.licence.noEnd') }),
          l.holderRole === 'co-holder' ? [h('dt', { text: t('wallet.licence.role') }), h('dd', { text: t('wallet.licence.coHolder') })] : null,
          h('dt', { text: t('wallet.licence.identifier') }),
          h('dd', {}, h('code', { class: 'identifier', text: l.identifier })),
        ),
        h(
          'div',
          { class: 'row wallet-actions' },
          h('button', { type: 'button', class: 'primary', disabled: !valid, text: t('wallet.action.present'), on: { click: () => present(l) } }),
          h('button', { type: 'button', disabled: !valid, text: t('wallet.action.grant'), on: { click: () => openGrant(l) } }),
          h('button', { type: 'button', disabled: !valid, text: t('wallet.action.copy'), on: { click: () => openCopy(l) } }),
        ),
      ),
    );
  }
}

// ---------------------------------------------------------------- present (亮证)

let countdown = null;

function qrImage(svgText, label) {
  // The node renders the QR as SVG; shown as an image, so nothing in it can run.
  return h('img', { src: `data:image/svg+xml;base64,${btoa(svgText)}`, alt: label, class: 'wallet-qr-img' });
}

async function present(l) {
  try {
    const r = await call(`/v1/holder/licenses/${encodeURIComponent(l.identifier)}/presentations`, { method: 'POST', json: {} });
    const p = r.data;
    clear($('present-qr')).append(qrImage(p.qrSvg, t('wallet.present.qrLabel', { type: typeName(l.typeCode, l.typeName) })));
    $('present-text').value = p.presentation;
    const expires = new Date(p.expiresAt).getTime();
    const tick = () => {
      const left = Math.max(0, Math.round((expires - Date.now()) / 1000));
      $('present-expiry').textContent = left > 0 ? t('wallet.present.expires', { time: formatDateTime(p.expiresAt), seconds: left }) : t('wallet.present.expired');
      if (left === 0 && countdown) {
        clearInterval(countdown);
        countdown = null;
      }
    };
    if (countdown) clearInterval(countdown);
    countdown = setInterval(tick, 1000);
    tick();
    $('present-dialog').showModal();
    announce(t('wallet.present.ready'));
  } catch (e) {
    announce(errorText(e));
    window.alert(errorText(e));
  }
}

// ---------------------------------------------------------------- departments (from the region's published trust list)

async function loadDepartments() {
  try {
    const r = await api('/v1/federation/trust-list', { as: 'text' });
    // Display only: the node checks the department again when the grant is made.
    const payload = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(r.data.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
    ownRegion = payload.region?.code ?? null;
    departments = payload.departments.filter((d) => d.state === 'active').map((d) => ({ uscc: d.uscc, name: d.name }));
  } catch {
    departments = [];
  }
  for (const id of ['grant-department', 'copy-department']) {
    const select = clear($(id));
    for (const d of departments) select.append(h('option', { value: d.uscc, text: `${d.name}（${d.uscc}）` }));
  }
}

// ---------------------------------------------------------------- grants (授权用证)

let grantLicence = null;

function openGrant(l) {
  grantLicence = l;
  $('grant-form').hidden = false;
  $('grant-result').hidden = true;
  $('grant-error').hidden = true;
  $('grant-licence').textContent = `${typeName(l.typeCode, l.typeName)} · ${l.license?.certificateNumber ?? l.identifier}`;
  $('grant-dialog').showModal();
}

async function submitGrant(ev) {
  ev.preventDefault();
  const days = Number($('grant-days').value);
  const body = {
    licenseIdentifier: grantLicence.identifier,
    department: { uscc: $('grant-department').value },
    serviceItem: { name: $('grant-item').value.trim() },
    caseNumber: $('grant-case').value.trim(),
    expiresAt: new Date(Date.now() + days * 86_400_000).toISOString(),
  };
  try {
    const r = await call('/v1/holder/grants', { method: 'POST', json: body });
    $('grant-code').textContent = r.data.code;
    clear($('grant-qr'));
    if (r.data.qrSvg) $('grant-qr').append(qrImage(r.data.qrSvg, t('wallet.grant.qrLabel')));
    $('grant-form').hidden = true;
    $('grant-result').hidden = false;
    announce(t('wallet.grant.made'));
    await Promise.all([loadGrants(), loadUsage()]);
  } catch (e) {
    $('grant-error').hidden = false;
    $('grant-error').textContent = errorText(e);
  }
}

async function loadGrants() {
  $('grants-error').hidden = true;
  try {
    grants = (await call('/v1/holder/grants')).data.grants;
  } catch (e) {
    grants = [];
    $('grants-error').hidden = false;
    $('grants-error').textContent = errorText(e);
  }
  renderGrants();
}

function departmentName(uscc, fallback) {
  return departments.find((d) => d.uscc === uscc)?.name ?? fallback ?? uscc;
}

function licenceLabel(identifier) {
  const l = licences.find((x) => x.identifier === identifier);
  return l ? typeName(l.typeCode, l.typeName) : identifier;
}

function renderGrants() {
  const body = clear($('grants-table').querySelector('tbody'));
  for (const g of grants) {
    const kind = g.state === 'open' || g.state === 'redeemed' ? 'ok' : g.state === 'exhausted' ? 'muted' : 'bad';
    body.append(
      h(
        'tr',
        { dataset: { grantId: g.grantId, state: g.state } },
        h('td', { text: departmentName(g.department.uscc, g.department.name) }),
        h('td', {}, g.serviceItem?.name ?? '—', h('br'), h('span', { class: 'detail', text: g.caseNumber })),
        h('td', { text: g.licenseIdentifier ? licenceLabel(g.licenseIdentifier) : typeName(g.typeCode) }),
        h(
          'td',
          {},
          h('span', { class: `badge badge-${kind}`, text: t(`wallet.grant.state.${g.state}`) }),
          h('br'),
          h('span', { class: 'detail', text: t('wallet.grant.uses', { uses: g.uses, max: g.maxUses, until: formatDateTime(g.expiresAt) }) }),
        ),
        h(
          'td',
          {},
          g.state === 'open' || g.state === 'redeemed'
            ? h('button', { type: 'button', class: 'small', text: t('wallet.grant.revoke'), on: { click: () => revokeGrant(g) } })
            : null,
        ),
      ),
    );
  }
  labelCells($('grants-table'));
  $('grants-empty').hidden = grants.length > 0;
  $('grants-table').hidden = grants.length === 0;
}

async function revokeGrant(g) {
  if (!window.confirm(t('wallet.grant.revokeConfirm'))) return;
  try {
    await call(`/v1/holder/grants/${encodeURIComponent(g.grantId)}`, { method: 'DELETE' });
    announce(t('wallet.grant.revoked'));
  } catch (e) {
    announce(errorText(e));
  }
  await Promise.all([loadGrants(), loadUsage()]);
}

// ---------------------------------------------------------------- annotated copies (加注件)

let copyLicence = null;
let madeCopy = null;

function openCopy(l) {
  copyLicence = l;
  madeCopy = null;
  $('copy-form').hidden = false;
  $('copy-result').hidden = true;
  $('copy-error').hidden = true;
  $('copy-licence').textContent = `${typeName(l.typeCode, l.typeName)} · ${l.license?.certificateNumber ?? l.identifier}`;
  $('copy-dialog').showModal();
}

async function submitCopy(ev) {
  ev.preventDefault();
  const uscc = $('copy-department').value;
  const days = Number($('copy-days').value);
  const body = {
    purpose: $('copy-purpose').value.trim(),
    userDepartment: { name: departmentName(uscc), code: uscc },
    expiresAt: new Date(Date.now() + days * 86_400_000).toISOString(),
  };
  try {
    const r = await call(`/v1/holder/licenses/${encodeURIComponent(copyLicence.identifier)}/annotated-copies`, { method: 'POST', json: body });
    madeCopy = r.data;
    const a = madeCopy.annotatedCopy;
    $('copy-made').textContent = t('wallet.copy.made', { department: a.userDepartment.name, purpose: a.purpose, until: formatDateTime(a.notAfter) });
    $('copy-form').hidden = true;
    $('copy-result').hidden = false;
    announce(t('wallet.copy.ready'));
    await loadUsage();
  } catch (e) {
    $('copy-error').hidden = false;
    $('copy-error').textContent = errorText(e);
  }
}

async function downloadCopy(kind) {
  if (!madeCopy) return;
  const id = madeCopy.annotatedCopy.copyId;
  if (kind === 'json') {
    download(new Blob([JSON.stringify(madeCopy, null, 2)], { type: 'application/json' }), `${id}.elac.json`);
    return;
  }
  try {
    const r = await call(`/v1/holder/annotated-copies/${encodeURIComponent(id)}.pdf`, { as: 'blob' });
    download(r.data, `${id}.pdf`);
  } catch (e) {
    $('copy-error').hidden = false;
    $('copy-error').textContent = errorText(e);
  }
}

// ---------------------------------------------------------------- usage log (用证记录)

async function loadUsage(more = false) {
  $('usage-error').hidden = true;
  try {
    const q = more && usageNext ? `?before=${usageNext}` : '';
    const r = (await call(`/v1/holder/usage${q}`)).data;
    usage = more ? [...usage, ...r.events] : r.events;
    usageNext = r.next;
  } catch (e) {
    if (!more) usage = [];
    $('usage-error').hidden = false;
    $('usage-error').textContent = errorText(e);
  }
  renderUsage();
}

function actorText(a) {
  // An annotated copy is the holder's own act, for the department named in it.
  if (a.kind === 'holder') return a.name ? t('wallet.usage.actor.holderFor', { name: a.name }) : t('wallet.usage.actor.holder');
  const who = a.name ?? (a.uscc ? departmentName(a.uscc) : null);
  const base = t(`wallet.usage.actor.${a.kind}`);
  const region = a.region && a.region !== ownRegion ? ` · ${t('wallet.usage.region', { code: a.region })}` : '';
  return who ? `${who}（${base}）${region}` : `${base}${region}`;
}

function renderUsage() {
  const body = clear($('usage-table').querySelector('tbody'));
  for (const e of usage) {
    const purpose = [e.purpose, e.serviceItem?.name ?? e.serviceItem, e.caseNumber].filter(Boolean).join(' · ');
    body.append(
      h(
        'tr',
        { dataset: { kind: e.kind, eventId: String(e.eventId) } },
        h('td', {}, formatDateTime(e.at), h('br'), h('span', { class: 'detail', text: ago(e.at) })),
        h('td', { text: t(`wallet.usage.kind.${e.kind}`) }),
        h('td', { text: actorText(e.actor) }),
        h('td', { text: purpose || '—' }),
        h('td', { text: licenceLabel(e.licenseIdentifier) }),
      ),
    );
  }
  $('usage-more').hidden = !usageNext;
  $('usage-empty').hidden = usage.length > 0;
  $('usage-table').hidden = usage.length === 0;
  labelCells($('usage-table'));
}

// ---------------------------------------------------------------- start

async function main() {
  await initI18n();
  try {
    const catalogue = await getCatalogue();
    types = new Map(catalogue.types.map((ty) => [ty.typeCode, ty]));
  } catch {
    types = new Map();
  }
  window.addEventListener('hashchange', () => showTab(location.hash.slice(1)));
  $('present-close').addEventListener('click', () => {
    if (countdown) clearInterval(countdown);
    countdown = null;
    $('present-dialog').close();
  });
  $('grant-form').addEventListener('submit', submitGrant);
  $('grant-cancel').addEventListener('click', () => $('grant-dialog').close());
  $('grant-done').addEventListener('click', () => $('grant-dialog').close());
  $('copy-form').addEventListener('submit', submitCopy);
  $('copy-cancel').addEventListener('click', () => $('copy-dialog').close());
  $('copy-done').addEventListener('click', () => $('copy-dialog').close());
  $('copy-pdf').addEventListener('click', () => downloadCopy('pdf'));
  $('copy-json').addEventListener('click', () => downloadCopy('json'));
  $('usage-more').addEventListener('click', () => loadUsage(true));
  onLanguageChange(() => {
    applyStatic();
    renderHeading();
    renderLicences();
    renderGrants();
    renderUsage();
  });
  await setUpSignIn();
  const saved = store.get();
  if (saved) await enter(saved, true);
  else showSignIn(null);
  // Tests (and scripts) wait for this flag.
  document.documentElement.dataset.ready = 'true';
}

main();
