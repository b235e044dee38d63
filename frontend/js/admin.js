// Admins' page: the accounts (add, disable/enable, new password), the failed logins of
// the last day, the vocabulary of needs (./admin-vocabulary.js), and the audit log with
// filters. Moderators are told they are not allowed; every change is audited server-side.

import { $, h } from './dom.js';
import { initPage, onLangChange, setPageState } from './page.js';
import { dateEl, t, tEl } from './i18n.js';
import moderationStrings from './strings/moderation.js';
import benefitsStrings from './strings/benefits.js';
import vocabularyStrings from './strings/vocabulary.js';
import { get, post } from './http.js';
import { currentUser, whoAmI } from './session.js';
import { currentNotice, failed, notice, showLogin, showUser, wireAuth } from './auth-ui.js';
import { benefitsLangChanged, showBenefits } from './admin-benefits.js';
import { renderVocabulary, showVocabulary } from './admin-vocabulary.js';

initPage(moderationStrings, benefitsStrings, vocabularyStrings);
setPageState('loading');

let users = [];
let resetFor = null;
let auditBefore = null; // the last id shown, for "older entries"

function hideViews() {
  $('admin-view').hidden = true;
  $('not-allowed').hidden = true;
  $('login-view').hidden = true;
}

wireAuth({ onLogin: () => show(), hideViews });

function fieldError(id, key, vars) {
  const input = $(id);
  const err = $(`${id}-error`);
  const base = input.dataset.describedBase ?? (input.getAttribute('aria-describedby') || '');
  input.dataset.describedBase = base;
  if (!key) {
    err.hidden = true;
    err.replaceChildren();
    input.removeAttribute('aria-invalid');
    if (base) input.setAttribute('aria-describedby', base);
    else input.removeAttribute('aria-describedby');
    return;
  }
  err.replaceChildren(key.startsWith('!') ? key.slice(1) : tEl('span', key, vars));
  err.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', `${base} ${err.id}`.trim());
  input.focus();
}

// ---- accounts ------------------------------------------------------------------------------

async function loadUsers() {
  try {
    const r = await get('/api/admin/users');
    users = r.items || [];
  } catch (err) {
    if (err.status === 403) {
      hideViews();
      $('not-allowed').hidden = false;
      return false;
    }
    failed(err);
    return false;
  }
  renderUsers();
  return true;
}

function renderUsers() {
  const me = currentUser();
  $('users-body').replaceChildren(...users.map((u) => {
    const toggle = h('button', { type: 'button', class: 'btn btn-secondary btn-small', dataset: { action: u.enabled ? 'disable' : 'enable', id: u.id } },
      tEl('span', u.enabled ? 'adm.disable' : 'adm.enable'), h('span', { class: 'visually-hidden' }, ` ${u.username}`));
    toggle.disabled = me && me.id === u.id && u.enabled; // an admin cannot lock themselves out
    toggle.addEventListener('click', () => setEnabled(u, !u.enabled, toggle));
    const reset = h('button', { type: 'button', class: 'btn btn-link btn-small', dataset: { action: 'reset', id: u.id } },
      tEl('span', 'adm.reset'), h('span', { class: 'visually-hidden' }, ` ${u.username}`));
    reset.addEventListener('click', () => openReset(u, reset));
    return h('tr', { dataset: { username: u.username } },
      h('th', { scope: 'row' }, u.username, me && me.id === u.id ? [' ', tEl('span', 'adm.self')] : null),
      h('td', {}, tEl('span', `mod.role.${u.role}`)),
      h('td', {}, tEl('span', u.enabled ? 'adm.enabled' : 'adm.disabled')),
      h('td', {}, h('div', { class: 'action-row' }, toggle, reset)));
  }));
}

async function setEnabled(u, enabled, button) {
  button.disabled = true;
  try {
    await post(`/api/admin/users/${u.id}/${enabled ? 'enable' : 'disable'}`, {});
    notice(enabled ? 'adm.enabledDone' : 'adm.disabledDone', { user: u.username });
    await loadUsers();
    loadAudit(true);
    const again = document.querySelector(`#users-body tr[data-username="${CSS.escape(u.username)}"] button`);
    if (again) again.focus();
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
}

function openReset(u, opener) {
  resetFor = { user: u, opener };
  $('reset-title').replaceChildren(tEl('span', 'adm.resetFor', { user: u.username }));
  $('reset-password').value = '';
  fieldError('reset-password', null);
  $('reset-box').hidden = false;
  $('reset-password').focus();
}

$('reset-cancel').addEventListener('click', () => {
  $('reset-box').hidden = true;
  if (resetFor) resetFor.opener.focus();
  resetFor = null;
});

$('reset-do').addEventListener('click', async () => {
  if (!resetFor) return;
  const pw = $('reset-password').value;
  if (pw.length < 12) {
    fieldError('reset-password', 'adm.passwordHelp');
    return;
  }
  try {
    await post(`/api/admin/users/${resetFor.user.id}/reset-password`, { password: pw });
    $('reset-password').value = '';
    $('reset-box').hidden = true;
    notice('adm.resetDone', { user: resetFor.user.username }, { focus: true });
    resetFor = null;
    loadAudit(true);
  } catch (err) {
    if (err.status === 400 || err.status === 422) fieldError('reset-password', `!${err.message}`);
    else failed(err);
  }
});

$('add-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  fieldError('new-username', null);
  fieldError('new-password', null);
  const username = $('new-username').value.trim();
  const role = $('new-role').value;
  const password = $('new-password').value;
  if (!username) {
    fieldError('new-username', 'err.required');
    return;
  }
  if (password.length < 12) {
    fieldError('new-password', 'adm.passwordHelp');
    return;
  }
  try {
    await post('/api/admin/users', { username, role, password });
    $('new-username').value = '';
    $('new-password').value = '';
    notice('adm.added', { user: username }, { focus: true });
    await loadUsers();
    loadAudit(true);
  } catch (err) {
    if (err.status === 400 || err.status === 409 || err.status === 422) {
      fieldError(err.parameter === 'password' ? 'new-password' : 'new-username', `!${err.message}`);
    } else failed(err);
  }
});

// ---- failed logins -------------------------------------------------------------------------

let logins = [];

async function loadLogins() {
  try {
    logins = (await get('/api/admin/login-attempts')).items || [];
  } catch (err) {
    failed(err);
    return;
  }
  renderLogins();
}

function renderLogins() {
  const now = Date.now();
  $('logins-body').replaceChildren(...logins.map((a) => {
    const delayed = a.delayed_until && Date.parse(a.delayed_until) > now;
    return h('tr', { dataset: { username: a.username } },
      // A name typed by a stranger: shown as text, like everything here.
      h('th', { scope: 'row' }, a.username, ' ', tEl('span', a.account ? 'adm.knownAccount' : 'adm.unknownAccount', {}, { class: 'help' })),
      h('td', {}, String(a.recent_failures)),
      h('td', {}, String(a.refused_while_delayed)),
      h('td', {}, dateEl(a.first_failure_at)),
      h('td', {}, dateEl(a.last_failure_at)),
      h('td', {}, delayed ? dateEl(a.delayed_until) : tEl('span', 'adm.notDelayed')),
      h('td', {}, a.last_success_at ? dateEl(a.last_success_at) : '—'));
  }));
  $('logins-table').hidden = logins.length === 0;
  $('logins-count').replaceChildren(logins.length
    ? tEl('span', 'adm.loginsCount', { n: logins.length })
    : tEl('span', 'adm.loginsNone'));
}

// ---- audit log -----------------------------------------------------------------------------

function json(v) {
  if (v === null || v === undefined) return '';
  return JSON.stringify(v, null, 1);
}

// An import has no listing to point to: its entry is its own subject, and the file it
// read (named in `after`) is what the admin looks for.
function isImport(a) {
  return a.subject_kind === 'import' && a.after && typeof a.after === 'object';
}

function importUser(a) {
  return isImport(a) && typeof a.after.os_user === 'string' ? ` (${a.after.os_user})` : null;
}

function subject(a) {
  if (!isImport(a)) {
    return [`${a.subject_kind || ''} ${a.subject_id ?? ''}`, a.service_id ? ` (n. ${a.service_id})` : null];
  }
  const x = a.after;
  const file = typeof x.file === 'string' ? x.file.split(/[\\/]/).pop() : '';
  return [
    tEl('span', 'adm.subjectImport', { n: a.subject_id }),
    file ? h('span', { class: 'mono audit-file', title: x.file }, file) : null,
    Number.isInteger(x.read) ? tEl('span', 'adm.importCounts', {
      read: x.read, inserted: x.inserted ?? 0, updated: x.updated ?? 0, skipped: x.skipped ?? 0,
    }, { class: 'audit-counts' }) : null,
  ];
}

async function loadAudit(fresh) {
  const p = new URLSearchParams({ limit: '50' });
  const actor = $('a-actor').value.trim();
  const action = $('a-action').value;
  const service = $('a-service').value.trim();
  const from = $('a-from').value;
  const to = $('a-to').value;
  if (actor) p.set('actor', actor);
  if (action) p.set('action', action);
  if (service) p.set('service_id', service);
  if (from) p.set('from', new Date(`${from}T00:00:00`).toISOString());
  if (to) p.set('to', new Date(`${to}T23:59:59`).toISOString());
  if (!fresh && auditBefore) p.set('before_id', String(auditBefore));
  let r;
  try {
    r = await get(`/api/moderation/audit?${p}`);
  } catch (err) {
    failed(err);
    return;
  }
  const items = r.items || r.entries || [];
  const rows = items.map((a) => h('tr', {},
    h('td', {}, dateEl(a.at)),
    h('td', {}, a.actor_name || '', importUser(a)),
    h('td', { class: 'mono' }, a.action || ''),
    h('td', {}, subject(a)),
    h('td', {}, a.reason || ''),
    // The document scrolls when long (an import's is): focusable, so that a keyboard can.
    h('td', {}, (a.before || a.after) ? h('pre', { class: 'json', tabindex: '0', 'aria-label': t('adm.colChange') }, [a.before != null ? json(a.before) : null, a.after != null ? json(a.after) : null].filter(Boolean).join('\n→\n')) : '')));
  if (fresh) $('audit-body').replaceChildren(...rows);
  else $('audit-body').append(...rows);
  const shown = $('audit-body').children.length;
  $('audit-count').replaceChildren(shown ? tEl('span', 'adm.auditCount', { n: shown }) : tEl('span', 'adm.auditNone'));
  if (items.length) auditBefore = items[items.length - 1].id;
  $('audit-more').hidden = items.length < 50;
}

$('audit-form').addEventListener('submit', (e) => {
  e.preventDefault();
  auditBefore = null;
  loadAudit(true);
});
$('audit-more').addEventListener('click', () => loadAudit(false));

// ---- start ---------------------------------------------------------------------------------

async function show() {
  const u = currentUser();
  if (!u) {
    showLogin();
    return;
  }
  showUser();
  hideViews();
  if (u.role !== 'admin') {
    $('not-allowed').hidden = false;
    setPageState('ready');
    return;
  }
  if (await loadUsers()) {
    $('admin-view').hidden = false;
    await Promise.all([
      loadLogins(),
      loadAudit(true),
      showBenefits(() => loadAudit(true)),
      showVocabulary(() => loadAudit(true)),
    ]);
  }
  setPageState('ready');
}

onLangChange(() => {
  const n = currentNotice();
  if (n) notice(n.key, n.vars);
  if (currentUser()) showUser();
  if (users.length) renderUsers();
  renderLogins();
  benefitsLangChanged();
  renderVocabulary();
});

(async () => {
  try {
    await whoAmI();
  } catch (err) {
    failed(err);
  }
  await show();
})();
