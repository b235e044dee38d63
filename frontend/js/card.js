// A service's card: every public detail, as text, in the page's language.

import { h, svgIcon, $ } from './dom.js';
import { iconPath } from './icons.js';
import { formatDate as date, languageName, t } from './i18n.js';
import { dayNames, distance, intervalsText, parseHours, todayIndex } from './format.js';
import { label } from './list.js';
import { benefitsSection } from './card-benefits.js';

function section(title, ...content) {
  return h('div', { class: 'card-section' }, h('h3', null, title), ...content);
}

function safeWebsite(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Intervals as text nodes that never break inside "09:00–13:00". */
function intervalsNodes(intervals) {
  const text = intervalsText(intervals);
  const parts = text.split(', ');
  const out = [];
  parts.forEach((part, i) => {
    if (i) out.push(', ');
    out.push(h('span', { class: 'nowrap' }, part));
  });
  return out;
}

function hoursBlock(p) {
  const status = p.open_now === true ? ['status-open', t('status.open')]
    : p.open_now === false ? ['status-closed', t('status.closed')]
      : ['status-unknown', t('status.unknown')];
  const openStatus = h('p', { id: 'card-open-status', class: `status ${status[0]}` }, status[1]);

  const hours = h('div', { id: 'card-hours', class: 'card-hours' });
  const raw = p.opening_hours;
  const parsed = parseHours(raw);
  const names = dayNames();
  const today = todayIndex();
  if (!raw) {
    hours.append(h('p', null, t('card.noHours')));
  } else if (parsed && parsed.always) {
    hours.append(h('p', { class: 'hours-today' }, t('card.alwaysOpen')));
  } else if (parsed) {
    hours.append(h('p', { class: 'hours-today' },
      h('strong', null, `${t('card.today', { day: names[today] })}: `),
      intervalsNodes(parsed.week[today])));
    const table = h('table', { class: 'hours-week' },
      h('caption', { class: 'visually-hidden' }, t('card.hours')),
      h('tbody', null, names.map((name, i) => h('tr', { class: i === today ? 'is-today' : null },
        h('th', { scope: 'row' }, name),
        h('td', null, intervalsNodes(parsed.week[i]))))));
    hours.append(table);
    if (parsed.holidaysOff) hours.append(h('p', null, t('card.holidaysOff')));
  } else {
    hours.append(h('p', null, t('card.rawHours', { raw })));
  }
  return section(t('card.hours'), openStatus, hours);
}

/**
 * Fills the card for a full feature. ctx = {lang, cats, targets (Maps slug->item),
 * near ({lat, lon}|null), distance (metres|undefined), coarsePointer}.
 */
export function renderCard(feature, ctx) {
  const p = feature.properties;
  const [lon, lat] = feature.geometry.coordinates;
  $('card-title').textContent = p.name || `#${p.id}`;
  const body = $('card-body');
  const parts = [];

  const sub = [];
  if (p.organisation) sub.push(h('p', { class: 'card-org' }, p.organisation));
  if (p.demo) sub.push(h('p', null, h('span', { class: 'badge-demo', title: t('demoTitle') }, t('demo'))));
  if (Number.isFinite(ctx.distance)) {
    sub.push(h('p', { class: 'card-distance' }, t('card.distance', { d: distance(ctx.distance) })));
  }
  parts.push(...sub);

  parts.push(hoursBlock(p));

  // Description in the page's language, else the other one with a note saying so.
  const mine = ctx.lang === 'en' ? p.description_en : p.description_it;
  const other = ctx.lang === 'en' ? p.description_it : p.description_en;
  if (mine) {
    parts.push(section(t('card.description'), h('p', { class: 'card-desc' }, mine)));
  } else if (other) {
    parts.push(section(t('card.description'),
      h('p', { class: 'card-note' }, t('card.descOnlyOther')),
      h('p', { class: 'card-desc', lang: ctx.lang === 'en' ? 'it' : 'en' }, other)));
  }

  const cats = (p.categories || []).map((s) => ctx.cats.get(s)).filter(Boolean);
  if (cats.length) {
    parts.push(section(t('card.categories'), h('ul', { class: 'chips' }, cats.map((c) => {
      const dotEl = h('span', { class: 'chip-dot', 'aria-hidden': 'true' });
      dotEl.style.backgroundColor = c.color || c.colour;
      dotEl.append(svgIcon(iconPath(c.icon), 'icon icon-marker'));
      return h('li', { class: 'chip' }, dotEl, label(c, ctx.lang));
    }))));
  }
  const targets = (p.target_groups || []).map((s) => ctx.targets.get(s)).filter(Boolean);
  if (targets.length) {
    parts.push(section(t('card.targets'),
      h('ul', { class: 'chips' }, targets.map((g) => h('li', { class: 'chip' }, label(g, ctx.lang))))));
  }

  parts.push(benefitsSection(p, ctx));

  // Where, with directions.
  const dirs = new URL('https://www.openstreetmap.org/directions');
  dirs.search = `to=${lat.toFixed(6)},${lon.toFixed(6)}`
    + (ctx.near ? `&from=${ctx.near.lat.toFixed(6)},${ctx.near.lon.toFixed(6)}` : '');
  const where = [
    p.address ? h('p', { class: 'card-address' }, p.address) : null,
    h('p', null, h('a', { id: 'card-directions', class: 'link-strong', href: dirs.href, rel: 'noopener' },
      svgIcon(iconPath('pin')), t('card.directions'))),
  ];
  if (ctx.coarsePointer) {
    where.push(h('p', null, h('a', { href: `geo:${lat.toFixed(6)},${lon.toFixed(6)}`, class: 'link-strong' }, t('card.geo'))));
  }
  parts.push(section(t('card.where'), ...where));

  const contacts = [];
  if (p.phone) {
    contacts.push(h('li', null, h('span', { class: 'contact-kind' }, `${t('card.phone')}: `),
      h('a', { href: `tel:${p.phone.replace(/[^\d+]/g, '')}` }, p.phone)));
  }
  if (p.email) {
    contacts.push(h('li', null, h('span', { class: 'contact-kind' }, `${t('card.email')}: `),
      h('a', { href: `mailto:${p.email}` }, p.email)));
  }
  const site = p.website && safeWebsite(p.website);
  if (p.website) {
    contacts.push(h('li', null, h('span', { class: 'contact-kind' }, `${t('card.website')}: `),
      site ? h('a', { href: site, rel: 'noopener' }, p.website.replace(/^https?:\/\//, '').replace(/\/$/, '')) : p.website));
  }
  if (contacts.length) parts.push(section(t('card.contacts'), h('ul', { class: 'contacts' }, contacts)));
  if (Array.isArray(p.languages) && p.languages.length) {
    parts.push(h('p', { class: 'card-languages' }, h('span', { class: 'contact-kind' }, `${t('card.languages')}: `),
      p.languages.map((c) => languageName(c, ctx.lang)).join(', ')));
  }

  const acc = p.accessibility || {};
  const wc = acc.wheelchair || p.wheelchair || 'unknown';
  const note = ctx.lang === 'en' ? (acc.note_en || acc.note_it) : (acc.note_it || acc.note_en);
  const noteLang = ctx.lang === 'en' ? (acc.note_en ? null : 'it') : (acc.note_it ? null : 'en');
  parts.push(section(t('card.accessibility'),
    h('p', { class: `access access-${wc}` }, svgIcon(iconPath('wheelchair')), t(`wheelchair.${wc}`)),
    note ? h('p', { lang: noteLang }, note) : null));

  parts.push(h('p', { class: 'card-verified' },
    p.verified_at ? t('card.verified', { date: date(p.verified_at) }) : t('card.notVerified')));
  if (p.updated_at) parts.push(h('p', { class: 'card-updated' }, t('card.updated', { date: date(p.updated_at) })));

  body.replaceChildren(...parts.filter(Boolean));
}

/** A card with only a message (loading, not found, error). */
export function renderCardMessage(title, message) {
  $('card-title').textContent = title;
  $('card-body').replaceChildren(h('p', { class: 'card-message' }, message));
}
