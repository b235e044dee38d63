// The results list: a real <ol> of links, one per service, built from text only.

import { h, svgIcon } from './dom.js';
import { iconPath } from './icons.js';
import { t } from './i18n.js';
import { distance } from './format.js';

/** A category's or target group's label in the page's language. */
export function label(item, lang) {
  if (!item) return '';
  return (lang === 'en' ? item.label_en : item.label_it)
    || (item.label && item.label[lang]) || item.label_it || item.slug;
}

/**
 * One list item. `f` is a summary feature; `ctx` = {lang, cats (Map slug->category),
 * hrefFor(id), showDistance}.
 */
export function resultItem(f, ctx) {
  const p = f.properties;
  const cats = (p.categories || []).map((s) => ctx.cats.get(s)).filter(Boolean);
  const first = cats[0];
  const marker = h('span', { class: 'result-marker', 'aria-hidden': 'true' });
  marker.style.backgroundColor = first ? first.color || first.colour : '#4a4a4a';
  marker.append(svgIcon(iconPath(first && first.icon), 'icon icon-marker'));

  const meta = [];
  if (p.open_now === true) meta.push(h('span', { class: 'status status-open' }, t('status.open')));
  else if (p.open_now === false) meta.push(h('span', { class: 'status status-closed' }, t('status.closed')));
  if (p.wheelchair === 'yes') meta.push(h('span', { class: 'access' }, t('wheelchair.yes')));
  else if (p.wheelchair === 'limited') meta.push(h('span', { class: 'access' }, t('wheelchair.limited')));
  if (p.demo) meta.push(h('span', { class: 'badge-demo', title: t('demoTitle') }, t('demo')));

  // The hidden prefix sits outside .result-distance so its text stays just "350 m".
  const dist = ctx.showDistance && Number.isFinite(p.distance_m)
    ? h('p', { class: 'result-dist' },
      h('span', { class: 'visually-hidden' }, `${t('results.distance')}: `),
      h('span', { class: 'result-distance' }, distance(p.distance_m)))
    : null;

  return h('li', { class: 'result', dataset: { id: String(p.id) } },
    marker,
    h('div', { class: 'result-main' },
      h('a', { class: 'result-link', href: ctx.hrefFor(p.id) }, p.name || `#${p.id}`),
      p.organisation ? h('p', { class: 'result-org' }, p.organisation) : null,
      cats.length ? h('p', { class: 'result-cats' }, cats.map((c) => label(c, ctx.lang)).join(' · ')) : null,
      p.address ? h('p', { class: 'result-address' }, p.address) : null,
      meta.length ? h('p', { class: 'result-meta' }, meta) : null),
    dist);
}

/** Replaces the list's items with the first `limit` of `items`. */
export function renderList(ol, items, limit, ctx) {
  const frag = document.createDocumentFragment();
  const n = Math.min(limit, items.length);
  for (let i = 0; i < n; i++) frag.append(resultItem(items[i], ctx));
  ol.replaceChildren(frag);
  return n;
}

/** Appends items [from, to) and returns the first new link (for focus). */
export function appendList(ol, items, from, to, ctx) {
  const frag = document.createDocumentFragment();
  let first = null;
  for (let i = from; i < Math.min(to, items.length); i++) {
    const li = resultItem(items[i], ctx);
    if (!first) first = li.querySelector('a');
    frag.append(li);
  }
  ol.append(frag);
  return first;
}
