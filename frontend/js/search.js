// Search by need on the map page: what the server understood (removable chips), the
// suggestions combobox, what was let go to avoid a dead end, the alternatives when nothing
// is found, and the bonuses the answer names. Everything is built as text, never as HTML.

import { h, svgIcon } from './dom.js';
import { t } from './i18n.js';
import { label } from './list.js';
import * as api from './api.js';

const CROSS = 'M6 6l12 12M18 6L6 18';

// ---- the interpretation as chips -------------------------------------------------------

function uniq(list) {
  return [...new Set(list.filter(Boolean))];
}

function needLabel(phrase, ctx) {
  const labels = uniq([
    ...(phrase.categories || []).map((s) => label(ctx.cats.get(s), ctx.lang) || s),
    ...(phrase.target_groups || []).map((s) => label(ctx.targets.get(s), ctx.lang) || s),
  ]);
  return labels.length ? labels.join(' / ') : phrase.text;
}

/**
 * The chips for an answer's interpretation: `[{kind, label, text}]`, where `text` is the part
 * of the query to take out when the chip is removed. Phrases come in the order they were typed.
 */
export function chipsFor(interp, ctx) {
  if (!interp) return [];
  const phrases = Array.isArray(interp.phrases) ? interp.phrases : [];
  const chips = [];
  for (const p of phrases) {
    if (!p || typeof p.text !== 'string' || !p.text.trim()) continue;
    let text;
    switch (p.kind) {
      case 'need': text = needLabel(p, ctx); break;
      case 'place': text = t('chip.place', { label: (interp.place && interp.place.label) || p.text }); break;
      case 'open_now': text = t('chip.openNow'); break;
      case 'wheelchair': text = t('chip.wheelchair'); break;
      default: text = t('chip.term', { text: p.text });
    }
    chips.push({ kind: p.kind, label: text, text: p.text });
  }
  if (!phrases.length) {
    // An answer without phrases still shows its free-text words.
    for (const term of interp.terms || []) chips.push({ kind: 'term', label: t('chip.term', { text: term }), text: term });
  }
  return chips;
}

const PLACE_LEAD = /\s+(?:vicino\s+(?:a|al|alla|allo|ai|alle|all')|nei\s+pressi\s+di|presso|in|a|near(?:\s+the)?|close\s+to|at|by)\s*$/i;

/**
 * The query without one chip's phrase: the first occurrence of `text` (case and accents as
 * typed first, then ignoring case), spaces tidied; a place's dangling "vicino a" goes too.
 */
export function withoutPhrase(q, chip) {
  let i = q.indexOf(chip.text);
  if (i < 0) i = q.toLowerCase().indexOf(chip.text.toLowerCase());
  if (i < 0) return q;
  let before = q.slice(0, i);
  if (chip.kind === 'place') before = before.replace(PLACE_LEAD, '');
  return `${before} ${q.slice(i + chip.text.length)}`
    .replace(/\s+/g, ' ')
    .replace(/^[\s,;:.]+|[\s,;:]+$/g, '')
    .trim();
}

/** Fills `box` (its list `ul`) with one remove button per chip; hidden when there are none. */
export function renderChips(box, ul, chips, onRemove) {
  ul.replaceChildren(...chips.map((chip) => {
    const b = h('button', { type: 'button', class: 'chip chip-remove', 'aria-label': t('chip.remove', { label: chip.label }) },
      h('span', { class: 'chip-text' }, chip.label), svgIcon(CROSS, 'icon chip-x'));
    b.addEventListener('click', () => onRemove(chip));
    return h('li', null, b);
  }));
  box.hidden = chips.length === 0;
}

// ---- what was let go, and the way out of an empty answer -------------------------------

function quoted(list) {
  return list.map((x) => t('chip.term', { text: x })).join(', ');
}

/** One sentence per relaxed constraint, in the page's language ('' when nothing was). */
export function relaxedText(answer, ctx) {
  const relaxed = Array.isArray(answer.relaxed) ? answer.relaxed : [];
  if (!relaxed.length) return '';
  const it = answer.interpretation || {};
  const catLabels = (slugs) => (slugs || []).map((s) => label(ctx.cats.get(s), ctx.lang) || s).join(', ');
  const groupLabels = (slugs) => (slugs || []).map((s) => label(ctx.targets.get(s), ctx.lang) || s).join(', ');
  const asked = it.categories || [];
  const related = catLabels(answer.related_categories);
  const hasNeeds = asked.length > 0 || (it.target_groups || []).length > 0;
  const out = [];
  for (const r of relaxed) {
    switch (r) {
      case 'open_now': out.push(t('relaxed.open_now')); break;
      case 'wheelchair': out.push(t('relaxed.wheelchair')); break;
      case 'place': out.push(t('relaxed.place', { place: (it.place && it.place.label) || t('relaxed.thatPlace') })); break;
      case 'terms': {
        const terms = quoted(it.terms || []);
        if (!terms) break;
        // Which way the words were let go: for the need's own services, for any one of
        // them, or (said by the categories' sentence) for other kinds of help.
        if (relaxed.includes('categories')) out.push(t('relaxed.termsOnly', { terms }));
        else if (hasNeeds) out.push(t('relaxed.terms', { terms }));
        else out.push(t('relaxed.termsAny', { terms }));
        break;
      }
      case 'target_groups': out.push(t('relaxed.target_groups', { groups: groupLabels(it.target_groups) })); break;
      case 'categories':
        if (related && asked.length) out.push(t('relaxed.categoriesRelated', { cats: catLabels(asked), related }));
        else if (related) out.push(t('relaxed.desks', { related }));
        else out.push(t('relaxed.categoriesAny'));
        break;
      default: break;
    }
  }
  return out.join(' ');
}

/**
 * The way out of an empty answer: search without each chip, browse the related categories,
 * call (or open) the Sportello Famiglia. `actions` = {withoutChip(chip), otherFilters(),
 * clearOtherFilters(), browse(slug), browseAll(), openService(id)}; `desk` = the Sportello Famiglia's feature, or null.
 */
export function renderAlternatives(el, q, chips, answer, ctx, actions, desk) {
  const items = [];
  const button = (text, onClick) => {
    const b = h('button', { type: 'button', class: 'btn btn-secondary btn-alt' }, text);
    b.addEventListener('click', onClick);
    return h('li', null, b);
  };
  for (const chip of chips) items.push(button(t('alt.without', { label: chip.label }), () => actions.withoutChip(chip)));
  if (actions.otherFilters()) items.push(button(t('alt.noFilters'), () => actions.clearOtherFilters()));
  for (const slug of answer.related_categories || []) {
    const cat = ctx.cats.get(slug);
    if (cat) items.push(button(t('alt.browse', { label: label(cat, ctx.lang) }), () => actions.browse(slug)));
  }
  if (!(answer.related_categories || []).length) items.push(button(t('alt.all'), () => actions.browseAll()));
  if (desk) {
    const p = desk.properties;
    if (p.phone) {
      items.push(h('li', null, h('a', { class: 'btn btn-secondary btn-alt', href: `tel:${String(p.phone).replace(/[^\d+]/g, '')}` },
        t('alt.call', { phone: p.phone }))));
    }
    items.push(button(t('alt.desk'), () => actions.openService(p.id)));
  }
  el.replaceChildren(
    h('p', null, t('search.none', { q })),
    h('p', { class: 'alt-lead' }, t('alt.lead')),
    h('ul', { class: 'alternatives' }, items));
}

// ---- bonuses and contributions ---------------------------------------------------------

/** The answer's benefits as a small list above the services (hidden when there are none). */
export function renderBenefits(section, ul, answer, ctx, openService) {
  const list = Array.isArray(answer.benefits) ? answer.benefits : [];
  section.hidden = list.length === 0;
  const byId = new Map((answer.features || []).map((f) => [f.properties.id, f]));
  ul.replaceChildren(...list.map((b) => {
    const en = ctx.lang === 'en';
    const name = (en ? b.name_en : b.name_it) || b.name_it || b.name_en || '';
    const gives = (en ? b.gives_en : b.gives_it) || b.gives_it || b.gives_en || '';
    // The contract's `service_ids`, or /api/benefits' own `services: [{id, name}]`.
    const links = Array.isArray(b.services)
      ? b.services.filter((x) => x && Number.isInteger(x.id)).map((x) => ({ id: x.id, name: x.name }))
      : (b.service_ids || []).filter(Number.isInteger).map((id) => ({ id, name: null }));
    const where = links.map(({ id, name: serviceName }) => {
      const f = byId.get(id);
      const a = h('a', { class: 'benefit-service', href: ctx.hrefFor(id), dataset: { id: String(id) } },
        serviceName || (f && f.properties.name) || t('benefit.service', { id }));
      a.addEventListener('click', (e) => {
        if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        openService(id);
      });
      return a;
    });
    const whereLine = where.length
      ? h('p', { class: 'benefit-where' }, `${t('benefit.where')} `, where.flatMap((a, i) => (i ? [', ', a] : [a])))
      : null;
    return h('li', { class: 'benefit' },
      h('p', { class: 'benefit-name' }, name,
        b.demo ? ' ' : null, b.demo ? h('span', { class: 'badge-demo', title: t('demoTitle') }, t('demo')) : null),
      gives ? h('p', { class: 'benefit-gives' }, gives) : null,
      Number.isFinite(b.isee_max_eur)
        ? h('p', { class: 'benefit-isee' }, t('benefit.isee', { eur: new Intl.NumberFormat(ctx.lang === 'en' ? 'en-GB' : 'it-IT').format(b.isee_max_eur) }))
        : null,
      whereLine,
      b.official_url && /^https?:\/\//i.test(b.official_url)
        ? h('p', null, h('a', { href: b.official_url, rel: 'noopener', target: '_blank' }, t('benefit.official'),
          h('span', { class: 'visually-hidden' }, ` ${t('benefit.newWindow')}`)))
        : null);
  }));
}

// ---- suggestions: the WAI-ARIA combobox pattern (list autocomplete) --------------------

const DEBOUNCE_MS = 150;
const MIN_CHARS = 2;

/**
 * Turns `input` into a combobox that suggests from /api/search/suggest into `listbox`, and
 * says how many suggestions there are in `status` (a polite live region).
 * `onPick(suggestion)` is called on Enter or a click on an option.
 * Returns {close(), isOpen()}.
 */
export function initSuggest({ input, listbox, status, getLang, onPick }) {
  let items = [];
  let active = -1;
  let timer = null;
  let ctrl = null;
  let asked = '';

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', listbox.id);
  listbox.setAttribute('role', 'listbox');

  function setActive(i) {
    const opts = listbox.querySelectorAll('[role=option]');
    active = i;
    opts.forEach((o, j) => o.setAttribute('aria-selected', j === i ? 'true' : 'false'));
    if (i >= 0 && opts[i]) {
      input.setAttribute('aria-activedescendant', opts[i].id);
      opts[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function close() {
    clearTimeout(timer);
    if (ctrl) ctrl.abort();
    ctrl = null;
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function say(text) {
    if (status.textContent === text) status.textContent = '';
    status.textContent = text;
  }

  function show(list) {
    items = list;
    listbox.replaceChildren(...list.map((s, i) => {
      // A kind this page does not know yet (a newer server) is shown without its name.
      const key = `suggest.kind.${s.kind}`;
      const kind = t(key) === key ? '' : t(key);
      const li = h('li', { id: `${listbox.id}-${i}`, role: 'option', class: 'suggestion', 'aria-selected': 'false' },
        h('span', { class: 'suggestion-label' }, s.label),
        kind ? h('span', { class: 'visually-hidden' }, ', ') : null,
        kind ? h('span', { class: 'suggestion-kind' }, kind) : null);
      // Keep the focus in the box: a click picks without blurring the input first.
      li.addEventListener('mousedown', (e) => e.preventDefault());
      li.addEventListener('click', () => pick(i));
      return li;
    }));
    active = -1;
    input.removeAttribute('aria-activedescendant');
    if (list.length) {
      listbox.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      say(list.length === 1 ? t('suggest.countOne') : t('suggest.count', { n: list.length }));
    } else {
      close();
      say(t('suggest.none'));
    }
  }

  function pick(i) {
    const s = items[i];
    close();
    if (s) onPick(s);
  }

  async function ask(q) {
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    asked = q;
    try {
      const r = await api.suggest(q, getLang(), ctrl.signal);
      if (input.value.trim() !== q || document.activeElement !== input) return;
      show(Array.isArray(r && r.suggestions) ? r.suggestions.slice(0, 8) : []);
    } catch (e) {
      // No suggestions is not an error worth a message: the search itself still works.
      if (!e || e.name !== 'AbortError') close();
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < MIN_CHARS) {
      close();
      items = [];
      return;
    }
    timer = setTimeout(() => ask(q), DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (e) => {
    const open = !listbox.hidden;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!open) {
        // Alt+Down or Down on a closed box opens the last suggestions again.
        if (items.length && input.value.trim() === asked) {
          e.preventDefault();
          show(items);
          setActive(e.key === 'ArrowDown' ? 0 : items.length - 1);
        }
        return;
      }
      e.preventDefault();
      const n = items.length;
      if (e.key === 'ArrowDown') setActive(active + 1 >= n ? 0 : active + 1);
      else setActive(active <= 0 ? n - 1 : active - 1);
    } else if (e.key === 'Enter') {
      if (open && active >= 0) {
        e.preventDefault();
        pick(active);
      } else {
        close(); // the form's submit searches what was typed
      }
    } else if (e.key === 'Escape') {
      if (open) {
        e.preventDefault();
        e.stopPropagation();
        close();
      }
    } else if (e.key === 'Tab') {
      close();
    }
  });

  input.addEventListener('blur', () => close());

  return { close, isOpen: () => !listbox.hidden };
}
