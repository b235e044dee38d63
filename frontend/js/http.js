// The one fetch wrapper of the web app: JSON over HTTP for every page (the map's public API
// calls in ./api.js, the submission, status, edit-link, moderation and admin pages). Every
// failure becomes an HttpError carrying the status, the server's error code, message,
// parameter, the per-field problems of a 422 and the Retry-After of a 429, so pages choose a
// message in their own language.

import { lang } from './i18n.js';

export class HttpError extends Error {
  constructor(status, body, retryAfter = null) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status; // 0: the server could not be reached
    this.code = body && body.error;
    // The house error body names it `parameter`; the search contract calls it `field`.
    this.parameter = body && (body.parameter || body.field);
    this.fields = (body && Array.isArray(body.fields) && body.fields) || [];
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

let csrfToken = null;

/** The CSRF token sent as `X-CSRF-Token` on every state-changing request (kept in memory). */
export function setCsrf(token) {
  csrfToken = token || null;
}

/**
 * `api('POST', '/api/x', {body, headers, query, signal})` → parsed JSON (or null for an empty
 * body). `query` (URLSearchParams or an object) is appended to the path. Throws HttpError for
 * any status >= 400 or a network failure; an abort is thrown as it comes.
 */
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': lang(), ...(opts.headers || {}) };
  const init = { method, headers, credentials: 'same-origin', signal: opts.signal };
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const qs = opts.query ? new URLSearchParams(opts.query).toString() : '';
  let res;
  try {
    res = await fetch(qs ? `${path}?${qs}` : path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new HttpError(0, null);
  }
  let text = '';
  try {
    text = await res.text();
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
  }
  let body = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const ra = Number(res.headers.get('Retry-After'));
    throw new HttpError(res.status, body, Number.isFinite(ra) && ra > 0 ? ra : null);
  }
  return body;
}

export const get = (path, opts) => api('GET', path, opts);
export const post = (path, body, opts = {}) => api('POST', path, { ...opts, body });
