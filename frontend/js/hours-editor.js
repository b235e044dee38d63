// The weekly opening-hours editor: each day closed or open in one or more intervals, "copy
// to other days", closed months and public holidays; the OpenStreetMap string is written
// live into a raw field that experts may edit by hand (what the raw field says is sent).

import { h } from './dom.js';
import { applyPage, t } from './i18n.js';
import { DAY_CODES, emptyHours, fromOsm, problems, toOsm } from './hours.js';

let uid = 0;

/**
 * `createHoursEditor({prefix, onChange})` → { root, raw (the raw input), setValue(str),
 * value(), problems(), relabel(), focusFirstProblem() }.
 */
export function createHoursEditor({ prefix, onChange }) {
  const p = `${prefix}-hours`;
  let model = emptyHours();
  let rawUnparsed = false; // the raw field holds syntax the weekly editor cannot show

  const daysBox = h('div', { class: 'hours-days' });
  const monthsList = h('ul', { class: 'hours-months', role: 'list' });
  const phBox = h('input', { type: 'checkbox', id: `${p}-ph` });
  const raw = h('input', {
    type: 'text', id: `${prefix}-opening_hours`, name: 'opening_hours', maxlength: '500',
    autocomplete: 'off', spellcheck: 'false', class: 'mono',
    'aria-describedby': `${p}-raw-help`,
  });
  const rawNote = h('p', { id: `${p}-raw-note`, class: 'hint-box', hidden: true });
  const live = h('output', { id: `${p}-live`, class: 'hours-live mono', for: `${prefix}-opening_hours` });

  const changed = () => {
    rawUnparsed = false;
    rawNote.hidden = true;
    raw.value = toOsm(model);
    live.textContent = raw.value || t('hours.none');
    markProblems();
    if (onChange) onChange();
  };

  function intervalRow(day, index) {
    const iv = model.days[day][index];
    const id = `${p}-${day}-${index}`;
    const from = h('input', { type: 'time', id: `${id}-from`, value: iv.from, step: '300', class: 'time' });
    const to = h('input', { type: 'time', id: `${id}-to`, value: iv.to, step: '300', class: 'time' });
    from.addEventListener('change', () => { iv.from = from.value; changed(); });
    to.addEventListener('change', () => { iv.to = to.value; changed(); });
    const remove = h('button', { type: 'button', class: 'btn btn-link btn-small' });
    const rmLabel = h('span', { 'data-i18n': 'hours.removeInterval' });
    remove.append(rmLabel, h('span', { class: 'visually-hidden', 'data-i18n-day': String(day), 'data-i18n-n': String(index + 1) }));
    remove.addEventListener('click', () => {
      model.days[day].splice(index, 1);
      renderDays(day, 'add');
      changed();
    });
    return h('li', { class: 'interval', dataset: { day, index } },
      h('span', { class: 'interval-field' },
        h('label', { for: from.id, 'data-i18n': 'hours.from' }), from),
      h('span', { class: 'interval-field' },
        h('label', { for: to.id, 'data-i18n': 'hours.to' }), to),
      remove,
      h('p', { class: 'field-error interval-error', id: `${id}-error`, hidden: true }));
  }

  function dayBlock(day) {
    const ivs = model.days[day];
    const legendId = `${p}-${day}-legend`;
    const add = h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: `${p}-${day}-add` },
      h('span', { 'data-i18n': ivs.length ? 'hours.addInterval' : 'hours.open' }));
    add.addEventListener('click', () => {
      const prev = ivs[ivs.length - 1];
      ivs.push(prev ? { from: '', to: '' } : { from: '09:00', to: '13:00' });
      renderDays(day, 'last');
      changed();
    });
    const copyBtn = h('button', {
      type: 'button', class: 'btn btn-link btn-small', 'aria-expanded': 'false',
      'aria-controls': `${p}-${day}-copy`, id: `${p}-${day}-copybtn`,
    }, h('span', { 'data-i18n': 'hours.copy' }));
    const copyBox = h('div', { class: 'copy-box', id: `${p}-${day}-copy`, hidden: true });
    const targets = [];
    const copyFs = h('fieldset', {}, h('legend', { 'data-i18n': 'hours.copyTo' }));
    const grid = h('div', { class: 'copy-grid' });
    DAY_CODES.forEach((_, d) => {
      if (d === day) return;
      const cb = h('input', { type: 'checkbox', id: `${p}-${day}-copy-${d}`, value: String(d) });
      // Weekdays copy to the other weekdays by default, weekend days to the other one.
      cb.checked = day < 5 ? d < 5 : d >= 5;
      targets.push(cb);
      grid.append(h('label', { class: 'check', for: cb.id }, cb, h('span', { 'data-i18n': `day.${d}` })));
    });
    copyFs.append(grid);
    const doCopy = h('button', { type: 'button', class: 'btn btn-primary btn-small' }, h('span', { 'data-i18n': 'hours.copyDo' }));
    doCopy.addEventListener('click', () => {
      const chosen = targets.filter((c) => c.checked).map((c) => Number(c.value));
      for (const d of chosen) model.days[d] = model.days[day].map((iv) => ({ ...iv }));
      renderDays(day, 'copy');
      changed();
      announce(t('hours.copied', { n: chosen.length }));
    });
    copyBox.append(copyFs, doCopy);
    copyBtn.addEventListener('click', () => {
      copyBox.hidden = !copyBox.hidden;
      copyBtn.setAttribute('aria-expanded', String(!copyBox.hidden));
    });

    const list = h('ol', { class: 'intervals', role: 'list' });
    ivs.forEach((_, i) => list.append(intervalRow(day, i)));
    const state = h('span', { class: ivs.length ? 'day-state day-open' : 'day-state day-closed', 'data-i18n': ivs.length ? 'hours.openState' : 'hours.closed' });
    const actions = h('div', { class: 'day-actions' }, add, ivs.length ? copyBtn : null);
    return h('fieldset', { class: 'day', id: `${p}-${day}`, 'aria-labelledby': legendId },
      h('legend', { id: legendId }, h('span', { 'data-i18n': `day.${day}` }), ' ', state),
      list, actions, ivs.length ? copyBox : null);
  }

  const status = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  function announce(text) {
    status.textContent = '';
    setTimeout(() => { status.textContent = text; }, 50);
  }

  // focus: what to focus after a re-render of `day` ('add', 'last', 'copy').
  function renderDays(day, focus) {
    daysBox.replaceChildren(...DAY_CODES.map((_, d) => dayBlock(d)));
    applyPage(daysBox);
    labelRemoveButtons();
    if (day === undefined) return;
    let el = null;
    if (focus === 'last') {
      const rows = daysBox.querySelectorAll(`li.interval[data-day="${day}"] input`);
      el = rows[rows.length - 2];
    } else if (focus === 'add') el = document.getElementById(`${p}-${day}-add`);
    else if (focus === 'copy') el = document.getElementById(`${p}-${day}-copybtn`);
    if (el) el.focus();
  }

  function labelRemoveButtons() {
    for (const s of daysBox.querySelectorAll('[data-i18n-day]')) {
      s.textContent = ` (${t(`day.${s.dataset.i18nDay}`)}, ${t('hours.intervalN', { n: s.dataset.i18nN })})`;
    }
  }

  function monthOptions(sel, value) {
    for (let m = 1; m <= 12; m++) {
      sel.append(h('option', { value: String(m), selected: m === value, 'data-i18n': `month.${m}` }));
    }
  }

  function renderMonths() {
    monthsList.replaceChildren(...model.closedMonths.map((r, i) => {
      const id = `${p}-closure-${i}`;
      const from = h('select', { id: `${id}-from` });
      const to = h('select', { id: `${id}-to` });
      monthOptions(from, r.from);
      monthOptions(to, r.to);
      from.addEventListener('change', () => {
        r.from = Number(from.value);
        if (r.to < r.from) { r.to = r.from; to.value = String(r.to); }
        changed();
      });
      to.addEventListener('change', () => { r.to = Number(to.value); changed(); });
      const rm = h('button', { type: 'button', class: 'btn btn-link btn-small' }, h('span', { 'data-i18n': 'hours.removeClosure' }));
      rm.addEventListener('click', () => {
        model.closedMonths.splice(i, 1);
        renderMonths();
        changed();
        addClosure.focus();
      });
      return h('li', { class: 'closure' },
        h('span', { class: 'interval-field' }, h('label', { for: from.id, 'data-i18n': 'hours.monthFrom' }), from),
        h('span', { class: 'interval-field' }, h('label', { for: to.id, 'data-i18n': 'hours.monthTo' }), to),
        rm);
    }));
    applyPage(monthsList);
  }

  const addClosure = h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: `${p}-add-closure` },
    h('span', { 'data-i18n': 'hours.addClosure' }));
  addClosure.addEventListener('click', () => {
    model.closedMonths.push({ from: 8, to: 8 });
    renderMonths();
    changed();
    const sels = monthsList.querySelectorAll('select');
    if (sels.length) sels[sels.length - 2].focus();
  });
  phBox.addEventListener('change', () => { model.phOff = phBox.checked; changed(); });

  raw.addEventListener('input', () => {
    const parsed = fromOsm(raw.value);
    live.textContent = raw.value.trim() || t('hours.none');
    if (parsed) {
      model = parsed;
      rawUnparsed = false;
      rawNote.hidden = true;
      renderDays();
      renderMonths();
      phBox.checked = model.phOff;
    } else {
      rawUnparsed = true;
      rawNote.textContent = t('hours.rawOnly');
      rawNote.hidden = false;
    }
    if (onChange) onChange();
  });

  function markProblems() {
    for (const e of daysBox.querySelectorAll('.interval-error')) {
      e.hidden = true;
      e.textContent = '';
    }
    for (const i of daysBox.querySelectorAll('input[type=time]')) {
      i.removeAttribute('aria-invalid');
      i.removeAttribute('aria-describedby');
    }
    for (const pr of problems(model)) {
      const id = `${p}-${pr.day}-${pr.index}`;
      const e = document.getElementById(`${id}-error`);
      if (!e) continue;
      e.textContent = t(`hours.problem.${pr.problem}`);
      e.hidden = false;
      for (const side of ['from', 'to']) {
        const inp = document.getElementById(`${id}-${side}`);
        inp.setAttribute('aria-invalid', 'true');
        inp.setAttribute('aria-describedby', e.id);
      }
    }
  }

  const root = h('div', { class: 'hours-editor', id: p },
    h('p', { class: 'help', id: `${p}-help`, 'data-i18n': 'hours.help' }),
    daysBox,
    h('fieldset', { class: 'closures' },
      h('legend', { 'data-i18n': 'hours.closures' }),
      h('label', { class: 'check', for: phBox.id }, phBox, h('span', { 'data-i18n': 'hours.phOff' })),
      h('p', { class: 'help', 'data-i18n': 'hours.closuresHelp' }),
      monthsList,
      addClosure),
    h('div', { class: 'hours-result' },
      h('p', { class: 'hours-live-wrap' }, h('span', { 'data-i18n': 'hours.live' }), ' ', live),
      h('label', { for: raw.id, 'data-i18n': 'hours.raw' }),
      h('p', { class: 'help', id: `${p}-raw-help`, 'data-i18n': 'hours.rawHelp' }),
      raw,
      rawNote),
    status);
  uid++;

  renderDays();
  renderMonths();
  live.textContent = t('hours.none');

  return {
    root,
    raw,
    /** Loads an `opening_hours` string (null/'' = no hours). */
    setValue(str) {
      raw.value = str || '';
      const parsed = fromOsm(raw.value);
      model = parsed || emptyHours();
      rawUnparsed = !parsed;
      rawNote.textContent = rawUnparsed ? t('hours.rawOnly') : '';
      rawNote.hidden = !rawUnparsed;
      phBox.checked = model.phOff;
      renderDays();
      renderMonths();
      live.textContent = raw.value.trim() || t('hours.none');
    },
    /** The string to send: the raw field, which the editor keeps up to date. */
    value: () => raw.value.trim(),
    problems: () => (rawUnparsed ? [] : problems(model)),
    relabel() {
      labelRemoveButtons();
      if (!raw.value.trim()) live.textContent = t('hours.none');
      if (rawUnparsed) rawNote.textContent = t('hours.rawOnly');
      markProblems();
    },
    /** Focus target for an error on this field: the first invalid interval, or the raw field. */
    focusTarget() {
      const pr = rawUnparsed ? null : problems(model)[0];
      return (pr && document.getElementById(`${p}-${pr.day}-${pr.index}-from`)) || raw;
    },
  };
}
