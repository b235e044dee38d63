// The one i18n module of the web app: the page's language, the translation of keys, the
// swapping of static texts on a language change, and dates in the page's language.
//
// The strings live in plain data modules under ./strings/ (`export default {it: {…}, en: {…}}`),
// one per page or section. A page's entry module says which ones it needs with
// `useStrings(...)` before it shows anything; nothing registers strings as a side effect of
// being imported, so what a page can say is written in the page's own module.
// tests/e2e/i18n.test.mjs checks that Italian and English have the same keys and that every
// key the HTML and the JS use exists in the strings that page registers.

/** The languages the interface speaks; the first is the default. */
export const LANGS = ['it', 'en'];

const dictionaries = { it: {}, en: {} };
let current = 'it';

/** Adds string sets (modules of ./strings/) to the dictionaries; later sets win on a clash. */
export function useStrings(...sets) {
  for (const set of sets) {
    for (const l of LANGS) Object.assign(dictionaries[l], set[l] || {});
  }
}

export function setLang(l) {
  current = LANGS.includes(l) ? l : 'it';
}

export function lang() {
  return current;
}

/** The BCP 47 locale of the page's language (for Intl formatters). */
export function locale(l = current) {
  return l === 'en' ? 'en-GB' : 'it-IT';
}

/** Translates `key`, replacing `{name}` with `vars.name`. Unknown keys show as the key. */
export function t(key, vars) {
  let s = dictionaries[current][key] ?? dictionaries.it[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** Whether `key` has a string (used to fall back when a server code is not known yet). */
export function has(key) {
  return key in dictionaries[current] || key in dictionaries.it;
}

/**
 * A date (ISO 8601 string) in the page's language and Siena's time zone: "3 marzo 2026" /
 * "3 March 2026", or with `time` "3 marzo 2026, 10:15". Anything unreadable is shown as given.
 */
export function formatDate(iso, { time = false, lang: l = current } = {}) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso ?? '';
  const opts = { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Rome' };
  if (time) Object.assign(opts, { hour: '2-digit', minute: '2-digit' });
  return new Intl.DateTimeFormat(locale(l), opts).format(d);
}

/**
 * Swaps the texts under `root`: `[data-i18n]` text (with `data-i18n-vars` JSON), `[data-date]`
 * dates, `[data-i18n-attr="attr:key;…"]` attributes, `[data-text-it][data-text-en]` text from
 * data (e.g. category labels), and `[data-lang-block]` blocks shown only in their language
 * (long texts such as the privacy notice).
 */
export function applyPage(root = document) {
  const l = current;
  const all = (sel) => {
    const list = [...root.querySelectorAll(sel)];
    if (root.matches && root.matches(sel)) list.unshift(root);
    return list;
  };
  for (const el of all('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n, el.dataset.i18nVars ? JSON.parse(el.dataset.i18nVars) : undefined);
  }
  for (const el of all('[data-date]')) el.textContent = formatDate(el.dataset.date, { time: true });
  for (const el of all('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr, t(key));
    }
  }
  for (const el of all('[data-text-it]')) el.textContent = l === 'en' ? el.dataset.textEn : el.dataset.textIt;
  for (const el of all('[data-lang-block]')) el.hidden = el.dataset.langBlock !== l;
}

/**
 * An element whose text is `t(key, vars)` and follows language changes (`applyPage`).
 * Values in `vars` are data and end up as text, never markup.
 */
export function tEl(tag, key, vars, attrs = {}) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v));
  el.dataset.i18n = key;
  if (vars) el.dataset.i18nVars = JSON.stringify(vars);
  el.textContent = t(key, vars);
  return el;
}

/** A `<time>` showing an ISO date and time in the page's language (follows language changes). */
export function dateEl(iso) {
  const el = document.createElement('time');
  el.dateTime = iso || '';
  el.dataset.date = iso || '';
  el.textContent = formatDate(iso, { time: true });
  return el;
}

/** The languages offered for "languages spoken at the desk" (common in Siena), ISO 639-1. */
export const DESK_LANGUAGES = ['it', 'en', 'fr', 'es', 'de', 'ar', 'zh', 'ro', 'sq', 'uk', 'ru', 'pt', 'bn', 'ur', 'hi', 'tl', 'wo', 'pa'];

const languageNames = {};

/** The name of a language (ISO 639-1 code) in the page's language: "inglese" / "English". */
export function languageName(code, l = current) {
  try {
    languageNames[l] ??= new Intl.DisplayNames([locale(l)], { type: 'language' });
    const name = languageNames[l].of(code);
    return name && name !== code ? name : code;
  } catch {
    return code;
  }
}
