// The issuer console: a department's staff sign in with the department's API key, issue licences from a
// form generated from the type standard, preview, download and print them, search the department's
// licences, and revoke, suspend or reinstate one with a reason.
import { api, ApiError, getCatalogue, getDivisions, getStandard } from './api.js';
import { append, clear, download, h, icon, labelCells } from './dom.js';
import { buildLicenceForm } from './face-form.js';
import { formatDateTime } from './format.js';
import { applyStatic, initI18n, onLanguageChange, pick, t } from './i18n.js';
import { fieldList, licenceFields } from './licence-view.js';
import { errorText, setupSession } from './session.js';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 20;

let session;
let department;
let catalogue;
let holderTypes = [];
let form = null;
/** One idempotency key per filled-in form: a double click or a retry cannot issue twice. */
let idempotencyKey = null;
/** Warning codes the service asked to acknowledge (RECORD_WARNING_UNACKNOWLEDGED), offered as a checkbox. */
let pendingWarnings = [];
let listCursor = null;
let listItems = [];
let detailItem = null;
const pdfUrls = new Map();
/** Photos of licences opened here (identifier → attachments), read once from the full form. */
const photoCache = new Map();

function typeName(code) {
  const x = catalogue?.types?.find((c) => c.typeCode === code);
  return x ? pick({ zh: x.nameZh, en: x.nameEn }) : code;
}

function announce(text) {
  const s = $('console-status');
  s.textContent = '';
  setTimeout(() => (s.textContent = text), 50);
}

function statusBadge(status) {
  const kind = status === 'valid' ? 'ok' : status === 'revoked' ? 'bad' : 'warn';
  return h('span', { class: `badge badge-${kind}`, dataset: { status } }, icon(kind === 'ok' ? 'ok' : kind === 'bad' ? 'fail' : 'warn'), t(`status.${status}`));
}

// ---------------------------------------------------------------- sign-in and layout

async function main() {
  await initI18n();
  [catalogue, holderTypes] = await Promise.all([getCatalogue(), api('/web/holder-code-types.json').then((r) => r.data.types)]);
  window.addEventListener('hashchange', showTab);
  $('issue-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void issue();
  });
  $('issue-reset').addEventListener('click', () => void buildForm());
  $('form-fields').addEventListener('field-checked', recountFieldErrors);
  $('type-select').addEventListener('change', () => void buildForm());
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void loadList(true);
  });
  $('list-more').addEventListener('click', () => void loadList(false));
  $('reason-cancel').addEventListener('click', () => $('reason-dialog').close('cancel'));
  onLanguageChange(() => {
    fillTypeSelects();
    form?.relabel();
    renderList();
    if (detailItem) void renderDetail(detailItem);
    if (department) $('department-heading').textContent = `${department.name} · ${department.uscc}`;
  });
  session = setupSession({ scope: 'console', roles: ['issuer'], onSignedIn });
  document.documentElement.dataset.ready = 'true';
}

async function onSignedIn(principal) {
  department = (await session.call(`/v1/departments/${encodeURIComponent(principal.department)}`)).data.department;
  $('department-heading').textContent = `${department.name} · ${department.uscc}`;
  fillTypeSelects();
  await buildForm();
  showTab();
  await loadList(true);
  document.documentElement.dataset.signedIn = 'true';
}

function fillTypeSelects() {
  if (!department) return;
  const select = $('type-select');
  const chosen = select.value;
  // A replaced code (supersededBy) keeps its licences verifying but issues nothing new: offer the codes in force.
  const inForce = department.types.filter((code) => !catalogue?.types?.find((c) => c.typeCode === code)?.supersededBy);
  clear(select).append(...inForce.map((code) => h('option', { value: code, text: typeName(code) })));
  // Signed in again as another department: its own first type, not an empty choice.
  if (chosen && inForce.includes(chosen)) select.value = chosen;
  const search = $('search-type');
  const searched = search.value;
  clear(search).append(h('option', { value: '', text: t('console.list.any') }), ...department.types.map((code) => h('option', { value: code, text: typeName(code) })));
  search.value = searched;
}

function showTab() {
  const licences = location.hash === '#licences';
  $('issue-panel').hidden = licences;
  $('licences-panel').hidden = !licences;
  for (const [id, on] of [['tab-issue', !licences], ['tab-licences', licences]]) {
    if (on) $(id).setAttribute('aria-current', 'page');
    else $(id).removeAttribute('aria-current');
  }
}

// ---------------------------------------------------------------- issuing

/** Which buildForm() call is the latest: a slower earlier one (type changed again meanwhile) draws nothing. */
let formSeq = 0;

async function buildForm() {
  const mine = ++formSeq;
  const typeCode = $('type-select').value;
  const container = clear($('form-fields'));
  $('issue-error').hidden = true;
  $('issue-result').hidden = true;
  $('issue-form').hidden = false;
  offerAcknowledgement([]);
  form = null;
  if (!typeCode) return;
  const standard = await getStandard(typeCode);
  if (mine !== formSeq) return;
  form = buildLicenceForm(container, standard, holderTypes, department);
  idempotencyKey = crypto.randomUUID();
}

async function issue() {
  if (!form) return;
  const error = $('issue-error');
  error.hidden = true;
  // A photo just chosen may still be being read.
  await form.settled();
  const { data, errors } = form.read();
  if (errors.length > 0) {
    error.hidden = false;
    error.dataset.kind = 'fields';
    error.textContent = t('console.issue.fix', { n: errors.length });
    errors[0].field.focus();
    return;
  }
  const button = $('issue-submit');
  button.disabled = true;
  try {
    const acknowledged = pendingWarnings.length > 0 && $('issue-ack-box').checked ? { acknowledgeWarnings: pendingWarnings } : {};
    const r = await session.call('/v1/licenses', { method: 'POST', json: { typeCode: $('type-select').value, data, ...acknowledged }, headers: { 'Idempotency-Key': idempotencyKey }, as: 'json' });
    offerAcknowledgement([]);
    showIssued(r.data);
  } catch (e) {
    error.hidden = false;
    error.dataset.kind = 'server';
    // Data a verifier would flag (a pilot-era USCC, say): the fields show why; the issuer may confirm and sign anyway.
    if (e instanceof ApiError && e.problem?.code === 'RECORD_WARNING_UNACKNOWLEDGED') offerAcknowledgement(e.problem.errors.map((x) => x.code));
    if (e instanceof ApiError && Array.isArray(e.problem?.errors)) {
      const unmapped = form.showServerErrors(e.problem.errors);
      // Every finding at a field: the message goes once those fields are corrected.
      if (unmapped.length === 0) error.dataset.kind = 'server-fields';
      const mapped = e.problem.errors.length - unmapped.length;
      error.textContent = [mapped > 0 ? t('console.issue.serverFix', { n: mapped }) : null, unmapped.length > 0 || mapped === 0 ? `${t('error.server')} ${e.problem.detail}` : null].filter(Boolean).join(' ');
      form.fields.find((f) => f.name && document.querySelector(`[data-field="${f.name}"] [aria-invalid="true"]`))?.focus();
    } else error.textContent = errorText(e);
  } finally {
    button.disabled = false;
  }
}

/** The count of the form's own findings follows the fields as they are corrected (the server's stay until the next try). */
function recountFieldErrors() {
  const error = $('issue-error');
  if (error.hidden || (error.dataset.kind !== 'fields' && error.dataset.kind !== 'server-fields')) return;
  const n = document.querySelectorAll('#form-fields [data-field]:not([hidden]) > .field-error:not([hidden])').length;
  if (n === 0) error.hidden = true;
  else if (error.dataset.kind === 'fields') error.textContent = t('console.issue.fix', { n });
}

function offerAcknowledgement(codes) {
  pendingWarnings = [...new Set(codes.filter((c) => typeof c === 'string'))];
  $('issue-ack').hidden = pendingWarnings.length === 0;
  $('issue-ack-box').checked = false;
  $('issue-ack-text').textContent = pendingWarnings.length === 0 ? '' : t('console.issue.acknowledge', { codes: pendingWarnings.join(', ') });
}

function showIssued(fullForm) {
  const license = fullForm.license;
  const id = license.certificateIdentifier;
  $('issue-form').hidden = true;
  const result = clear($('issue-result'));
  result.hidden = false;
  result.append(
    h(
      'div',
      { class: 'alert alert-ok', role: 'status', id: 'issued-alert' },
      h('strong', { text: t('console.issue.done', { type: typeName(license.certificateTypeCode), holder: holderSummary(license) }) }),
      h('br'),
      t('console.issue.identifier'),
      ' ',
      h('code', { id: 'issued-identifier', text: id }),
    ),
    licenceActions(id, { preview: true }),
    h('div', { class: 'actions no-print' }, h('button', { type: 'button', class: 'primary', id: 'issue-next', text: t('console.issue.next'), on: { click: () => void nextLicence() } })),
  );
  // What was signed, as a verifier will see it (photos from the full form's attachments).
  void Promise.all([getStandard(license.certificateTypeCode, license.standardVersion).catch(() => null), getDivisions().catch(() => null)]).then(([standard, divisions]) => {
    if (!result.contains($('issued-alert'))) return;
    if (fullForm.attachments) photoCache.set(id, fullForm.attachments);
    result.append(h('section', { class: 'card issued-view', id: 'issued-view' }, h('h3', { text: t('console.issue.view') }), fieldList(licenceFields(license, standard, divisions, { photos: fullForm.attachments }))));
  });
  $('issued-alert').focus?.();
  announce(t('console.issue.done', { type: typeName(license.certificateTypeCode), holder: holderSummary(license) }));
  void loadList(true);
}

async function nextLicence() {
  await buildForm();
  form?.fields[0]?.focus();
}

// ---------------------------------------------------------------- a licence's forms: preview, download, print

async function pdfUrl(id) {
  if (!pdfUrls.has(id)) {
    const r = await session.call(`/v1/licenses/${encodeURIComponent(id)}.pdf`, { as: 'blob' });
    pdfUrls.set(id, URL.createObjectURL(r.data));
  }
  return pdfUrls.get(id);
}

/**
 * Preview, downloads (PDF, JSON, QR image) and print of one licence, fetched with the key (never a key in a URL).
 * A revoked or suspended licence has no PDF or QR to give out (docs/adr/0004): only its JSON record, and why.
 */
function licenceActions(id, { preview, licenceStatus = 'valid' }) {
  const frameBox = h('div', { class: 'pdf-box' });
  const status = h('p', { class: 'hint', role: 'status' });
  const withheld = licenceStatus === 'revoked' ? 'error.LICENSE_REVOKED' : licenceStatus === 'suspended' ? 'error.LICENSE_SUSPENDED' : null;
  const showPreview = async () => {
    try {
      const url = await pdfUrl(id);
      if (!frameBox.querySelector('iframe')) frameBox.append(h('iframe', { class: 'pdf-frame', src: url, title: t('console.pdf.title', { id }), dataset: { identifier: id } }));
    } catch (e) {
      status.textContent = errorText(e);
    }
  };
  const get = async (suffix, name, as = 'blob') => {
    try {
      const r = await session.call(`/v1/licenses/${encodeURIComponent(id)}${suffix}`, { as });
      download(as === 'text' ? new Blob([r.data], { type: 'application/json' }) : r.data, name);
    } catch (e) {
      status.textContent = errorText(e);
    }
  };
  const print = async () => {
    await showPreview();
    const frame = frameBox.querySelector('iframe');
    try {
      frame.contentWindow.focus();
      frame.contentWindow.print();
    } catch {
      // Some browsers do not print a PDF inside a frame: open it on its own (a blob: URL, the key stays in this tab).
      window.open(await pdfUrl(id), '_blank', 'noopener');
    }
  };
  const box = h(
    'div',
    { class: 'licence-actions', dataset: { identifier: id } },
    h(
      'div',
      { class: 'actions no-print' },
      withheld ? [] : h('button', { type: 'button', class: 'act-preview', text: t('console.act.preview'), on: { click: () => void showPreview() } }),
      withheld ? [] : h('button', { type: 'button', class: 'act-pdf', text: t('console.act.pdf'), on: { click: () => void get('.pdf', `${id}.pdf`) } }),
      h('button', { type: 'button', class: 'act-json', text: t('console.act.json'), on: { click: () => void get('', `${id}.elic.json`, 'text') } }),
      withheld ? [] : h('button', { type: 'button', class: 'act-qr', text: t('console.act.qr'), on: { click: () => void get('.qr.png', `${id}.qr.png`) } }),
      withheld ? [] : h('button', { type: 'button', class: 'act-print', text: t('console.act.print'), on: { click: () => void print() } }),
    ),
    status,
    frameBox,
  );
  if (withheld) status.textContent = t(withheld);
  if (preview && !withheld) void showPreview();
  return box;
}

// ---------------------------------------------------------------- the department's licences

function listQuery() {
  const q = new URLSearchParams();
  const v = (id) => $(id).value.trim();
  if (v('search-type')) q.set('typeCode', v('search-type'));
  if (v('search-status')) q.set('status', v('search-status'));
  if (v('search-holder')) q.set('holderCode', v('search-holder'));
  // Dates are China calendar days; "to" includes its whole day.
  if (v('search-from')) q.set('from', `${v('search-from')}T00:00:00+08:00`);
  if (v('search-to')) q.set('to', new Date(new Date(`${v('search-to')}T00:00:00+08:00`).getTime() + 86_400_000).toISOString());
  q.set('limit', String(PAGE_SIZE));
  return q;
}

async function loadList(reset) {
  const error = $('list-error');
  error.hidden = true;
  const q = listQuery();
  if (!reset && listCursor) q.set('cursor', listCursor);
  try {
    const r = await session.call(`/v1/licenses?${q}`);
    listItems = reset ? r.data.items : [...listItems, ...r.data.items];
    listCursor = r.data.next ?? null;
    renderList();
  } catch (e) {
    error.hidden = false;
    error.textContent = errorText(e);
  }
}

function renderList() {
  const body = clear($('licence-table').querySelector('tbody'));
  for (const item of listItems) {
    const l = item.license ?? {};
    body.append(
      h(
        'tr',
        { dataset: { identifier: item.identifier } },
        h('td', { text: typeName(item.typeCode) }),
        h('td', { text: holderSummary(l) }),
        h('td', { text: l.certificateNumber ?? '' }),
        h('td', { text: formatDateTime(item.issuedAt) }),
        h('td', {}, statusBadge(item.status)),
        h(
          'td',
          {},
          h('button', {
            type: 'button',
            class: 'small act-open',
            text: t('console.list.open'),
            'aria-label': t('console.list.openLabel', { holder: l.certificateHolderName ?? '', number: l.certificateNumber ?? '' }),
            on: { click: () => void openDetail(item) },
          }),
        ),
      ),
    );
  }
  labelCells($('licence-table'));
  $('list-empty').hidden = listItems.length > 0;
  $('list-more').hidden = !listCursor;
}

/** The first holder, and how many others a co-owned licence names. */
function holderSummary(l) {
  const others = Array.isArray(l.certificateOtherHolders) ? l.certificateOtherHolders.length : 0;
  const name = l.certificateHolderName ?? '';
  return others > 0 ? t('console.list.andOthers', { name, n: others + 1, others }) : name;
}

async function openDetail(item) {
  detailItem = item;
  await renderDetail(item);
  const box = $('licence-detail');
  box.scrollIntoView({ block: 'start' });
  box.focus();
}

async function renderDetail(item) {
  const box = clear($('licence-detail'));
  box.hidden = false;
  const l = item.license ?? {};
  const [standard, divisions, events] = await Promise.all([
    getStandard(item.typeCode, l.standardVersion).catch(() => null),
    getDivisions().catch(() => null),
    session.call(`/v1/licenses/${encodeURIComponent(item.identifier)}/events`)
      .then((r) => r.data.events)
      .catch(() => []),
  ]);
  // A licence with photos: the images travel in its full form (the list carries the signed record only).
  if (Object.keys(standard?.photos ?? {}).some((k) => l.extendInfo?.[k] !== undefined) && !photoCache.has(item.identifier)) {
    const attachments = await session.call(`/v1/licenses/${encodeURIComponent(item.identifier)}`, { as: 'json' }).then((r) => r.data.attachments).catch(() => undefined);
    if (attachments) photoCache.set(item.identifier, attachments);
  }
  const photos = photoCache.get(item.identifier);
  if (detailItem !== item) return;
  const lifecycle = [];
  if (item.status === 'valid') lifecycle.push('suspend', 'revoke');
  if (item.status === 'suspended') lifecycle.push('reinstate', 'revoke');
  // dom.append: children that are null or lists (Element.append would print "null").
  append(box, [
    h('h3', { id: 'detail-heading' }, `${typeName(item.typeCode)} · ${holderSummary(l)} `, statusBadge(item.status)),
    fieldList(licenceFields(l, standard, divisions, { photos })),
    h('h4', { text: t('console.detail.history') }),
    h(
      'ol',
      { class: 'history' },
      // The first event (from: null) is the issuance; its stored reason is a fixed word, said here in the page's language.
      events.map((e) =>
        h(
          'li',
          { dataset: { to: e.to ?? '' } },
          [formatDateTime(e.at), e.from ? `${t(`status.${e.from}`)} → ${t(`status.${e.to}`)}` : `${t('console.history.issued')} · ${t(`status.${e.to}`)}`, e.from && e.reason ? e.reason : null].filter(Boolean).join(' · '),
        ),
      ),
    ),
    lifecycle.length > 0
      ? h(
          'div',
          { class: 'actions no-print', id: 'lifecycle-actions' },
          lifecycle.map((action) =>
            h('button', { type: 'button', class: [action === 'reinstate' ? '' : 'danger', `act-${action}`], text: t(`console.act.${action}`), on: { click: () => askReason(action, item) } }),
          ),
        )
      : null,
    licenceActions(item.identifier, { preview: false, licenceStatus: item.status }),
  ]);
}

function askReason(action, item) {
  const dialog = $('reason-dialog');
  $('reason-title').textContent = t(`console.reason.title.${action}`);
  $('reason-subject').textContent = `${typeName(item.typeCode)} · ${item.license?.certificateHolderName ?? ''} · ${item.identifier}`;
  $('reason-confirm').textContent = t(`console.act.${action}`);
  $('reason-confirm').className = action === 'reinstate' ? 'primary' : 'danger';
  $('reason-input').value = '';
  $('reason-error').hidden = true;
  $('reason-input').removeAttribute('aria-invalid');
  const form = $('reason-form');
  const onSubmit = async (e) => {
    e.preventDefault();
    const reason = $('reason-input').value.trim();
    if (!reason) {
      $('reason-error').hidden = false;
      $('reason-error').textContent = t('console.reason.required');
      $('reason-input').setAttribute('aria-invalid', 'true');
      $('reason-input').focus();
      return;
    }
    try {
      const r = await session.call(`/v1/licenses/${encodeURIComponent(item.identifier)}/${action}`, { method: 'POST', json: { reason }, as: 'json' });
      dialog.close('done');
      item.status = r.data.status;
      pdfUrls.delete(item.identifier);
      announce(t(`console.reason.done.${action}`));
      renderList();
      await renderDetail(item);
      $('licence-detail').focus();
    } catch (err) {
      $('reason-error').hidden = false;
      $('reason-error').textContent = errorText(err);
    }
  };
  form.onsubmit = onSubmit;
  dialog.showModal();
  $('reason-input').focus();
}

void main().then(() => applyStatic());
