// The login form, the "logged in as" bar, the page notice and the handling of 401/403
// shared by the moderation and admin pages (same element ids on both).

import { $ } from './dom.js';
import { t, tEl } from './i18n.js';
import { currentUser, forget, login, logout, whoAmI } from './session.js';

let noticeMsg = null;
let onLoginCb = async () => {};
let onShowLogin = () => {};

/** Sets the page notice (role=status); `focus` moves the focus to it. */
export function notice(key, vars, { focus = false } = {}) {
  noticeMsg = key ? { key, vars } : null;
  const el = $('mod-notice');
  el.textContent = key ? t(key, vars) : '';
  if (key && focus) el.focus();
}

/** The current notice, to repeat it after a language change. */
export const currentNotice = () => noticeMsg;

/** Shows "Connesso come …" and the logout button, or hides them. */
export function showUser() {
  const u = currentUser();
  $('user-bar').hidden = !u;
  if (u) $('user-name').replaceChildren(tEl('span', 'mod.loggedAs', { user: u.username, role: t(`mod.role.${u.role}`) }));
}

/** Shows the login form (with a message), hiding the views via the page's callback. */
export function showLogin(messageKey) {
  onShowLogin();
  $('login-view').hidden = false;
  showUser();
  if (messageKey) notice(messageKey, null);
  $('login-username').focus();
  document.documentElement.dataset.state = 'ready';
}

/** 401 → login, 403 → a message (a stale CSRF token is fetched again). True when handled. */
export function handleAuthError(err) {
  if (err.status === 401) {
    forget();
    showLogin('mod.sessionEnded');
    return true;
  }
  if (err.status === 403) {
    if (err.code === 'csrf') {
      whoAmI().catch(() => {});
      notice('mod.csrf', null, { focus: true });
    } else {
      notice('mod.forbidden', null, { focus: true });
    }
    return true;
  }
  return false;
}

/** Any failed request: auth errors as above, else a message naming the problem. */
export function failed(err) {
  if (handleAuthError(err)) return;
  let msg = err.message;
  if (err.status === 0) msg = t('err.network');
  else if (err.status >= 500) msg = t('err.server');
  notice('mod.failed', { msg }, { focus: true });
}

function loginError(key, vars) {
  const e = $('login-error');
  if (!key) {
    e.hidden = true;
    e.replaceChildren();
    return;
  }
  e.replaceChildren(tEl('span', key, vars));
  e.hidden = false;
}

/**
 * Wires the login form and the logout button. `onLogin()` runs after a successful login;
 * `hideViews()` hides the page's other views when the login form shows.
 */
export function wireAuth({ onLogin, hideViews }) {
  onLoginCb = onLogin;
  onShowLogin = hideViews;
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    loginError(null);
    const u = $('login-username').value.trim();
    const p = $('login-password').value;
    if (!u || !p) {
      loginError('mod.needBoth');
      (u ? $('login-password') : $('login-username')).focus();
      return;
    }
    const btn = $('login-submit');
    btn.disabled = true;
    btn.textContent = t('mod.loggingIn');
    try {
      await login(u, p);
      $('login-password').value = '';
      notice(null);
      $('login-view').hidden = true;
      showUser();
      await onLoginCb();
    } catch (err) {
      if (err.status === 401) loginError('mod.badLogin');
      else if (err.status === 429) loginError('mod.locked', { n: err.retryAfter || 60 });
      else loginError('mod.failed', { msg: err.status === 0 ? t('err.network') : err.message });
      $('login-password').focus();
    } finally {
      btn.disabled = false;
      btn.textContent = t('mod.login');
    }
  });
  $('logout').addEventListener('click', async () => {
    try {
      await logout();
    } catch {
      // The session is forgotten here anyway.
    }
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    showLogin('mod.loggedOut');
  });
}
