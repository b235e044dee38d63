// The weekly opening-hours model behind the editor, and its OpenStreetMap `opening_hours`
// form both ways. The editor covers what associations need — per-day intervals, closed
// months, closed on public holidays; any other syntax stays in the raw field, untouched.
//
// Model: { days: [[{from:'09:00', to:'12:30'}, …] × 7 (Monday first)],
//          closedMonths: [{from: 8, to: 8}, …] (1 = January), phOff: boolean }

export const DAY_CODES = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];
export const MONTH_CODES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function emptyHours() {
  return { days: DAY_CODES.map(() => []), closedMonths: [], phOff: false };
}

const TIME = /^([01]?\d|2[0-4]):([0-5]\d)$/;

/** Minutes since midnight for "HH:MM" (24:00 allowed), or NaN. */
export function minutes(hhmm) {
  const m = TIME.exec(hhmm || '');
  if (!m) return NaN;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return v <= 24 * 60 ? v : NaN;
}

function pad(hhmm) {
  const m = TIME.exec(hhmm);
  return m ? `${m[1].padStart(2, '0')}:${m[2]}` : hhmm;
}

/**
 * Problems in a model, as [{day, index, problem}] with problem one of
 * 'incomplete' | 'order' | 'overlap'. Empty when the model can be written out.
 */
export function problems(model) {
  const out = [];
  model.days.forEach((ivs, day) => {
    const seen = [];
    ivs.forEach((iv, index) => {
      const a = minutes(iv.from);
      const b = minutes(iv.to);
      if (Number.isNaN(a) || Number.isNaN(b)) out.push({ day, index, problem: 'incomplete' });
      else if (b <= a) out.push({ day, index, problem: 'order' });
      else if (seen.some(([x, y]) => a < y && x < b)) out.push({ day, index, problem: 'overlap' });
      else seen.push([a, b]);
    });
  });
  return out;
}

function dayRanges(indices) {
  // [0,1,2,4] -> "Mo-We,Fr"; two neighbours are written as a list ("Sa,Su"), as OSM does.
  const parts = [];
  let i = 0;
  while (i < indices.length) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    if (j - i >= 2) parts.push(`${DAY_CODES[indices[i]]}-${DAY_CODES[indices[j]]}`);
    else for (let k = i; k <= j; k++) parts.push(DAY_CODES[indices[k]]);
    i = j + 1;
  }
  return parts.join(',');
}

/** The `opening_hours` string for a model ('' when no day is open). Invalid intervals are skipped. */
export function toOsm(model) {
  const bad = new Set(problems(model).map((p) => `${p.day}/${p.index}`));
  const perDay = model.days.map((ivs, d) => ivs
    .filter((_, i) => !bad.has(`${d}/${i}`))
    .map((iv) => [minutes(iv.from), `${pad(iv.from)}-${pad(iv.to)}`])
    .sort((x, y) => x[0] - y[0])
    .map((x) => x[1])
    .join(','));
  if (perDay.every((s) => !s)) return '';
  const groups = new Map(); // times -> day indices, in order of first day
  perDay.forEach((times, d) => {
    if (!times) return;
    if (!groups.has(times)) groups.set(times, []);
    groups.get(times).push(d);
  });
  const rules = [];
  if (groups.size === 1 && perDay.every((s) => s === '00:00-24:00')) rules.push('24/7');
  else for (const [times, days] of groups) rules.push(`${dayRanges(days)} ${times}`);
  for (const r of model.closedMonths) {
    const a = MONTH_CODES[r.from - 1];
    const b = MONTH_CODES[r.to - 1];
    if (!a || !b) continue;
    rules.push(`${r.from === r.to ? a : `${a}-${b}`} off`);
  }
  if (model.phOff) rules.push('PH off');
  return rules.join('; ');
}

const DAY_SEL = '(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?';
const DAYS_RULE = new RegExp(`^(${DAY_SEL}(?:,${DAY_SEL})*)\\s+(.+)$`);
const TIMES = /^(\d{1,2}:\d\d-\d{1,2}:\d\d)(,\d{1,2}:\d\d-\d{1,2}:\d\d)*$/;
const MONTH_SEL = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const MONTHS_RULE = new RegExp(`^(${MONTH_SEL})(?:-(${MONTH_SEL}))?\\s+(?:off|closed)$`);

/**
 * The model for an `opening_hours` string, or null when the string uses syntax the editor
 * cannot show (then the raw string is kept as it is). '' gives the empty model.
 */
export function fromOsm(text) {
  const model = emptyHours();
  const s = (text || '').trim();
  if (!s) return model;
  if (s === '24/7') {
    model.days = DAY_CODES.map(() => [{ from: '00:00', to: '24:00' }]);
    return model;
  }
  for (const raw of s.split(';')) {
    const rule = raw.trim();
    if (!rule) continue;
    if (/^PH\s+(off|closed)$/.test(rule)) {
      model.phOff = true;
      continue;
    }
    const mm = MONTHS_RULE.exec(rule);
    if (mm) {
      const a = MONTH_CODES.indexOf(mm[1]) + 1;
      const b = mm[2] ? MONTH_CODES.indexOf(mm[2]) + 1 : a;
      model.closedMonths.push({ from: a, to: b });
      continue;
    }
    const dm = DAYS_RULE.exec(rule);
    if (!dm) return null;
    const days = [];
    for (const part of dm[1].split(',')) {
      const [a, b] = part.split('-').map((c) => DAY_CODES.indexOf(c));
      if (b === undefined) days.push(a);
      else if (b >= a) for (let d = a; d <= b; d++) days.push(d);
      else return null; // wrap-around ranges (Sa-Mo): raw field only
    }
    const what = dm[2].trim();
    let ivs;
    if (what === 'off' || what === 'closed') ivs = [];
    else if (TIMES.test(what)) {
      ivs = what.split(',').map((x) => {
        const [from, to] = x.split('-');
        return { from: pad(from), to: pad(to) };
      });
      if (ivs.some((iv) => Number.isNaN(minutes(iv.from)) || Number.isNaN(minutes(iv.to))
        || minutes(iv.to) <= minutes(iv.from))) return null;
    } else return null;
    // A later rule for the same day replaces the earlier one, as in OSM.
    for (const d of days) model.days[d] = ivs.map((iv) => ({ ...iv }));
  }
  return model;
}
