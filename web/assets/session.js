// Sign-in with an API key for the console and the dashboard. The key is checked with one cheap
// authenticated call (GET /v1/whoami), then kept in this tab's sessionStorage only.
import { api, ApiError, apiKeys } from './api.js';
import { t } from './i18n.js';

/**
 * Wires the sign-in form and the sign-out button of a page.
 * options: scope (storage name), roles (accepted roles), onSignedIn(principal, key) (async), and the element ids
 * signin-section, signin-form, api-key, signin-error, workspace, session-box, session-label, sign-out.
 * Returns { key(), signOut(messageKey?) }.
 */
export function setupSession({ scope, roles, onSignedIn }) {
  const $ = (id) => document.getElementById(id);
  let key = null;
  let principal = null;

  function showSignIn(messageKey) {
    key = null;
    principal = null;
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
    $('session-label').textContent = principal.label || principal.keyId;
    await onSignedIn(principal, candidate);
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
    key: () => key,
    principal: () => principal,
    /** After a 401 on a later call (key revoked meanwhile): back to the sign-in form. */
    expired() {
      apiKeys.clear(scope);
      showSignIn('session.expired');
    },
  };
}
