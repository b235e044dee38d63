// The admins' "Bonus e contributi" section: the list, and a form to add or edit one
// (errors shown next to the field the server names), and deletion. User text is always
// rendered as text. Every change is audited server-side.

import { $, h } from './dom.js';
import { applyPage, lang, t, tEl } from './i18n.js';
import { api, get } from './http.js';
import { failed, notice } from './auth-ui.js';
import { fieldProblemText } from './forms-common.js';

// [field, kind, lang]: kinds are line, text (paragraphs), number, date, url.
const FIELDS = [
  ['name_it', 'line', 'it'], ['name_en', 'line', 'en'],
  ['gives_it', 'line', 'it'], ['gives_en', 'line', 'en'],
  ['description_it', 'text', 'it'], ['description_en', 'text', 'en'],
  ['isee_max_eur', 'number'],
  ['residence_it', 'line', 'it'], ['residence_en', 'line', 'en'],
  ['how_to_apply_it', 'text', 'it'], ['how_to_apply_en', 'text', 'en'],
  ['opens_on', 'date'], ['closes_on', 'date'],
  ['period_it', 'line', 'it'], ['period_en', 'line', 'en'],
  ['official_url', 'url'],
];

let benefits = [];
let editing = null; // the benefit being edited, or null for a new one
let opener = null;
let taxonomy = { categories: [], target_groups: [] };
let services = [];
let onChange = () => {};

function errorEl(key) {
  return h('p', { id: `b-${key}-error`, class: 'field-error', hidden: true });
}

function labelFor(key, required) {
  const l = h('label', { for: `b-${key}` }, tEl('span', `ben.f.${key}`));
  if (required) l.append(' ', tEl('span', 'ben.required', null, { class: 'req' }));
  return l;
}

function inputFor([key, kind, inLang]) {
  const attrs = { id: `b-${key}`, name: key, lang: inLang || null, autocomplete: 'off' };
  if (kind === 'text') return h('textarea', { ...attrs, rows: 3, maxlength: 4000 });
  if (kind === 'number') return h('input', { ...attrs, type: 'number', min: 0, max: 1000000, step: 1, inputmode: 'numeric' });
  if (kind === 'date') return h('input', { ...attrs, type: 'date' });
  if (kind === 'url') return h('input', { ...attrs, type: 'url', maxlength: 500, spellcheck: 'false' });
  return h('input', { ...attrs, type: 'text', maxlength: key.startsWith('name') ? 200 : 300 });
}

function checks(key, items) {
  const grid = h('div', { class: 'check-grid check-grid-2' }, items.map((item) => h('label', { class: 'check', for: `b-${key}-${item.slug}` },
    h('input', { type: 'checkbox', name: key, value: item.slug, id: `b-${key}-${item.slug}` }),
    h('span', { class: 'check-label', 'data-text-it': item.label_it, 'data-text-en': item.label_en },
      lang() === 'en' ? item.label_en : item.label_it))));
  return h('fieldset', { class: 'check-group field', id: `b-${key}` }, h('legend', {}, tEl('span', `ben.f.${key}`)), grid, errorEl(key));
}

function buildForm() {
  const form = $('benefit-form');
  const fields = FIELDS.map((f) => h('div', { class: 'field' }, labelFor(f[0], f[0] === 'name_it'), inputFor(f), errorEl(f[0])));
  const serviceSelect = h('select', { id: 'b-service_ids', multiple: true, size: 6, 'aria-describedby': 'b-service_ids-help' },
    services.map((s) => h('option', { value: s.id }, s.name)));
  form.replaceChildren(
    h('h3', { id: 'benefit-form-title' }),
    ...fields.slice(0, 4),
    checks('categories', taxonomy.categories),
    checks('target_groups', taxonomy.target_groups),
    h('div', { class: 'field' }, labelFor('service_ids'),
      h('p', { class: 'help', id: 'b-service_ids-help' }, tEl('span', 'ben.f.service_idsHelp')), serviceSelect, errorEl('service_ids')),
    ...fields.slice(4),
    h('div', { class: 'action-row' },
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'benefit-save' }, tEl('span', 'ben.save')),
      h('button', { type: 'button', class: 'btn btn-secondary', id: 'benefit-cancel' }, tEl('span', 'ben.cancel'))));
  $('benefit-cancel').addEventListener('click', closeForm);
}

function clearErrors() {
  for (const el of $('benefit-form').querySelectorAll('.field-error')) {
    el.hidden = true;
    el.replaceChildren();
  }
  for (const el of $('benefit-form').querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    el.removeAttribute('aria-errormessage');
  }
}

/** Shows the server's message next to the field it names; false when there is no such field. */
function fieldError(field, message) {
  const err = $(`b-${field}-error`);
  const input = $(`b-${field}`);
  if (!err || !input) return false;
  err.replaceChildren(message);
  err.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-errormessage', err.id);
  return true;
}

function fill(b) {
  for (const [key] of FIELDS) $(`b-${key}`).value = b && b[key] != null ? String(b[key]) : '';
  for (const key of ['categories', 'target_groups']) {
    for (const cb of $(`b-${key}`).querySelectorAll('input')) cb.checked = !!b && (b[key] || []).includes(cb.value);
  }
  const linked = new Set(((b && b.services) || []).map((s) => String(s.id)));
  for (const o of $('b-service_ids').options) o.selected = linked.has(o.value);
}

function read() {
  const body = {};
  for (const [key, kind] of FIELDS) {
    const v = $(`b-${key}`).value.trim();
    if (!v) continue;
    // A number the browser cannot read is sent as typed, for the server to name the field.
    body[key] = kind === 'number' && /^\d+$/.test(v) ? Number(v) : v;
  }
  for (const key of ['categories', 'target_groups']) {
    body[key] = [...$(`b-${key}`).querySelectorAll('input:checked')].map((cb) => cb.value);
  }
  body.service_ids = [...$('b-service_ids').selectedOptions].map((o) => Number(o.value));
  return body;
}

function openForm(b, from) {
  editing = b;
  opener = from;
  clearErrors();
  fill(b);
  const title = $('benefit-form-title');
  title.replaceChildren(b ? tEl('span', 'ben.editTitle', { name: b.name_it }) : tEl('span', 'ben.newTitle'));
  $('benefit-form').hidden = false;
  $('b-name_it').focus();
}

function closeForm() {
  $('benefit-form').hidden = true;
  editing = null;
  if (opener) opener.focus();
}

function render() {
  $('benefits-body').replaceChildren(...benefits.map((b) => {
    const edit = h('button', { type: 'button', class: 'btn btn-secondary btn-small' },
      tEl('span', 'ben.edit'), h('span', { class: 'visually-hidden' }, ` ${b.name_it}`));
    edit.addEventListener('click', () => openForm(b, edit));
    const del = h('button', { type: 'button', class: 'btn btn-danger btn-small' },
      tEl('span', 'ben.delete'), h('span', { class: 'visually-hidden' }, ` ${b.name_it}`));
    del.addEventListener('click', () => remove(b, del));
    return h('tr', { dataset: { benefitId: b.id } },
      h('th', { scope: 'row' }, h('span', { lang: 'it' }, b.name_it),
        b.demo ? [' ', tEl('span', 'ben.demo', null, { class: 'badge-demo' })] : null),
      h('td', {}, (b.services || []).map((s) => s.name).join(', ')),
      h('td', {}, h('div', { class: 'action-row' }, edit, del)));
  }));
  $('benefits-count').replaceChildren(benefits.length
    ? tEl('span', 'ben.count', { n: benefits.length }) : tEl('span', 'ben.none'));
}

async function load() {
  try {
    benefits = (await get('/api/benefits')).items || [];
  } catch (err) {
    failed(err);
    return;
  }
  render();
}

async function save(e) {
  e.preventDefault();
  clearErrors();
  const body = read();
  if (!body.name_it) {
    fieldError('name_it', t('err.required'));
    $('b-name_it').focus();
    return;
  }
  try {
    const saved = editing
      ? await api('PUT', `/api/admin/benefits/${editing.id}`, { body })
      : await api('POST', '/api/admin/benefits', { body });
    const key = editing ? 'ben.updated' : 'ben.created';
    $('benefit-form').hidden = true;
    editing = null;
    await load();
    notice(key, { name: saved.name_it }, { focus: true });
    onChange();
  } catch (err) {
    const problems = err.fields && err.fields.length ? err.fields
      : err.parameter ? [{ field: err.parameter, message: err.message }] : [];
    const shown = problems.filter((p) => fieldError(p.field.split('.')[0], fieldProblemText(p.field.split('.')[0], p)));
    if (shown.length) {
      const first = $(`b-${shown[0].field.split('.')[0]}`);
      (first.querySelector('input') || first).focus();
    } else failed(err);
  }
}

async function remove(b, button) {
  if (!window.confirm(t('ben.confirmDelete', { name: b.name_it }))) return;
  button.disabled = true;
  try {
    await api('DELETE', `/api/admin/benefits/${b.id}`);
    await load();
    notice('ben.deleted', { name: b.name_it }, { focus: true });
    onChange();
  } catch (err) {
    failed(err);
    button.disabled = false;
  }
}

/** Loads the section (an admin is logged in); `changed` is called after each change. */
export async function showBenefits(changed) {
  onChange = changed || onChange;
  try {
    const [cats, targets, list] = await Promise.all([
      get('/api/categories'), get('/api/target-groups'), get('/api/services?limit=500'),
    ]);
    taxonomy = { categories: cats.items || cats, target_groups: targets.items || targets };
    services = (list.features || []).map((f) => ({ id: f.id, name: f.properties.name }))
      .sort((a, b) => a.name.localeCompare(b.name, 'it'));
  } catch (err) {
    failed(err);
    return;
  }
  if (!$('benefit-form').dataset.built) {
    buildForm();
    $('benefit-form').dataset.built = '1';
    $('benefit-form').addEventListener('submit', save);
    $('benefit-new').addEventListener('click', () => openForm(null, $('benefit-new')));
  }
  applyPage($('benefits-section'));
  await load();
}

/** Re-renders what is not static after a language change. */
export function benefitsLangChanged() {
  if (benefits.length) render();
}
