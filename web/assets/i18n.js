// Language of the pages: Chinese (zh-CN) by default, English on request; the choice is remembered in
// localStorage (it is not sensitive). Static text carries data-i18n="key" (and data-i18n-attr="attr:key;...");
// dynamic text asks t(key) and re-renders on onLanguageChange.

const STORE = 'elicense.lang';
let lang = safeGet() === 'en' ? 'en' : 'zh';
let messages = {};
const listeners = [];

function safeGet() {
  try {
    return localStorage.getItem(STORE);
  } catch {
    return null;
  }
}

export function currentLang() {
  return lang;
}

/** Locale for Intl formatting. */
export function locale() {
  return lang === 'en' ? 'en-GB' : 'zh-CN';
}

/** A message by key, with {name} placeholders filled in. Unknown keys show as themselves. */
export function t(key, vars) {
  const m = messages[key];
  let s = m ? (m[lang] ?? m.zh) : key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/** The current language's side of a {zh, en} pair (labels in the standards, texts in reasons.json). */
export function pick(pair, fallback = '') {
  if (!pair) return fallback;
  return pair[lang] ?? pair.zh ?? fallback;
}

export function onLanguageChange(fn) {
  listeners.push(fn);
}

export function setLanguage(next) {
  lang = next === 'en' ? 'en' : 'zh';
  try {
    localStorage.setItem(STORE, lang);
  } catch {
    // private mode: the choice lasts for this page only
  }
  applyStatic();
  for (const fn of listeners) fn(lang);
}

export function applyStatic(root = document) {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
  const toggle = document.getElementById('lang-toggle');
  if (toggle) {
    // The button names the language it switches to, in that language.
    toggle.textContent = lang === 'en' ? '中文' : 'English';
    toggle.lang = lang === 'en' ? 'zh-CN' : 'en';
    toggle.setAttribute('aria-label', lang === 'en' ? '切换到中文' : 'Switch to English');
  }
}

/** Loads the messages, applies the language to the page and wires the language button. */
export async function initI18n() {
  const res = await fetch('/web/messages.json');
  messages = await res.json();
  applyStatic();
  document.getElementById('lang-toggle')?.addEventListener('click', () => setLanguage(lang === 'en' ? 'zh' : 'en'));
}
