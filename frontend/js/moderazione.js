// The moderators' page: login, the queue (counts, items oldest first), an item's detail
// (map preview, warnings about a name that mixes alphabets or imitates a published one,
// nearby possible duplicates, a change proposal's diff, the private contact)
// with its actions, and the management of published listings. Views follow the URL hash:
// `#` queue, `#item/s-12`, `#listing/5`. Every POST carries X-CSRF-Token (./http.js).

import { $, h } from './dom.js';
import { initPage, onLangChange, setPageState } from './page.js';
import { applyPage, dateEl, languageName, t, tEl } from './i18n.js';
import moderationStrings from './strings/moderation.js';
import { get, post } from './http.js';
import { currentUser, whoAmI } from './session.js';
import { currentNotice, failed as authFailed, notice, showLogin, showUser, wireAuth } from './auth-ui.js';
import { createServiceForm, fieldKey, FIELD_LABELS, itemLabel, renderErrorSummary } from './service-form.js';
import { loadTaxonomy } from './forms-common.js';
import { createPinMap } from './pin-map.js';
import { distance } from './format.js';

const config = initPage(moderationStrings);
setPageState('loading');

let tax = null;
let catMap = new Map();
let tgMap = new Map();
let preview = null; // the pin map of the open item
let keepNotice = false;

// ---- views and failures ------------------------------------------------------------------

function showOnly(id) {
  for (const v of ['login-view', 'queue-view', 'item-view', 'listing-view']) $(v).hidden = v !== id;
  if (preview && id !== 'item-view' && id !== 'listing-view') {
    preview.remove();
    preview = null;
  }
}

function failed(err) {
  if (err.status === 409) {
    notice('mod.conflict', null, { focus: true });
    keepNotice = true;
    location.hash = '';
    return;
  }
  authFailed(err);
}

wireAuth({ onLogin: () => route(), hideViews: () => showOnly('login-view') });

// ---- values as text ------------------------------------------------------------------------

function labelOf(map, slug) {
  const item = map.get(slug);
  return item ? itemLabel(item) : slug;
}

/** A field's value as readable text (categories by label, coordinates as lat, lon). */
function valueText(key, v) {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) return t('mod.value.none');
  if (key === 'categories') return v.map((s) => labelOf(catMap, s)).join(', ');
  if (key === 'target_groups') return v.map((s) => labelOf(tgMap, s)).join(', ');
  if (key === 'languages' && Array.isArray(v)) return v.map((c) => languageName(c)).join(', ');
  if (key === 'geometry' && Array.isArray(v)) return `${Number(Number(v[1]).toFixed(6))}, ${Number(Number(v[0]).toFixed(6))}`;
  if (key === 'accessibility.wheelchair') return t(`f.wheelchair.${v}`);
  if (typeof v === 'boolean') return t(v ? 'mod.value.yes' : 'mod.value.no');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A definition list of a Feature's public fields. */
function featureFacts(feature) {
  const p = (feature && feature.properties) || {};
  const acc = p.accessibility || {};
  const c = feature && feature.geometry && feature.geometry.coordinates;
  const rows = [
    ['name', p.name], ['organisation', p.organisation], ['description_it', p.description_it],
    ['description_en', p.description_en], ['categories', p.categories], ['target_groups', p.target_groups],
    ['address', p.address], ['geometry', c], ['phone', p.phone], ['email', p.email], ['website', p.website],
    ['opening_hours', p.opening_hours], ['accessibility.wheelchair', acc.wheelchair],
    ['accessibility.note_it', acc.note_it], ['accessibility.note_en', acc.note_en], ['languages', p.languages],
  ];
  return h('dl', { class: 'facts' }, rows.flatMap(([k, v]) => [
    h('dt', {}, tEl('span', FIELD_LABELS[k])),
    h('dd', {}, valueText(k, v)),
  ]));
}

// ---- the queue -----------------------------------------------------------------------------

/** Items per page of the queue: 50, or `?pageSize=N` (1–200) on the page's URL. */
const PAGE_SIZE = (() => {
  const raw = new URLSearchParams(location.search).get('pageSize');
  const n = raw !== null && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  return n >= 1 && n <= 200 ? n : 50;
})();

let queueCursor = null; // the `next_cursor` of the last page shown, null on the last page

function queueUrl(after) {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (after) p.set('after', after);
  return `/api/moderation/queue?${p}`;
}

function renderCounts(c) {
  $('queue-counts').replaceChildren(...['new', 'change', 'report', 'total'].map((k) => h('li', {},
    tEl('span', `mod.count.${k}`), ': ', h('strong', {}, String(c[k] ?? 0)))));
}

function queueItem(it) {
  const dups = (it.duplicates || []).filter((d) => d.possible_duplicate).length;
  const nameWarned = (it.name_warnings || []).length > 0;
  const a = h('a', { href: `#item/${encodeURIComponent(it.id)}`, dataset: { id: it.id } },
    h('span', { class: 'qi-title' },
      tEl('span', `mod.kind.${it.kind}`, null, { class: `kind-badge k-${it.kind}` }),
      h('span', { class: 'qi-name' }, it.title || ''),
      it.imported ? [' ', tEl('span', 'mod.imported', null, { class: 'imported-flag' })] : null),
    h('span', { class: 'qi-meta' },
      tEl('span', 'mod.arrivedAt'), ' ', dateEl(it.created_at),
      dups ? [' · ', tEl('span', dups === 1 ? 'mod.dupCountOne' : 'mod.dupCount', { n: dups }, { class: 'dup-flag' })] : null,
      nameWarned ? [' · ', tEl('span', 'mod.nameFlag', null, { class: 'dup-flag name-flag' })] : null));
  return h('li', { class: 'queue-item', dataset: { id: it.id, kind: it.kind } }, a);
}

/** Shows or hides "Show more", with how many items are left. */
function renderMore(q) {
  queueCursor = q.next_cursor || null;
  const more = $('queue-more');
  more.hidden = !queueCursor;
  more.replaceChildren(queueCursor && q.remaining
    ? tEl('span', 'mod.moreCount', { n: q.remaining })
    : tEl('span', 'mod.more'));
}

async function showQueue({ focus = false } = {}) {
  showOnly('queue-view');
  $('queue-more').hidden = true;
  $('queue-list').replaceChildren(h('li', {}, tEl('span', 'mod.loadingQueue')));
  let q;
  try {
    q = await get(queueUrl(null));
  } catch (err) {
    failed(err);
    return;
  }
  renderCounts(q.counts || {});
  const items = q.items || [];
  $('queue-empty').hidden = items.length > 0;
  $('queue-list').replaceChildren(...items.map(queueItem));
  renderMore(q);
  setPageState('ready');
  if (focus) $('queue-title').focus();
}

/** Appends the next page; focus goes to the first item added. */
async function showMore() {
  const more = $('queue-more');
  if (!queueCursor || more.disabled) return;
  more.disabled = true;
  more.setAttribute('aria-busy', 'true');
  let q;
  try {
    q = await get(queueUrl(queueCursor));
  } catch (err) {
    failed(err);
    return;
  } finally {
    more.disabled = false;
    more.removeAttribute('aria-busy');
  }
  renderCounts(q.counts || {});
  // The cursor starts the page after the last item shown, so nothing repeats.
  const added = (q.items || []).map(queueItem);
  $('queue-list').append(...added);
  renderMore(q);
  if (added.length) added[0].querySelector('a').focus();
  else if (more.hidden) $('queue-title').focus();
}

$('queue-more').addEventListener('click', showMore);
$('queue-reload').addEventListener('click', () => showQueue({ focus: true }));

// ---- an item -------------------------------------------------------------------------------

function section(titleKey, ...children) {
  return h('section', { class: 'form-section' }, h('h3', {}, tEl('span', titleKey)), ...children);
}

function textArea(id, labelKey, required) {
  const ta = h('textarea', { id, rows: '3', maxlength: '2000', required: !!required });
  const err = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  return {
    wrap: h('div', { class: 'field' }, h('label', { for: id }, tEl('span', labelKey)), ta, err),
    ta,
    error(key) {
      if (!key) {
        err.hidden = true;
        ta.removeAttribute('aria-invalid');
        ta.removeAttribute('aria-describedby');
        return;
      }
      err.replaceChildren(tEl('span', key));
      err.hidden = false;
      ta.setAttribute('aria-invalid', 'true');
      ta.setAttribute('aria-describedby', err.id);
      ta.focus();
    },
  };
}

/** POSTs an action; on success goes back to the queue with a message. */
async function act(path, body, doneKey, vars, button) {
  if (button) {
    button.disabled = true;
    button.dataset.label = button.textContent;
    button.textContent = t('mod.working');
  }
  try {
    const res = await post(path, body);
    notice(doneKey, vars);
    return res || {};
  } catch (err) {
    failed(err);
    return null;
  } finally {
    if (button) {
      button.disabled = false;
      button.textContent = button.dataset.label;
    }
  }
}

function duplicatesBox(it, onMerge) {
  const dups = it.duplicates || [];
  if (!dups.length) return h('p', { class: 'help' }, tEl('span', 'mod.dupNone'));
  const flagged = dups.some((d) => d.possible_duplicate);
  return h('div', { class: flagged ? 'dup-warning' : 'dup-info', id: 'duplicates' },
    h('h3', {}, tEl('span', 'mod.dupTitle')),
    h('ul', { class: 'dup-list' }, dups.map((d) => h('li', { dataset: { id: d.id, duplicate: d.possible_duplicate ? '1' : '0' } },
      h('a', { href: `/?service=${d.id}`, target: '_blank', rel: 'noopener' }, `${d.name} (n. ${d.id})`),
      d.address ? [' – ', d.address] : null,
      ' – ', tEl('span', 'mod.dupDistance', { d: distance(d.distance_m) }),
      d.possible_duplicate ? [' ', h('strong', { class: 'dup-flag' }, '⚠ ', tEl('span', 'mod.dupFlag'))] : null,
      onMerge && d.possible_duplicate ? [' ', (() => {
        const b = h('button', { type: 'button', class: 'btn btn-secondary btn-small merge-into', dataset: { id: d.id } }, tEl('span', 'mod.mergeInto'));
        b.addEventListener('click', () => onMerge(d.id, b));
        return b;
      })()] : null))));
}

/** A script's name (Unicode's English one, e.g. `Cyrillic`) in the page's language. */
function scriptEl(name) {
  const key = `mod.script.${name}`;
  return t(key) === key ? h('span', {}, name) : tEl('span', key);
}

/**
 * Warnings about the proposed name, from the server's `name_warnings`: words that mix
 * alphabets, and published listings (anywhere) whose names it imitates. Shown above the
 * nearby duplicates; nothing when there is none. Names and words are text, never markup.
 */
function nameWarningsBox(it) {
  const warnings = it.name_warnings || [];
  if (!warnings.length) return null;
  const icon = () => h('span', { 'aria-hidden': 'true' }, '⚠ ');
  const quoted = (w) => `«${w}»`;
  const join = (els) => els.flatMap((el, i) => (i ? [', ', el] : [el]));
  return h('div', { class: 'dup-warning name-warning', id: 'name-warnings' },
    h('h3', {}, tEl('span', 'mod.nameWarnTitle')),
    h('ul', { class: 'dup-list' }, warnings.map((w) => {
      if (w.kind === 'mixed_scripts') {
        return h('li', { dataset: { kind: w.kind } }, icon(),
          h('strong', {}, tEl('span', 'mod.mixedScripts')), ' (', join((w.scripts || []).map(scriptEl)), ') ',
          tEl('span', 'mod.mixedScriptsIn'), ' ', join((w.words || []).map((x) => h('span', { class: 'mixed-word' }, quoted(x)))),
          '. ', tEl('span', 'mod.mixedScriptsHelp'));
      }
      if (w.kind === 'lookalike') {
        return h('li', { dataset: { kind: w.kind, id: w.id } }, icon(),
          h('strong', {}, tEl('span', 'mod.lookalikeOf')), ' ',
          h('a', { href: `/?service=${w.id}`, target: '_blank', rel: 'noopener' }, `${quoted(w.name)} (n. ${w.id})`),
          '. ', tEl('span', 'mod.lookalikeHelp'));
      }
      return null;
    })));
}

function diffTable(diff) {
  if (!diff.length) return h('p', {}, tEl('span', 'mod.diffNone'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'diff', id: 'diff' },
    h('caption', { class: 'visually-hidden' }, tEl('span', 'mod.diffTitle')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, tEl('span', 'mod.diffField')),
      h('th', { scope: 'col' }, tEl('span', 'mod.diffBefore')),
      h('th', { scope: 'col' }, tEl('span', 'mod.diffAfter')))),
    h('tbody', {}, diff.map((d) => {
      const k = fieldKey(d.field);
      return h('tr', { dataset: { field: k } },
        h('th', { scope: 'row' }, FIELD_LABELS[k] ? tEl('span', FIELD_LABELS[k]) : d.field),
        h('td', { class: 'before' }, valueText(k, d.before)),
        h('td', { class: 'after' }, valueText(k, d.after)));
    }))));
}

async function startPreview(box, point) {
  if (preview) preview.remove();
  preview = await createPinMap({ container: box, config, point: { lon: point[0], lat: point[1] }, draggable: false });
  if (!preview) {
    box.hidden = true;
  }
}

async function showItem(id) {
  showOnly('item-view');
  $('item-title').textContent = t('mod.loading');
  $('item-body').replaceChildren();
  let it;
  try {
    it = await get(`/api/moderation/items/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status === 404) {
      $('item-title').textContent = t('mod.notFound');
      setPageState('ready');
      return;
    }
    failed(err);
    return;
  }
  renderItem(it);
  setPageState('ready');
  $('item-title').focus();
}

function renderItem(it) {
  const title = $('item-title');
  title.replaceChildren(tEl('span', `mod.kind.${it.kind}`, null, { class: `kind-badge k-${it.kind}` }), ' ', it.title || '');
  const body = $('item-body');
  const sub = it.submission;
  // A listing imported as pending (p-N): no submission, the listing itself is the proposal.
  const imported = it.imported === true;
  const importStatus = imported && it.live && it.live.properties ? it.live.properties.status : null;
  const pending = imported ? importStatus === 'pending'
    : sub ? sub.status === 'pending' : it.report && it.report.status === 'open';
  const meta = h('dl', { class: 'facts' },
    h('dt', {}, tEl('span', 'mod.arrivedAt')), h('dd', {}, dateEl(it.created_at)),
    sub ? [h('dt', {}, tEl('span', 'mod.status')), h('dd', {}, tEl('span', `stato.s.${sub.status}`))] : null,
    importStatus ? [h('dt', {}, tEl('span', 'mod.status')), h('dd', {}, tEl('span', `stato.s.${importStatus}`))] : null,
    // A pending or rejected import has no published listing to open or manage yet: the
    // proposal below is the listing itself.
    it.service_id && !(imported && importStatus !== 'published') ? [h('dt', {}, tEl('span', 'mod.service')), h('dd', {},
      h('a', { href: `/?service=${it.service_id}`, target: '_blank', rel: 'noopener' }, tEl('span', 'mod.openCard')), ' · ',
      h('a', { href: `#listing/${it.service_id}` }, tEl('span', 'mod.manageListing')))] : null);

  const mapBox = h('div', { class: 'pin-map pin-map-small', id: 'item-map' });
  const left = [meta, section('mod.preview', mapBox)];
  const right = [];

  let mergeInput = null;
  const merge = async (into, button) => {
    const res = await act(`/api/moderation/items/${encodeURIComponent(it.id)}/merge`, { into: Number(into) }, 'mod.done.merge', { id: into }, button);
    if (res) {
      keepNotice = true;
      location.hash = '';
    }
  };

  if (sub) {
    if (it.kind === 'new' || it.kind === 'change') {
      left.push(nameWarningsBox(it));
      left.push(duplicatesBox(it, pending && it.kind === 'new' ? merge : null));
    }
    if (it.kind === 'change') left.push(section('mod.diffTitle', diffTable(it.diff || [])));
    left.push(section('mod.proposed', featureFacts(sub.feature)));
    const ct = sub.contact || {};
    right.push(h('section', { class: 'form-section private' },
      h('h3', {}, tEl('span', 'mod.contactTitle')),
      h('dl', { class: 'facts' },
        h('dt', {}, tEl('span', 'f.contact_name')), h('dd', {}, ct.name || t('mod.value.none')),
        h('dt', {}, tEl('span', 'f.contact_email')), h('dd', {}, ct.email ? h('a', { href: `mailto:${ct.email}` }, ct.email) : t('mod.value.none')),
        h('dt', {}, tEl('span', 'f.contact_phone')), h('dd', {}, ct.phone || t('mod.value.none')),
        h('dt', {}, tEl('span', 'mod.contactLang')), h('dd', {}, sub.lang === 'en' ? 'English' : 'Italiano'))));
    if (sub.reason) right.push(h('p', { class: 'quote' }, sub.reason));
  }
  if (imported) {
    left.push(nameWarningsBox(it));
    left.push(duplicatesBox(it, null));
    left.push(section('mod.proposed', featureFacts(it.live)));
    right.push(h('section', { class: 'form-section', id: 'imported-source' },
      h('h3', {}, tEl('span', 'mod.sourceTitle')),
      h('p', {}, tEl('span', 'mod.imported')),
      h('p', { class: 'help' }, tEl('span', 'mod.importedHelp'))));
  }
  if (it.report) {
    const r = it.report;
    right.push(section('mod.report', h('dl', { class: 'facts' },
      h('dt', {}, tEl('span', 'mod.reportKind')), h('dd', {}, tEl('span', `mod.reportKind.${r.kind}`)),
      h('dt', {}, tEl('span', 'mod.reportMessage')), h('dd', { class: 'quote' }, r.message || t('mod.value.none')))));
    if (it.live) left.push(section('mod.current', featureFacts(it.live)));
  }

  // Actions.
  if (pending && sub) right.push(submissionActions(it, merge, (el) => { mergeInput = el; }));
  if (pending && imported) right.push(submissionActions(it, null, () => {}, { imported: true }));
  if (pending && it.report) right.push(reportActions(it));

  body.replaceChildren(h('div', { class: 'detail-grid' }, h('div', {}, ...left), h('div', {}, ...right)));
  applyPage(body);
  startPreview(mapBox, it.point);
  void mergeInput;
}

/** Approve, reject, ask for changes, merge. An import (`imported`) has no submitter: it is
 * approved as it is or rejected, nothing else. */
function submissionActions(it, merge, keepMerge, { imported = false } = {}) {
  const base = `/api/moderation/items/${encodeURIComponent(it.id)}`;
  const box = h('section', { class: 'actions-panel', 'aria-labelledby': 'actions-title' },
    h('h3', { id: 'actions-title' }, tEl('span', 'mod.actions')));

  // Approve, optionally after editing.
  const approve = h('button', { type: 'button', class: 'btn btn-primary', id: 'approve' }, tEl('span', 'mod.approve'));
  const editBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: 'edit-before', 'aria-expanded': 'false', 'aria-controls': 'edit-area' }, tEl('span', 'mod.editFirst'));
  const editArea = h('div', { id: 'edit-area', hidden: true });
  const summary = h('div', { class: 'error-summary', id: 'edit-summary', tabindex: '-1', hidden: true });
  let form = null;
  editBtn.addEventListener('click', async () => {
    if (!form) {
      form = createServiceForm({ config, cats: tax.cats, targets: tax.targets, prefix: 'e' });
      editArea.append(h('h3', {}, tEl('span', 'mod.editTitle')), summary, form.root);
      editArea.hidden = false;
      form.fill(it.submission.feature);
      await form.start();
      editBtn.setAttribute('aria-expanded', 'true');
      approve.replaceChildren(tEl('span', 'mod.approveEdited'));
      editBtn.replaceChildren(tEl('span', 'mod.editCancel'));
      form.focus('name');
    } else {
      form = null;
      editArea.replaceChildren();
      editArea.hidden = true;
      summary.hidden = true;
      editBtn.setAttribute('aria-expanded', 'false');
      approve.replaceChildren(tEl('span', 'mod.approve'));
      editBtn.replaceChildren(tEl('span', 'mod.editFirst'));
    }
  });
  approve.addEventListener('click', async () => {
    let body; // no body: approve as submitted
    if (form) {
      const found = form.validate();
      if (found.size) {
        renderErrorSummary(summary, form, { focus: true });
        return;
      }
      body = form.values();
    }
    try {
      approve.disabled = true;
      const res = await post(`${base}/approve`, body);
      notice('mod.done.approve', { title: (form ? body.properties.name : it.title) || '' });
      void res;
      keepNotice = true;
      location.hash = '';
    } catch (err) {
      if (err.status === 422 && form) {
        form.showErrors(form.serverErrors(err.fields));
        renderErrorSummary(summary, form, { focus: true });
      } else {
        failed(err);
      }
    } finally {
      approve.disabled = false;
    }
  });
  box.append(h('div', { class: 'action-box' }, h('div', { class: 'action-row' }, approve, imported ? null : editBtn), editArea));

  // Reject with a reason.
  // An import has no submitter to read the reason: it stays in the decision log.
  const reason = textArea('reject-reason', imported ? 'mod.reasonLogged' : 'mod.reason', true);
  const reject = h('button', { type: 'button', class: 'btn btn-danger', id: 'reject' }, tEl('span', 'mod.reject'));
  reject.addEventListener('click', async () => {
    const v = reason.ta.value.trim();
    if (!v) return reason.error('mod.reasonRequired');
    reason.error(null);
    if (await act(`${base}/reject`, { reason: v }, 'mod.done.reject', null, reject)) {
      keepNotice = true;
      location.hash = '';
    }
    return undefined;
  });
  box.append(h('div', { class: 'action-box' }, h('h4', {}, tEl('span', 'mod.rejectTitle')), reason.wrap, reject));

  if (imported) return box;

  // Ask for changes.
  const msg = textArea('changes-message', 'mod.changesMessage', true);
  const ask = h('button', { type: 'button', class: 'btn btn-secondary', id: 'request-changes' }, tEl('span', 'mod.requestChanges'));
  ask.addEventListener('click', async () => {
    const v = msg.ta.value.trim();
    if (!v) return msg.error('mod.changesRequired');
    msg.error(null);
    if (await act(`${base}/request-changes`, { message: v }, 'mod.done.request-changes', null, ask)) {
      keepNotice = true;
      location.hash = '';
    }
    return undefined;
  });
  box.append(h('div', { class: 'action-box' }, h('h4', {}, tEl('span', 'mod.changesTitle')), msg.wrap, ask));

  // Merge into a listing (new listings only).
  if (it.kind === 'new') {
    const inp = h('input', { type: 'text', inputmode: 'numeric', id: 'merge-into', autocomplete: 'off', class: 'coord', 'aria-describedby': 'merge-help' });
    const first = (it.duplicates || []).find((d) => d.possible_duplicate);
    if (first) inp.value = String(first.id);
    keepMerge(inp);
    const err = h('p', { class: 'field-error', id: 'merge-into-error', hidden: true });
    const mergeBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: 'merge' }, tEl('span', 'mod.merge'));
    mergeBtn.addEventListener('click', () => {
      const n = Number(inp.value.trim());
      if (!Number.isInteger(n) || n <= 0) {
        err.replaceChildren(tEl('span', 'mod.mergeRequired'));
        err.hidden = false;
        inp.setAttribute('aria-invalid', 'true');
        inp.setAttribute('aria-describedby', 'merge-help merge-into-error');
        inp.focus();
        return;
      }
      merge(n, mergeBtn);
    });
    box.append(h('div', { class: 'action-box' },
      h('h4', {}, tEl('span', 'mod.mergeTitle')),
      h('p', { class: 'help', id: 'merge-help' }, tEl('span', 'mod.mergeHelp')),
      h('div', { class: 'field' }, h('label', { for: 'merge-into' }, tEl('span', 'mod.mergeTarget')), inp, err),
      mergeBtn));
  }
  return box;
}

function reportActions(it) {
  const base = `/api/moderation/items/${encodeURIComponent(it.id)}`;
  const note = textArea('report-note', 'mod.note', false);
  const resolve = h('button', { type: 'button', class: 'btn btn-primary', id: 'resolve' }, tEl('span', 'mod.resolve'));
  const dismiss = h('button', { type: 'button', class: 'btn btn-secondary', id: 'dismiss' }, tEl('span', 'mod.dismiss'));
  for (const [b, what] of [[resolve, 'resolve'], [dismiss, 'dismiss']]) {
    b.addEventListener('click', async () => {
      const v = note.ta.value.trim();
      if (await act(`${base}/${what}`, v ? { note: v } : {}, `mod.done.${what}`, null, b)) {
        keepNotice = true;
        location.hash = '';
      }
    });
  }
  return h('section', { class: 'actions-panel', 'aria-labelledby': 'actions-title' },
    h('h3', { id: 'actions-title' }, tEl('span', 'mod.actions')),
    h('div', { class: 'action-box' }, note.wrap, h('div', { class: 'action-row' }, resolve, dismiss)));
}

// ---- published listings --------------------------------------------------------------------

$('listing-search').addEventListener('submit', async (e) => {
  e.preventDefault();
  const q = $('listing-q').value.trim();
  if (/^\d+$/.test(q)) {
    location.hash = `#listing/${q}`;
    return;
  }
  try {
    const p = new URLSearchParams({ limit: '50' });
    if (q) p.set('q', q);
    const r = await get(`/api/services?${p}`);
    const feats = r.features || [];
    $('listing-count').replaceChildren(feats.length ? tEl('span', 'mod.listingFound', { n: r.total ?? feats.length }) : tEl('span', 'mod.listingNone'));
    $('listing-results').replaceChildren(...feats.map((f) => {
      const id = f.properties.id ?? f.id;
      return h('li', { class: 'queue-item' }, h('a', { href: `#listing/${id}` },
        h('span', { class: 'qi-title' }, h('span', { class: 'qi-name' }, f.properties.name || '')),
        h('span', { class: 'qi-meta' }, `n. ${id}`, f.properties.address ? ` – ${f.properties.address}` : '')));
    }));
  } catch (err) {
    failed(err);
  }
});

async function loadListing(id) {
  // The moderators' view includes unpublished listings; the public one is the fallback.
  try {
    return await get(`/api/moderation/services/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status !== 404 && err.status !== 405) throw err;
  }
  return get(`/api/services/${encodeURIComponent(id)}`);
}

async function showListing(id) {
  showOnly('listing-view');
  $('listing-title').textContent = t('mod.loading');
  $('listing-body').replaceChildren();
  let f;
  try {
    f = await loadListing(id);
  } catch (err) {
    if (err.status === 404) {
      $('listing-title').textContent = t('mod.notFound');
      setPageState('ready');
      return;
    }
    failed(err);
    return;
  }
  renderListing(id, f);
  setPageState('ready');
  $('listing-title').focus();
}

function renderListing(id, f) {
  const p = f.properties || {};
  const status = p.status || 'published';
  $('listing-title').textContent = `${p.name || ''} (n. ${id})`;
  const base = `/api/moderation/services/${encodeURIComponent(id)}`;
  const mapBox = h('div', { class: 'pin-map pin-map-small', id: 'listing-map' });
  const facts = h('dl', { class: 'facts' },
    h('dt', {}, tEl('span', 'mod.status')), h('dd', { id: 'listing-status' }, tEl('span', `mod.listingStatus.${status}`)),
    h('dt', {}, tEl('span', 'mod.verifiedAt')), h('dd', { id: 'listing-verified' }, p.verified_at ? dateEl(p.verified_at) : tEl('span', 'mod.neverVerified')),
    p.updated_at ? [h('dt', {}, tEl('span', 'mod.updatedAt')), h('dd', {}, dateEl(p.updated_at))] : null,
    h('dt', {}, tEl('span', 'mod.service')), h('dd', {}, h('a', { href: `/?service=${id}`, target: '_blank', rel: 'noopener' }, tEl('span', 'mod.openCard'))));

  const reload = () => showListing(id);
  const verify = h('button', { type: 'button', class: 'btn btn-secondary', id: 'verify' }, tEl('span', 'mod.verify'));
  verify.addEventListener('click', async () => { if (await act(`${base}/verify`, {}, 'mod.done.verify', null, verify)) reload(); });
  const reasonWrap = textArea('unpublish-reason', 'mod.unpublishReason', false);
  const toggle = status === 'unpublished'
    ? h('button', { type: 'button', class: 'btn btn-secondary', id: 'republish' }, tEl('span', 'mod.republish'))
    : h('button', { type: 'button', class: 'btn btn-danger', id: 'unpublish' }, tEl('span', 'mod.unpublish'));
  toggle.addEventListener('click', async () => {
    const what = status === 'unpublished' ? 'republish' : 'unpublish';
    const v = reasonWrap.ta.value.trim();
    if (await act(`${base}/${what}`, v ? { reason: v } : {}, `mod.done.${what}`, null, toggle)) reload();
  });

  const editBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'edit-listing', 'aria-expanded': 'false', 'aria-controls': 'listing-edit' }, tEl('span', 'mod.edit'));
  const editArea = h('div', { id: 'listing-edit', hidden: true });
  const summary = h('div', { class: 'error-summary', id: 'listing-summary', tabindex: '-1', hidden: true });
  let form = null;
  editBtn.addEventListener('click', async () => {
    if (form) return;
    form = createServiceForm({ config, cats: tax.cats, targets: tax.targets, prefix: 'l' });
    const save = h('button', { type: 'button', class: 'btn btn-primary btn-large', id: 'save-listing' }, tEl('span', 'mod.save'));
    save.addEventListener('click', async () => {
      const found = form.validate();
      if (found.size) {
        renderErrorSummary(summary, form, { focus: true });
        return;
      }
      try {
        save.disabled = true;
        await post(`${base}/edit`, form.values());
        notice('mod.done.edit', null);
        reload();
      } catch (err) {
        if (err.status === 422) {
          form.showErrors(form.serverErrors(err.fields));
          renderErrorSummary(summary, form, { focus: true });
        } else failed(err);
      } finally {
        save.disabled = false;
      }
    });
    editArea.append(summary, form.root, h('div', { class: 'form-actions' }, save));
    editArea.hidden = false;
    editBtn.setAttribute('aria-expanded', 'true');
    editBtn.hidden = true;
    form.fill(f);
    await form.start();
    form.focus('name');
  });

  $('listing-body').replaceChildren(
    h('div', { class: 'detail-grid' },
      h('div', {}, facts, section('mod.preview', mapBox)),
      h('div', {}, h('section', { class: 'actions-panel', 'aria-labelledby': 'listing-actions-title' },
        h('h3', { id: 'listing-actions-title' }, tEl('span', 'mod.listingActions')),
        h('div', { class: 'action-box' }, h('div', { class: 'action-row' }, editBtn, verify)),
        h('div', { class: 'action-box' }, reasonWrap.wrap, toggle)))),
    editArea,
    section('mod.current', featureFacts(f)));
  applyPage($('listing-body'));
  const c = f.geometry && f.geometry.coordinates;
  if (c) startPreview(mapBox, c);
}

// ---- routing -------------------------------------------------------------------------------

async function route() {
  if (!currentUser()) {
    showLogin();
    return;
  }
  showUser();
  const hash = decodeURIComponent(location.hash.slice(1));
  setPageState('loading');
  if (hash.startsWith('item/')) await showItem(hash.slice(5));
  else if (hash.startsWith('listing/')) await showListing(hash.slice(8));
  else await showQueue({ focus: !!currentNotice() });
}

window.addEventListener('hashchange', () => {
  // A message from an action stays for the view it leads to; plain navigation clears it.
  if (keepNotice) keepNotice = false;
  else notice(null);
  route();
});

onLangChange(() => {
  const n = currentNotice();
  if (n) notice(n.key, n.vars);
  if (currentUser()) showUser();
});

async function start() {
  try {
    tax = await loadTaxonomy(get);
    catMap = new Map(tax.cats.map((c) => [c.slug, c]));
    tgMap = new Map(tax.targets.map((c) => [c.slug, c]));
  } catch {
    tax = { cats: [], targets: [] };
  }
  try {
    await whoAmI();
  } catch (err) {
    failed(err);
  }
  await route();
}

start();
