// The bonuses and contributions asked for at a service, on its card: each name opens a
// small detail (what it gives, who can ask, ISEE threshold, period, official page),
// fetched when first opened. Everything is text: API strings never go through innerHTML.

import { h } from './dom.js';
import { formatDate as date, t } from './i18n.js';
import { label } from './list.js';

function safeUrl(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/** The text in the page's language, else the other one (marked with its language). */
function inLang(b, field, ctx) {
  const mine = b[`${field}_${ctx.lang}`];
  if (mine) return [mine, null];
  const otherLang = ctx.lang === 'en' ? 'it' : 'en';
  const other = b[`${field}_${otherLang}`];
  return other ? [other, otherLang] : [null, null];
}

function row(title, value, valueLang) {
  if (!value) return null;
  return [h('dt', null, title), h('dd', { lang: valueLang }, value)];
}

function period(b, ctx) {
  const [words, wordsLang] = inLang(b, 'period', ctx);
  let dates = null;
  if (b.opens_on && b.closes_on) dates = t('benefit.dates', { from: date(b.opens_on), to: date(b.closes_on) });
  else if (b.opens_on) dates = t('benefit.from', { from: date(b.opens_on) });
  else if (b.closes_on) dates = t('benefit.until', { to: date(b.closes_on) });
  if (!words && !dates) return null;
  return row(t('benefit.period'), [words, words && dates ? ' — ' : null, dates].filter(Boolean).join(''), dates ? null : wordsLang);
}

function detail(b, ctx) {
  const [gives, givesLang] = inLang(b, 'gives', ctx);
  const [residence, residenceLang] = inLang(b, 'residence', ctx);
  const [how, howLang] = inLang(b, 'how_to_apply', ctx);
  const who = (b.target_groups || []).map((s) => ctx.targets.get(s)).filter(Boolean).map((g) => label(g, ctx.lang));
  const whoText = [who.join(', '), Number.isInteger(b.isee_max_eur)
    ? t('benefit.isee', { eur: b.isee_max_eur.toLocaleString(ctx.lang === 'en' ? 'en-GB' : 'it-IT') }) : null]
    .filter(Boolean).join(' · ');
  const url = b.official_url && safeUrl(b.official_url);
  return [
    h('dl', { class: 'benefit-facts' },
      row(t('benefit.gives'), gives, givesLang),
      row(t('benefit.who'), whoText),
      row(t('benefit.residence'), residence, residenceLang),
      row(t('benefit.how'), how, howLang),
      period(b, ctx)),
    url ? h('p', null, h('a', { href: url, rel: 'noopener', class: 'link-strong benefit-official' }, t('benefit.official'))) : null,
  ];
}

/** The card's section, or null when nothing is asked for here. */
export function benefitsSection(p, ctx) {
  const list = p.benefits || [];
  if (!list.length) return null;
  const items = list.map((ref) => {
    const name = ctx.lang === 'en' ? (ref.name_en || ref.name_it) : ref.name_it;
    const panelId = `benefit-${ref.id}-detail`;
    const panel = h('div', { id: panelId, class: 'benefit-detail', hidden: true });
    const button = h('button', {
      type: 'button', class: 'btn-link benefit-toggle', 'aria-expanded': 'false', 'aria-controls': panelId,
      lang: ctx.lang === 'en' && !ref.name_en ? 'it' : null,
    }, name);
    let loaded = false;
    button.addEventListener('click', async () => {
      const open = button.getAttribute('aria-expanded') !== 'true';
      button.setAttribute('aria-expanded', String(open));
      panel.hidden = !open;
      if (!open || loaded) return;
      panel.replaceChildren(h('p', { role: 'status' }, t('benefit.loading')));
      try {
        const res = await fetch(`/api/benefits/${encodeURIComponent(ref.id)}`, { headers: { Accept: 'application/json' } });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        panel.replaceChildren(...detail(await res.json(), ctx).filter(Boolean));
        loaded = true;
      } catch {
        panel.replaceChildren(h('p', { class: 'card-note', role: 'alert' }, t('benefit.error')));
      }
    });
    return h('li', { class: 'benefit', dataset: { benefitId: ref.id } }, button, panel);
  });
  return h('div', { class: 'card-section card-benefits' },
    h('h3', null, t('card.benefits')),
    h('ul', { class: 'benefit-list' }, items));
}
