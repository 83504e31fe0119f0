// The verifier page: a licence comes in by USB scanner (typed text + Enter), camera, upload or paste,
// goes to POST /v1/verifications, and the answer is shown at a glance, then in detail.
import { api, ApiError, divisionName, getCatalogue, getDivisions, getStandard } from './api.js';
import { startCamera } from './camera.js';
import { append, clear, h, icon } from './dom.js';
import { ago, formatDateTime } from './format.js';
import { currentLang, initI18n, onLanguageChange, pick, t } from './i18n.js';
import { fieldList, licenceFields } from './licence-view.js';

const MAX_UPLOAD = 12 * 1024 * 1024;
/** Warnings that are notes rather than reasons for caution (shown, but they do not turn the verdict amber). */
const NOTE_WARNINGS = new Set(['RECOGNITION_NOT_CHECKED']);

const $ = (id) => document.getElementById(id);
let reasonTexts = { checks: {}, reasons: {}, warnings: {} };
/** What is on screen: { kind: 'result', result } | { kind: 'problem', status, problem } | { kind: 'busy' } */
let shown = null;
let camera = null;
let seq = 0;

async function main() {
  await initI18n();
  reasonTexts = await api('/web/reasons.json').then((r) => r.data);
  onLanguageChange(() => {
    void render();
    updateCameraButton();
  });
  const scan = $('scan-input');
  scan.focus();
  $('scan-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = scan.value.trim();
    // Clear at once: a USB scanner's next code then starts in an empty field.
    scan.value = '';
    if (text) void verifyText(text, 'scanner');
    scan.focus();
  });
  $('paste-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('paste-input').value.trim();
    if (text) void verifyText(text, 'paste');
    else showLocalProblem('verify.error.empty');
  });
  $('upload-input').addEventListener('change', () => {
    const file = $('upload-input').files?.[0];
    if (file) void verifyFile(file);
  });
  const zone = $('upload-form');
  zone.addEventListener('submit', (e) => e.preventDefault());
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    const file = e.dataTransfer?.files?.[0];
    if (file) void verifyFile(file);
  });
  $('camera-toggle').addEventListener('click', () => void toggleCamera());
  document.querySelector('.skip-link')?.addEventListener('click', (e) => {
    e.preventDefault();
    scan.focus();
  });
  document.documentElement.dataset.ready = 'true';
}

function verifyText(text, source) {
  // A full form (or {"qr": ...}) is JSON; anything else goes as text (the QR text LC1:...).
  const json = text.startsWith('{');
  return submit(text, json ? 'application/json' : 'text/plain', source);
}

function verifyFile(file) {
  if (file.size > MAX_UPLOAD) return showLocalProblem('verify.error.tooLarge');
  const name = file.name.toLowerCase();
  const type = ['image/png', 'image/jpeg', 'application/pdf'].includes(file.type)
    ? file.type
    : name.endsWith('.pdf')
      ? 'application/pdf'
      : name.endsWith('.png')
        ? 'image/png'
        : /\.jpe?g$/.test(name)
          ? 'image/jpeg'
          : 'application/octet-stream';
  return submit(file, type, 'upload');
}

async function submit(body, type, source) {
  const mine = ++seq;
  shown = { kind: 'busy' };
  await render();
  let next;
  try {
    const r = await api('/v1/verifications', { method: 'POST', body, type, as: 'json' });
    next = { kind: 'result', result: r.data, source };
  } catch (e) {
    next = e instanceof ApiError ? { kind: 'problem', status: e.status, problem: e.problem, code: e.code } : { kind: 'problem', status: 0, code: 'NETWORK' };
  }
  // A later submission wins over an earlier one still on its way.
  if (mine !== seq) return;
  shown = next;
  await render();
  revealVerdict();
}

/**
 * On a narrow screen the verdict sits below the inputs: bring it into view once it is there (the live region
 * announces it). Focus stays where it is, so a USB scanner's next code still lands in the scan field.
 */
function revealVerdict() {
  const verdict = $('verdict');
  const r = verdict.getBoundingClientRect();
  if (r.top >= 0 && r.bottom <= window.innerHeight) return;
  const smooth = !window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
  verdict.scrollIntoView({ block: 'start', behavior: smooth ? 'smooth' : 'auto' });
}

function showLocalProblem(messageKey) {
  shown = { kind: 'problem', status: 0, code: 'LOCAL', messageKey };
  void render().then(revealVerdict);
}

// ---------------------------------------------------------------- rendering

function verdictKind(result) {
  if (result.result !== 'accepted') return 'rejected';
  return result.warnings.some((w) => !NOTE_WARNINGS.has(w)) ? 'warning' : 'accepted';
}

async function render() {
  const verdict = $('verdict');
  const details = $('result-details');
  if (!shown) return;
  if (shown.kind === 'busy') {
    verdict.className = 'verdict verdict-busy';
    clear(verdict).append(h('p', { class: 'verdict-title', text: t('verify.busy') }));
    verdict.setAttribute('aria-busy', 'true');
    return;
  }
  verdict.removeAttribute('aria-busy');
  if (shown.kind === 'problem') {
    renderProblem(verdict, details, shown);
    return;
  }
  const result = shown.result;
  const license = result.license ?? {};
  const [standard, divisions, catalogue] = await Promise.all([
    license.certificateTypeCode ? getStandard(license.certificateTypeCode, license.standardVersion).catch(() => null) : null,
    getDivisions().catch(() => null),
    getCatalogue().catch(() => null),
  ]);
  const kind = verdictKind(result);
  const typeName = standard ? pick({ zh: standard.nameZh, en: standard.nameEn }) : (license.certificateName ?? license.certificateTypeCode ?? '');
  const summary = [typeName, license.certificateHolderName].filter(Boolean).join(' · ');
  const firstReason = result.reasons[0];
  verdict.className = `verdict verdict-${kind}${result.demo === true ? ' verdict-is-demo' : ''}`;
  verdict.dataset.result = result.result;
  clear(verdict).append(
    icon(kind === 'accepted' ? 'ok' : kind === 'warning' ? 'warn' : 'fail'),
    h(
      'div',
      { class: 'verdict-text' },
      h('p', { class: 'verdict-title', text: t(`verify.verdict.${kind}`) }),
      summary ? h('p', { class: 'verdict-sub', text: summary }) : null,
      firstReason ? h('p', { class: 'verdict-reason', text: pick(reasonTexts.reasons[firstReason], firstReason) }) : null,
      // A licence of a DEMO region (answer.demo, from the signer's validated chain) has no legal effect, whatever the verdict.
      result.demo === true ? h('p', { class: 'verdict-demo', dataset: { demo: 'true' } }, h('strong', { text: t('verify.demo') }), h('span', { text: t('verify.demo.hint') })) : null,
      // An annotated copy (加注件): for one user department and one purpose only, said with the verdict.
      result.annotatedCopy ? h('p', { class: 'verdict-annotation', dataset: { annotation: 'true' } }, h('strong', { text: t('verify.annotation.badge') }), h('span', { text: result.annotatedCopy.mark })) : null,
    ),
  );

  clear(details);
  const failed = result.checks.filter((c) => c.status === 'failed');
  if (failed.length > 0) {
    details.append(
      section(
        'problems',
        t('verify.section.problems'),
        h(
          'ul',
          { class: 'problem-list' },
          failed.map((c) =>
            h(
              'li',
              { class: 'problem', dataset: { check: c.check } },
              icon('fail'),
              h(
                'div',
                {},
                h('p', { class: 'problem-check', text: pick(reasonTexts.checks[c.check], c.check) }),
                c.reasons.map((code) => h('p', { class: 'problem-text', dataset: { code } }, pick(reasonTexts.reasons[code], code), ' ', h('code', { class: 'code', text: code }))),
              ),
            ),
          ),
        ),
      ),
    );
  }
  if (result.warnings.length > 0) {
    details.append(
      section(
        'warnings',
        t('verify.section.warnings'),
        h(
          'ul',
          { class: 'problem-list' },
          result.warnings.map((w) =>
            h('li', { class: NOTE_WARNINGS.has(w) ? 'note' : 'warning', dataset: { code: w } }, icon(NOTE_WARNINGS.has(w) ? 'info' : 'warn'), h('p', {}, pick(reasonTexts.warnings[w], w), ' ', h('code', { class: 'code', text: w }))),
          ),
        ),
      ),
    );
  }
  if (result.annotatedCopy) details.append(annotationSection(result.annotatedCopy));
  // A holder's presentation QR (亮证): the licence came from the holder's region, once; say so and when.
  if (result.presentation) {
    details.append(
      section(
        'presentation',
        t('verify.section.presentation'),
        h('p', { class: 'hint', text: t('verify.presentation.hint') }),
        h('p', { dataset: { field: 'presentedAt' }, text: t('verify.presentation.at', { time: formatDateTime(result.presentation.presentedAt), region: regionText(divisions, result.presentation.region) }) }),
      ),
    );
  }
  if (result.license) {
    details.append(
      section(
        'licence',
        typeName || t('verify.section.licence'),
        result.form === 'qr-text' || result.form === 'qr-image' ? h('p', { class: 'hint', text: t('verify.qrSubset') }) : null,
        fieldList(licenceFields(license, standard, divisions, { photos: result.photos })),
      ),
    );
  }
  // A form that could not be read (a damaged QR) has no issuer and nothing to recognise: only the checks.
  if (result.license || result.signer) {
    details.append(issuerSection(result, license, divisions));
    details.append(recognitionSection(result, catalogue));
    details.append(freshnessSection(result, divisions));
  }
  details.append(checksSection(result));
  append(details, [technicalDetails(result)]);
}

/** An annotated copy's terms (answer.annotatedCopy): purpose, user department, maker, times, copy id and the licence it was made of. */
function annotationSection(a) {
  const rows = [
    { label: t('verify.annotation.purpose'), value: a.purpose, key: 'purpose' },
    { label: t('verify.annotation.userDepartment'), value: `${a.userDepartment.name} · ${a.userDepartment.code}`, key: 'userDepartment' },
    { label: t('verify.annotation.maker'), value: `${a.maker.name} · ${a.maker.code}`, key: 'maker' },
    { label: t('verify.annotation.madeAt'), value: formatDateTime(a.madeAt), key: 'madeAt' },
    { label: t('verify.annotation.notAfter'), value: formatDateTime(a.notAfter), key: 'notAfter' },
    { label: t('verify.annotation.copyId'), value: a.copyId, key: 'copyId' },
    { label: t('verify.annotation.original'), value: a.originalIdentifier, key: 'original' },
  ];
  return section(
    'annotatedCopy',
    t('verify.section.annotatedCopy'),
    h('p', { class: 'annotation-mark', text: a.mark }),
    a.form === 'qr' ? h('p', { class: 'hint', text: t('verify.annotation.qrOnly') }) : null,
    fieldList(rows),
  );
}

/** A division as "福建省 (350000)" (its full name and code), or the bare code when the list does not have it. */
function regionText(divisions, code) {
  if (!code) return null;
  const name = divisionName(divisions, code);
  return name ? t('region.named', { name, code }) : code;
}

/**
 * What the node wrote in words (check details, status and trust sources, a problem's detail) is for technicians
 * and in English: kept out of the page's text, in a closed disclosure marked as English. Everything above is
 * said from the answer's codes, in the page's language.
 */
function technicalDetails(result, problem) {
  const lines = [];
  if (problem?.detail) lines.push([t('verify.technical.problem'), problem.detail]);
  for (const c of result?.checks ?? []) if (c.detail) lines.push([t('verify.technical.check', { check: pick(reasonTexts.checks[c.check], c.check) }), c.detail]);
  if (result?.status?.source) lines.push([t('verify.fresh.statusSource'), result.status.source]);
  if (result?.trust?.source) lines.push([t('verify.fresh.trustSource'), result.trust.source]);
  for (const d of Array.isArray(result?.trust?.details) ? result.trust.details : []) if (d.source) lines.push([`${t('verify.fresh.source')} · ${d.data ?? ''} ${d.region ?? ''}`, d.source]);
  if (lines.length === 0) return null;
  return h(
    'details',
    { class: 'card technical', dataset: { section: 'technical' } },
    h('summary', { text: t('verify.technical') }),
    h('dl', { class: 'fields' }, lines.map(([k, v]) => h('div', { class: 'field' }, h('dt', { text: k }), h('dd', { lang: 'en', text: v })))),
  );
}

function section(id, title, ...children) {
  return h('section', { class: 'card result-section', 'aria-labelledby': `sec-${id}`, dataset: { section: id } }, h('h3', { id: `sec-${id}`, text: title }), ...children);
}

function issuerSection(result, license, divisions) {
  const uscc = license.certificateIssuingAuthorityCode ?? result.signer?.uscc;
  // The USCC's characters 3–8 are the division where the department is registered.
  const division = license.certificateAreaCode ?? result.signer?.divisionCode ?? (uscc ? uscc.slice(2, 8) : null);
  const regionDetails = (result.trust?.details ?? []).map((d) => d.region).filter(Boolean);
  const rows = [
    { label: t('verify.issuer.department'), value: [license.certificateIssuingAuthorityName ?? result.issuer?.name, uscc].filter(Boolean).join(' · ') || '—', key: 'department' },
    { label: t('verify.issuer.region'), value: regionText(divisions, division) ?? '—', key: 'region' },
  ];
  if (regionDetails.length > 0) rows.push({ label: t('verify.issuer.trustRegion'), value: [...new Set(regionDetails)].map((c) => regionText(divisions, c)).join(currentLang() === 'en' ? ', ' : '、'), key: 'trustRegion' });
  if (result.signer) {
    rows.push({ label: t('verify.issuer.certificate'), value: `${result.signer.algorithm} · ${t('verify.issuer.keyId')} ${result.signer.keyId}`, key: 'certificate' });
    rows.push({ label: t('verify.issuer.certValidity'), value: `${formatDateTime(result.signer.notBefore)} – ${formatDateTime(result.signer.notAfter)}`, key: 'certValidity' });
  }
  // signingTime is the moment the signer's certificate path was judged at: a region timestamp's time when the
  // answer used one, else the verification time (a timestamp the licence carries may exist and not have been needed).
  if (result.signingTime) {
    const stamped = result.signingTime.source === 'timestamp';
    rows.push({
      label: t(stamped ? 'verify.issuer.signedAt' : 'verify.issuer.checkedAt'),
      value: `${formatDateTime(result.signingTime.value)} (${t(`verify.signingTime.${result.signingTime.source}`)})`,
      key: 'signedAt',
    });
  }
  return section('issuer', t('verify.section.issuer'), fieldList(rows));
}

function recognitionSection(result, catalogue) {
  const check = result.checks.find((c) => c.check === 'recognition');
  let text;
  if (result.recognizedLocalType) {
    const local = catalogue?.types?.find((x) => x.typeCode === result.recognizedLocalType);
    text = local ? `${pick({ zh: local.nameZh, en: local.nameEn })} (${result.recognizedLocalType})` : result.recognizedLocalType;
  } else if (check?.status === 'failed') text = t('verify.recognition.refused');
  // "No agreement configured" only when the node says so (RECOGNITION_NOT_CHECKED); otherwise an earlier step stopped it.
  else if (result.warnings.includes('RECOGNITION_NOT_CHECKED')) text = t('verify.recognition.notChecked');
  else if (result.result === 'rejected') text = t('verify.recognition.notReached');
  else text = t('verify.recognition.unknownRegion');
  return section('recognition', t('verify.section.recognition'), fieldList([{ label: t('verify.recognition.localType'), value: text, key: 'recognizedLocalType' }]));
}

function freshnessSection(result, divisions) {
  const rows = [];
  const details = Array.isArray(result.trust?.details) ? result.trust.details : [];
  if (result.status) {
    rows.push({ label: t('verify.fresh.status'), value: `${t(`status.${result.status.value}`)} · ${t('verify.fresh.asOf')} ${formatDateTime(result.status.asOf)} (${ago(result.status.asOf)})`, key: 'status' });
    // Said from the trust details' codes: the node's own region answers from its records, a peer region from its status lists.
    const region = result.issuer?.regionCode ?? details[0]?.region;
    const from = details.some((d) => d.data === 'local' && d.region === region) ? 'local' : details.some((d) => d.data === 'status-list' && d.region === region) ? 'peer' : 'other';
    rows.push({ label: t('verify.fresh.statusSource'), value: t(`verify.fresh.statusFrom.${from}`, { region: regionText(divisions, region) ?? '' }), key: 'statusSource' });
  }
  const regions = [...new Set(details.map((d) => d.region).filter(Boolean))].map((c) => regionText(divisions, c));
  rows.push({ label: t('verify.fresh.trustSource'), value: regions.length > 0 ? t('verify.fresh.trustFrom', { regions: regions.join(currentLang() === 'en' ? ', ' : '、') }) : '—', key: 'trustSource' });
  rows.push({ label: t('verify.fresh.trustAsOf'), value: result.trust?.asOf ? `${formatDateTime(result.trust.asOf)} (${ago(result.trust.asOf)})` : '—', key: 'trustAsOf' });
  return section(
    'freshness',
    t('verify.section.freshness'),
    fieldList(rows),
    details.length > 0
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data-table' },
            h('caption', { text: t('verify.fresh.details') }),
            h('thead', {}, h('tr', {}, [t('verify.fresh.data'), t('verify.fresh.region'), t('verify.fresh.asOf')].map((x) => h('th', { scope: 'col', text: x })))),
            h(
              'tbody',
              {},
              details.map((d) =>
                h(
                  'tr',
                  { dataset: { data: d.data ?? '' } },
                  h('td', { text: d.data ? t(`verify.fresh.data.${d.data}`) : '—' }),
                  h('td', { text: regionText(divisions, d.region) ?? '—' }),
                  h('td', { text: d.asOf ? `${formatDateTime(d.asOf)} (${ago(d.asOf)})` : '—' }),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}

function checksSection(result) {
  const iconOf = { passed: 'ok', failed: 'fail', not_checked: 'none' };
  return section(
    'checks',
    t('verify.section.checks'),
    h(
      'ol',
      { class: 'check-list' },
      result.checks.map((c) =>
        h(
          'li',
          { class: `check check-${c.status}`, dataset: { check: c.check, status: c.status } },
          icon(iconOf[c.status] ?? 'none'),
          h('span', { class: 'check-name', text: pick(reasonTexts.checks[c.check], c.check) }),
          h('span', { class: 'check-status', text: t(`check.${c.status}`) }),
        ),
      ),
    ),
    h('p', { class: 'hint', text: `${t('verify.verifiedAt')} ${formatDateTime(result.verifiedAt)}${result.form ? ` · ${t('verify.form')} ${t(`form.${result.form}`)}` : ''}` }),
  );
}

function renderProblem(verdict, details, p) {
  let key;
  if (p.messageKey) key = p.messageKey;
  else if (/^PRESENTATION_/.test(p.code ?? '')) key = `verify.error.${p.code}`;
  else if (p.status === 413) key = 'verify.error.tooLarge';
  else if (p.status === 429) key = 'verify.error.rateLimited';
  else if (p.status === 400) key = 'verify.error.unreadable';
  else if (p.status === 0) key = 'verify.error.network';
  else key = 'verify.error.server';
  verdict.className = 'verdict verdict-error';
  verdict.dataset.result = 'error';
  clear(verdict).append(icon('warn'), h('div', { class: 'verdict-text' }, h('p', { class: 'verdict-title', text: t('verify.verdict.error') }), h('p', { class: 'verdict-reason', text: t(key) })));
  clear(details);
  append(details, [technicalDetails(null, p.problem)]);
}

// ---------------------------------------------------------------- camera

function updateCameraButton() {
  const b = $('camera-toggle');
  b.textContent = t(camera ? 'verify.camera.stop' : 'verify.camera.start');
  b.setAttribute('aria-expanded', camera ? 'true' : 'false');
}

async function toggleCamera() {
  const status = $('camera-status');
  if (camera) {
    camera.stop();
    camera = null;
    $('camera-box').hidden = true;
    status.textContent = '';
    updateCameraButton();
    return;
  }
  status.textContent = t('verify.camera.starting');
  try {
    $('camera-box').hidden = false;
    camera = await startCamera($('camera-video'), {
      onText: (text) => {
        status.textContent = t('verify.camera.found');
        void verifyText(text, 'camera');
      },
    });
    status.textContent = t('verify.camera.scanning');
  } catch (e) {
    camera = null;
    $('camera-box').hidden = true;
    status.textContent = t(e?.name === 'NotAllowedError' ? 'verify.camera.denied' : e?.name === 'NoCamera' ? 'verify.camera.unsupported' : 'verify.camera.failed');
  }
  updateCameraButton();
}

void main();
