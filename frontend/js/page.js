// Bootstrap shared by the pages besides the map (segnala, stato, modifica, moderazione, admin,
// privacy): the settings block, the language (same `mappatu.lang` key and `?lang=` parameter
// as the map), the language switch and the static texts.

import { applyPage, lang, setLang, t, useStrings } from './i18n.js';
import mapStrings from './strings/map.js';
import pageStrings from './strings/pages.js';
import { $ } from './dom.js';
import { readConfig } from './config.js';

const LANG_KEY = 'mappatu.lang';

function storedLang() {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

function rememberLang(l) {
  try {
    localStorage.setItem(LANG_KEY, l);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

const listeners = [];

/** Calls `fn()` after every language change (after the static texts are swapped). */
export function onLangChange(fn) {
  listeners.push(fn);
}

function applyLang() {
  document.documentElement.lang = lang();
  applyPage(document);
  const sw = $('lang-switch');
  if (sw) {
    sw.textContent = t('lang.other');
    sw.lang = t('lang.otherCode');
    sw.setAttribute('aria-label', t('lang.switchLabel'));
  }
  const v = $('app-version');
  const cfg = readConfig();
  if (v) v.textContent = cfg.version ? t('version', { v: cfg.version }) : '';
}

/**
 * Registers the page's strings (the shared ones plus `extra`, modules of ./strings/), sets the
 * language from the URL or the stored choice, wires the switch; returns config.
 */
export function initPage(...extra) {
  useStrings(mapStrings, pageStrings, ...extra);
  const fromUrl = new URLSearchParams(location.search).get('lang');
  const chosen = fromUrl === 'it' || fromUrl === 'en' ? fromUrl : storedLang();
  setLang(chosen || 'it');
  if (fromUrl === 'it' || fromUrl === 'en') rememberLang(fromUrl);
  applyLang();
  const sw = $('lang-switch');
  if (sw) {
    sw.addEventListener('click', () => {
      setLang(lang() === 'it' ? 'en' : 'it');
      rememberLang(lang());
      // Keep the URL honest without adding history: drop a stale ?lang=.
      const u = new URL(location.href);
      if (u.searchParams.has('lang')) {
        u.searchParams.set('lang', lang());
        history.replaceState(history.state, '', u);
      }
      applyLang();
      for (const fn of listeners) fn();
    });
  }
  return readConfig();
}

/** Sets `document.documentElement.dataset.state` (tests wait for "ready"). */
export function setPageState(s) {
  document.documentElement.dataset.state = s;
}
