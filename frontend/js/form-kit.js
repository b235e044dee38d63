// The building blocks of the service form (./service-form.js): labelled fields that register
// themselves, and the per-field error state (shown under each field, listed in the summary).
// A field is `{focus(): element, error: element, targets: [elements marked aria-invalid],
// input?, addItem?}` in a Map keyed by the server's field path without "properties.".

import { h } from './dom.js';
import { lang, t } from './i18n.js';

/** Label text of a category or target group item in the page's language. */
export function itemLabel(item) {
  return (lang() === 'en' ? item.label_en : item.label_it)
    || (item.label && item.label[lang()]) || item.label_it || item.slug;
}

/** Sets `aria-describedby` to the given ids (empty ones left out). */
export function describe(el, ...ids) {
  el.setAttribute('aria-describedby', ids.filter(Boolean).join(' '));
}

/**
 * Field builders for one form: `prefix` makes the ids, `fields` receives every field,
 * `labels` maps a field key to its label key, `onEdit(key)` runs when the person edits it.
 */
export function createFieldKit({ prefix, fields, labels, onEdit }) {
  const id = (key) => `${prefix}-${key.replace(/\./g, '-')}`;

  const errorEl = (key) => h('p', { class: 'field-error', id: `${id(key)}-error`, hidden: true });

  const required = (labelKey) => [h('span', { 'data-i18n': labelKey }), ' ', h('span', { class: 'req', 'data-i18n': 'f.required' })];
  const optional = (labelKey) => [h('span', { 'data-i18n': labelKey }), ' ', h('span', { class: 'opt', 'data-i18n': 'f.optional' })];
  const labelParts = (key, isRequired) => (isRequired ? required(labels[key]) : optional(labels[key]));
  const helpEl = (fid, key) => (key ? h('p', { class: 'help', id: `${fid}-help`, 'data-i18n': key }) : null);

  /** A text field: input or textarea, label, optional help, error. */
  function text(key, o = {}) {
    const fid = id(key);
    const help = helpEl(fid, o.help);
    const attrs = {
      id: fid, name: key, autocomplete: o.autocomplete || 'off',
      lang: o.lang, required: !!o.required, spellcheck: o.spellcheck,
    };
    const input = o.multiline
      ? h('textarea', { ...attrs, rows: String(o.rows || 4) })
      : h('input', { ...attrs, type: o.type || 'text', inputmode: o.inputmode });
    const err = errorEl(key);
    describe(input, help && help.id);
    input.dataset.describedBase = help ? help.id : '';
    const label = h('label', { for: fid }, labelParts(key, o.required));
    fields.set(key, { focus: () => input, error: err, targets: [input], input });
    input.addEventListener('input', () => onEdit(key));
    return h('div', { class: `field field-${key.replace(/\./g, '-')}` }, label, help, input, err);
  }

  /** A group of checkboxes (categories, target groups, languages); items can be added later. */
  function checks(key, items, o = {}) {
    const fid = id(key);
    const err = errorEl(key);
    const help = helpEl(fid, o.help);
    const grid = h('div', { class: `check-grid ${o.short ? 'check-grid-short' : 'check-grid-2'}` });
    const addItem = (item) => {
      const cb = h('input', { type: 'checkbox', name: key, value: item.slug, id: `${fid}-${item.slug}` });
      cb.addEventListener('change', () => onEdit(key));
      const dot = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      dot.style.backgroundColor = item.color || item.colour || '#4a4a4a';
      grid.append(h('label', { class: 'check', for: cb.id }, cb,
        o.swatch ? dot : null,
        h('span', { class: 'check-label', 'data-text-it': item.label_it || itemLabel(item), 'data-text-en': item.label_en || itemLabel(item) })));
    };
    items.forEach(addItem);
    const fs = h('fieldset', { class: 'check-group', id: fid, 'aria-describedby': help ? help.id : null },
      h('legend', {}, labelParts(key, o.required)), help, grid, err);
    fs.dataset.describedBase = help ? help.id : '';
    fields.set(key, { focus: () => grid.querySelector('input'), error: err, targets: [fs], addItem });
    return fs;
  }

  /** A numbered section of the form with its heading. */
  const section = (titleKey, idKey, ...children) => h('section', { class: 'form-section', 'aria-labelledby': `${prefix}-sec-${idKey}` },
    h('h2', { id: `${prefix}-sec-${idKey}`, 'data-i18n': titleKey }), ...children);

  return { id, errorEl, required, optional, text, checks, section };
}

/**
 * The errors shown by field: `{key: [{key, vars} | {text}]}`. Setting or clearing one
 * re-renders its message and the `aria-invalid`/`aria-describedby` of its targets.
 */
export function createErrorState(fields, labels, onChange) {
  let errors = new Map();

  const messageOf = (e) => (e.key ? t(e.key, e.vars) : e.text);

  function render(key) {
    const f = fields.get(key);
    if (!f) return;
    const list = errors.get(key) || [];
    f.error.replaceChildren();
    if (!list.length) {
      f.error.hidden = true;
      for (const el of f.targets) {
        el.removeAttribute('aria-invalid');
        describe(el, el.dataset.describedBase);
      }
      return;
    }
    f.error.append(h('span', { class: 'visually-hidden', 'data-i18n': 'err.prefix' }, t('err.prefix')),
      list.map(messageOf).join(' '));
    f.error.hidden = false;
    for (const el of f.targets) {
      el.setAttribute('aria-invalid', 'true');
      describe(el, el.dataset.describedBase, f.error.id);
    }
  }

  function set(key, list, notify = true) {
    errors.set(key, list);
    render(key);
    if (notify) onChange();
  }

  function clear(key) {
    if (!errors.has(key)) return;
    errors.delete(key);
    render(key);
  }

  /** Shows errors: a Map key -> [errors] (replaces what was shown). */
  function show(map) {
    for (const k of [...errors.keys()]) clear(k);
    errors = new Map();
    for (const [k, list] of map) set(k, list, false);
  }

  /** [{key, label, message, target}] for the error summary, in page order. */
  function summary() {
    const order = Object.keys(labels);
    const keys = [...errors.keys()].sort((a, b) => {
      const ia = order.indexOf(a);
      const ib = order.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    const out = [];
    for (const k of keys) {
      for (const e of errors.get(k)) {
        const f = fields.get(k);
        const target = f && f.focus();
        out.push({ key: k, label: labels[k] ? t(labels[k]) : k, message: messageOf(e), target: target || null });
      }
    }
    return out;
  }

  return {
    set,
    clear,
    show,
    summary,
    size: () => errors.size,
    rerender: () => { for (const k of errors.keys()) render(k); },
  };
}
