// Numbers, distances, dates and opening hours in the page's language.

import { lang, locale, t } from './i18n.js';

const nf = {};
function numberFormat(opts) {
  const key = `${lang()}|${JSON.stringify(opts)}`;
  if (!nf[key]) nf[key] = new Intl.NumberFormat(locale(), opts);
  return nf[key];
}

export function number(n) {
  return numberFormat({ maximumFractionDigits: 0 }).format(n);
}

/** "350 m", "1,2 km" (it) / "1.2 km" (en). A plain space, so the text is easy to match. */
export function distance(m) {
  if (!Number.isFinite(m)) return '';
  if (m < 995) return `${number(Math.round(m / 10) * 10)} m`;
  const km = m / 1000;
  if (km < 99.95) {
    return `${numberFormat({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(km)} km`;
  }
  return `${number(km)} km`;
}

/** "12 servizi" / "1 servizio" / "0 servizi". */
export function serviceCount(n) {
  if (n === 0) return t('results.countZero');
  if (n === 1) return t('results.countOne');
  return t('results.count', { n: number(n) });
}

/** Day names Monday..Sunday in the page's language. */
export function dayNames() {
  const f = new Intl.DateTimeFormat(locale(), { weekday: 'long', timeZone: 'UTC' });
  // 1 January 2024 was a Monday.
  return Array.from({ length: 7 }, (_, i) => f.format(new Date(Date.UTC(2024, 0, 1 + i))));
}

/** Today's weekday in Siena, 0 = Monday. */
export function todayIndex(now = new Date()) {
  const wd = new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: 'Europe/Rome' }).format(now);
  return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(wd);
}

const DAYS = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];
const DAY_SEL = '(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?';
const DAYS_RE = new RegExp(`^(${DAY_SEL}(?:,${DAY_SEL})*|PH)\\s+(.+)$`);
const TIME = '(?:[01]?\\d|2[0-4]):[0-5]\\d';
const TIMES_RE = new RegExp(`^${TIME}-${TIME}(?:,${TIME}-${TIME})*$`);

function dayList(sel) {
  const out = [];
  for (const part of sel.split(',')) {
    const [a, b] = part.split('-');
    const i = DAYS.indexOf(a);
    const j = b ? DAYS.indexOf(b) : i;
    for (let k = i; ; k = (k + 1) % 7) {
      out.push(k);
      if (k === j) break;
    }
  }
  return out;
}

/**
 * Parses the simple, common forms of OpenStreetMap `opening_hours`
 * ("Mo,We 10:00-13:00; Tu 15:00-18:00", "Mo-Fr 08:30-12:30,14:30-18:00", "24/7", "Su off",
 * "PH off"). Later rules replace earlier ones for the days they name, as in OSM.
 * Returns {always, week: [[["10:00","13:00"]], ...] (Mo..Su), holidaysOff} or null when the
 * string uses anything else (then the raw text is shown).
 */
export function parseHours(raw) {
  if (!raw || typeof raw !== 'string') return null;
  const s = raw.trim();
  if (s === '24/7') return { always: true, week: null, holidaysOff: false };
  const week = Array.from({ length: 7 }, () => []);
  let holidaysOff = false;
  for (let rule of s.split(';')) {
    rule = rule.trim().replace(/\s*,\s*/g, ',').replace(/\s*-\s*/g, '-');
    if (!rule) continue;
    let days = [0, 1, 2, 3, 4, 5, 6];
    let times = rule;
    const m = DAYS_RE.exec(rule);
    if (m) {
      if (m[1] === 'PH') {
        if (/^(off|closed)$/.test(m[2])) {
          holidaysOff = true;
          continue;
        }
        return null;
      }
      days = dayList(m[1]);
      times = m[2];
    }
    let intervals;
    if (times === 'off' || times === 'closed') intervals = [];
    else if (times === '24/7' || times === '00:00-24:00') intervals = [['00:00', '24:00']];
    else if (TIMES_RE.test(times)) intervals = times.split(',').map((r) => r.split('-').map(pad));
    else return null;
    for (const d of days) week[d] = intervals;
  }
  return { always: false, week, holidaysOff };
}

function pad(hm) {
  return hm.length === 4 ? `0${hm}` : hm;
}

/** "10:00–13:00, 15:00–18:00", "open 24 hours" or "closed". */
export function intervalsText(intervals) {
  if (!intervals.length) return t('card.closedDay');
  if (intervals.length === 1 && intervals[0][0] === '00:00' && intervals[0][1] === '24:00') {
    return t('card.allDay');
  }
  return intervals.map(([a, b]) => `${a}–${b}`).join(', ');
}
