// Admins' page, the vocabulary of needs: the words and phrases that search understands
// (built in and added), a filter over them, a form to add one with its categories and
// target groups, and deleting the added ones. Every change is audited server-side, and
// search uses it at once. Phrases come from people: always rendered as text.

import { $, h } from './dom.js';
import { t, tEl } from './i18n.js';
import { api, get, post } from './http.js';
import { failed, notice } from './auth-ui.js';

const SHOWN = 200; // rows at most: the filter narrows the rest

/** Lower case without accents, as the server compares words: `Città` is `citta`. */
function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

let items = [];
let onChange = () => {};
let categories = [];
let targets = [];
const labels = { categories: new Map(), targets: new Map() };

function label(kind, slug) {
  const item = labels[kind].get(slug);
  if (!item) return h('span', {}, slug);
  return h('span', { 'data-text-it': item.label_it, 'data-text-en': item.label_en },
    document.documentElement.lang === 'en' ? item.label_en : item.label_it);
}

function labelList(kind, slugs) {
  if (!slugs || !slugs.length) return '—';
  const out = [];
  slugs.forEach((s, i) => {
    if (i) out.push(', ');
    out.push(label(kind, s));
  });
  return out;
}

function fieldError(id, message) {
  const target = $(id);
  const err = $(`${id}-error`);
  const base = target.dataset.describedBase ?? (target.getAttribute('aria-describedby') || '');
  target.dataset.describedBase = base;
  if (!message) {
    err.hidden = true;
    err.replaceChildren();
    target.removeAttribute('aria-invalid');
    if (base) target.setAttribute('aria-describedby', base);
    else target.removeAttribute('aria-describedby');
    return;
  }
  err.replaceChildren(message);
  err.hidden = false;
  target.setAttribute('aria-invalid', 'true');
  target.setAttribute('aria-describedby', `${base} ${err.id}`.trim());
  const focus = target.matches('fieldset') ? target.querySelector('input') : target;
  if (focus) focus.focus();
}

function clearErrors() {
  for (const id of ['voc-phrase', 'voc-lang', 'voc-categories', 'voc-targets']) fieldError(id, null);
}

function checks(listId, name, list) {
  $(listId).replaceChildren(...list.map((item) => {
    const cb = h('input', { type: 'checkbox', name, value: item.slug, id: `${listId}-${item.slug}` });
    return h('label', { class: 'check', for: cb.id }, cb,
      h('span', { class: 'check-label', 'data-text-it': item.label_it, 'data-text-en': item.label_en },
        document.documentElement.lang === 'en' ? item.label_en : item.label_it));
  }));
}

function checked(listId) {
  return [...$(listId).querySelectorAll('input:checked')].map((cb) => cb.value);
}

function render() {
  const q = fold($('voc-filter').value.trim());
  const origin = $('voc-origin').value;
  const matching = items.filter((it) => (!origin || it.origin === origin)
    && (!q || fold(it.phrase).includes(q)
      || it.categories.some((c) => c.includes(q) || fold(labelText('categories', c)).includes(q))
      || it.target_groups.some((g) => g.includes(q) || fold(labelText('targets', g)).includes(q))));
  // Added phrases first: they are the ones an admin looks after.
  matching.sort((a, b) => (a.origin === b.origin ? 0 : a.origin === 'added' ? -1 : 1));
  const rows = matching.slice(0, SHOWN).map((it) => {
    let action = '—';
    if (it.origin === 'added') {
      action = h('button', { type: 'button', class: 'btn btn-secondary btn-small' },
        tEl('span', 'voc.delete'), h('span', { class: 'visually-hidden' }, ` «${it.phrase}»`));
      action.addEventListener('click', () => remove(it, action));
    }
    return h('tr', { dataset: { id: it.id ?? '' } },
      h('th', { scope: 'row', lang: it.lang }, it.phrase),
      h('td', {}, tEl('span', `voc.lang.${it.lang}`)),
      h('td', {}, labelList('categories', it.categories)),
      h('td', {}, labelList('targets', it.target_groups)),
      h('td', {}, it.origin === 'added'
        ? [tEl('span', 'voc.added'), it.created_by ? ` (${it.created_by})` : null]
        : tEl('span', 'voc.builtin')),
      h('td', {}, action));
  });
  $('voc-body').replaceChildren(...rows);
  $('voc-count').replaceChildren(matching.length > SHOWN
    ? tEl('span', 'voc.countSome', { n: matching.length, shown: SHOWN })
    : matching.length ? tEl('span', 'voc.count', { n: matching.length }) : tEl('span', 'voc.none'));
}

function labelText(kind, slug) {
  const item = labels[kind].get(slug);
  if (!item) return slug;
  return `${item.label_it} ${item.label_en}`;
}

async function load() {
  try {
    const r = await get('/api/admin/vocabulary');
    items = r.items || [];
  } catch (err) {
    failed(err);
    return;
  }
  render();
}

async function remove(it, button) {
  if (!window.confirm(t('voc.confirmDelete', { phrase: it.phrase }))) return;
  button.disabled = true;
  try {
    await api('DELETE', `/api/admin/vocabulary/${it.id}`);
    notice('voc.deleted', { phrase: it.phrase }, { focus: true });
    await load();
    onChange();
  } catch (err) {
    button.disabled = false;
    failed(err);
  }
}

const FIELD_IDS = {
  phrase: 'voc-phrase', lang: 'voc-lang', categories: 'voc-categories', target_groups: 'voc-targets',
};

$('voc-add').addEventListener('submit', async (e) => {
  e.preventDefault();
  clearErrors();
  const phrase = $('voc-phrase').value.trim();
  const body = {
    lang: $('voc-lang').value,
    phrase,
    categories: checked('voc-categories-list'),
    target_groups: checked('voc-targets-list'),
  };
  if (!phrase) {
    fieldError('voc-phrase', tEl('span', 'err.required'));
    return;
  }
  if (!body.categories.length && !body.target_groups.length) {
    fieldError('voc-categories', tEl('span', 'voc.pickOne'));
    return;
  }
  try {
    await post('/api/admin/vocabulary', body);
  } catch (err) {
    const field = FIELD_IDS[err.parameter];
    if ((err.status === 400 || err.status === 409) && field) fieldError(field, err.message);
    else failed(err);
    return;
  }
  $('voc-phrase').value = '';
  for (const cb of $('voc-add').querySelectorAll('input[type=checkbox]')) cb.checked = false;
  notice('voc.addedDone', { phrase }, { focus: true });
  $('voc-filter').value = '';
  $('voc-origin').value = 'added';
  await load();
  onChange();
});

$('voc-filters').addEventListener('submit', (e) => e.preventDefault());
$('voc-filter').addEventListener('input', () => render());
$('voc-origin').addEventListener('change', () => render());

/**
 * Loads the taxonomy and the vocabulary; called once the admin's view is shown.
 * `changed` runs after each change (the page's audit log shows it).
 */
export async function showVocabulary(changed) {
  if (changed) onChange = changed;
  try {
    const [c, g] = await Promise.all([get('/api/categories'), get('/api/target-groups')]);
    categories = c.items || [];
    targets = g.items || [];
  } catch (err) {
    failed(err);
    return;
  }
  labels.categories = new Map(categories.map((x) => [x.slug, x]));
  labels.targets = new Map(targets.map((x) => [x.slug, x]));
  checks('voc-categories-list', 'categories', categories);
  checks('voc-targets-list', 'target_groups', targets);
  await load();
}

/** Redraws what depends on the language. */
export function renderVocabulary() {
  if (items.length) render();
}
