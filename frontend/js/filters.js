// The filters form: builds the category and target checkboxes from the API's lists and
// reads/writes the form from/to the state.

import { h, svgIcon, $ } from './dom.js';
import { iconPath } from './icons.js';
import { DESK_LANGUAGES, languageName, t } from './i18n.js';
import { label } from './list.js';
import { activeFilterCount } from './state.js';

function checkbox(name, item, lang, withIcon) {
  const input = h('input', { type: 'checkbox', name, value: item.slug, id: `${name}-${item.slug}` });
  const text = h('span', { class: 'check-label' }, label(item, lang));
  let icon = null;
  if (withIcon) {
    icon = h('span', { class: 'chip-dot', 'aria-hidden': 'true' });
    icon.style.backgroundColor = item.color || item.colour;
    icon.append(svgIcon(iconPath(item.icon), 'icon icon-marker'));
  }
  return h('label', { class: 'check', for: `${name}-${item.slug}` }, input, icon, text);
}

/** (Re)builds the checkbox lists in the page's language, keeping the checked state. */
export function buildFilters(categories, targets, state, lang) {
  const catBox = $('category-list');
  const tgtBox = $('target-list');
  catBox.replaceChildren(...categories.map((c) => checkbox('category', c, lang, true)));
  tgtBox.replaceChildren(...targets.map((g) => checkbox('target', g, lang, false)));
  buildLanguages(state, lang);
  writeFilters(state);
}

/** The "language spoken at the desk" choices, named in the page's language. */
function buildLanguages(state, lang) {
  const codes = [...DESK_LANGUAGES];
  // A language from a shared link that the list does not offer still shows as chosen.
  for (const c of state.langSpoken) if (!codes.includes(c)) codes.push(c);
  const names = codes.map((c) => [c, languageName(c, lang)]);
  names.sort((a, b) => a[1].localeCompare(b[1], lang));
  $('lang-spoken').replaceChildren(
    h('option', { value: '', 'data-i18n': 'filters.anyLanguage' }, t('filters.anyLanguage')),
    ...names.map(([c, name]) => h('option', { value: c }, name)));
}

let writtenQ = null;

/** Puts the state's filters into the form (after popstate, clear, first load). */
export function writeFilters(state) {
  const form = $('filters');
  // The search box is written only when the state's words change (history, clear, a shared
  // link), never on other renders: that would wipe what the user is typing.
  if (state.q !== writtenQ) {
    writtenQ = state.q;
    if ($('q').value.trim() !== state.q) $('q').value = state.q;
  }
  $('open-now').checked = state.openNow;
  $('wheelchair').checked = state.wheelchair;
  for (const el of form.querySelectorAll('input[name=category]')) el.checked = state.categories.includes(el.value);
  for (const el of form.querySelectorAll('input[name=target]')) el.checked = state.targets.includes(el.value);
  $('lang-spoken').value = state.langSpoken[0] || '';
  const n = activeFilterCount(state);
  $('filters-active').textContent = n ? `(${n === 1 ? t('filters.activeOne') : t('filters.active', { n })})` : '';
  $('clear-filters').hidden = n === 0;
}

/** The filters as the form shows them now. */
export function readFilters() {
  const form = $('filters');
  const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((el) => el.value);
  return {
    q: $('q').value.trim().slice(0, 200),
    categories: checked('category'),
    targets: checked('target'),
    openNow: $('open-now').checked,
    wheelchair: $('wheelchair').checked,
    langSpoken: $('lang-spoken').value ? [$('lang-spoken').value] : [],
  };
}
