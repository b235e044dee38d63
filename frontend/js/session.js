// The moderators' session in the page: login, logout, and the CSRF token kept in memory
// only (a reloaded page asks GET /api/auth/me for it; the session itself is an HttpOnly
// cookie the page never sees).

import { get, post, setCsrf } from './http.js';

let user = null;

/** The logged-in account ({id, username, role}) or null. */
export const currentUser = () => user;

function adopt(info) {
  user = info ? { id: info.id, username: info.username, role: info.role } : null;
  setCsrf(info && info.csrf_token);
  return user;
}

/** Asks the server who is logged in; null when nobody is (401). Other errors throw. */
export async function whoAmI() {
  try {
    return adopt(await get('/api/auth/me'));
  } catch (e) {
    if (e.status === 401) return adopt(null);
    throw e;
  }
}

/** Logs in; throws HttpError (401 bad credentials, 429 with retryAfter, …). */
export async function login(username, password) {
  return adopt(await post('/api/auth/login', { username, password }));
}

/** Logs out (the server ends the session); forgets the token whatever happens. */
export async function logout() {
  try {
    await post('/api/auth/logout', {});
  } finally {
    adopt(null);
  }
}

/** Forgets the session locally (after a 401). */
export function forget() {
  adopt(null);
}
