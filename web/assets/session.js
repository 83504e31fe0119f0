// Sign-in with an API key for the console and the dashboard. The key is checked with one cheap
// authenticated call (GET /v1/whoami), then kept in this tab's sessionStorage only.
import { api, ApiError, apiKeys } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

/**
 * Wires the sign-in form and the sign-out button of a page.
 * options: scope (storage name), roles (accepted roles), onSignedIn(principal) (async), and the element ids
 * signin-section, signin-form, api-key, signin-error, workspace, session-box, session-label, sign-out.
 * Returns { call(path, options) }: api() with the signed-in key.
 */
export function setupSession({ scope, roles, onSignedIn }) {
  const $ = (id) => document.getElementById(id);
  let key = null;

  function showSignIn(messageKey) {
    key = null;
    $('workspace').hidden = true;
    $('session-box').hidden = true;
    $('signin-section').hidden = false;
    const err = $('signin-error');
    err.hidden = !messageKey;
    err.textContent = messageKey ? t(messageKey) : '';
    $('api-key').value = '';
    $('api-key').focus();
  }

  async function check(candidate) {
    const r = await api('/v1/whoami', { key: candidate });
    if (!roles.includes(r.data.role)) {
      const e = new Error('wrong role');
      e.code = 'WRONG_ROLE';
      throw e;
    }
    return r.data;
  }

  async function enter(candidate, fromStorage) {
    let principal;
    try {
      principal = await check(candidate);
    } catch (e) {
      apiKeys.clear(scope);
      if (e?.code === 'WRONG_ROLE') return showSignIn(`session.wrongRole.${scope}`);
      if (e instanceof ApiError && e.status === 401) return showSignIn(fromStorage ? 'session.expired' : 'session.badKey');
      return showSignIn('session.unreachable');
    }
    key = candidate;
    apiKeys.set(scope, candidate);
    $('signin-section').hidden = true;
    $('workspace').hidden = false;
    $('session-box').hidden = false;
    // The role in the page's language; the key's own label (free text chosen when it was made, e.g. "DEMO issuer: …") as a tooltip.
    const label = $('session-label');
    label.dataset.i18n = `role.${principal.role}`;
    label.textContent = t(`role.${principal.role}`);
    // A demo region says so beside the role (whoami's demo flag comes from the region's record).
    document.querySelector('#session-box .session-demo')?.remove();
    if (principal.demo === true) label.after(h('span', { class: 'badge badge-warn session-demo', dataset: { i18n: 'session.demo' }, text: t('session.demo') }));
    label.title = principal.label || principal.keyId;
    await onSignedIn(principal);
  }

  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const candidate = $('api-key').value.trim();
    if (!candidate) {
      const err = $('signin-error');
      err.hidden = false;
      err.textContent = t('session.enterKey');
      $('api-key').focus();
      return;
    }
    void enter(candidate, false);
  });
  $('sign-out').addEventListener('click', () => {
    apiKeys.clear(scope);
    showSignIn('session.signedOut');
  });

  const stored = apiKeys.get(scope);
  if (stored) void enter(stored, true);
  else showSignIn(null);

  return {
    /** Calls the API with the signed-in key; a 401 (key revoked meanwhile) sends the person back to the sign-in form. */
    async call(path, options = {}) {
      try {
        return await api(path, { ...options, key });
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          apiKeys.clear(scope);
          showSignIn('session.expired');
        }
        throw e;
      }
    },
  };
}

/** What to show for a failed call: the message for a known problem code, else the server's detail. */
export function errorText(e) {
  if (!(e instanceof ApiError)) return t('error.unexpected');
  const known = `error.${e.code}`;
  const text = t(known);
  return text === known ? `${t('error.server')} ${e.problem?.detail ?? e.code}` : text;
}
