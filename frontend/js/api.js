// The public API's endpoints as the citizens' map calls them, over the one fetch wrapper
// (./http.js): errors are HttpError (status, the server's `error` code, `parameter`, …).

import { get, HttpError, post } from './http.js';

/** GET `path` with `params` (URLSearchParams) as the query. */
export function getJson(path, params, signal) {
  return get(path, { query: params || undefined, signal });
}

export const categories = () => getJson('/api/categories');
export const targetGroups = () => getJson('/api/target-groups');

/**
 * Every matching service for the map (one request for the whole area, or `bbox`).
 * Falls back to paging /api/services when the server has no points endpoint.
 */
export async function points(filters, bbox, signal) {
  const p = new URLSearchParams(filters);
  if (bbox) p.set('bbox', bbox.map((x) => x.toFixed(5)).join(','));
  try {
    return await getJson('/api/services/points', p, signal);
  } catch (e) {
    // No such route: a 404, or /api/services/{id} refusing "points" as an id.
    const missing = e instanceof HttpError
      && (e.status === 404 || (e.status === 400 && e.parameter === 'id'));
    if (!missing) throw e;
  }
  // Older servers: page through the list (bounded; the map is a view, not an archive).
  p.set('limit', '500');
  const features = [];
  let total = 0;
  for (let page = 0; page < 20; page++) {
    const r = await getJson('/api/services', p, signal);
    features.push(...r.features);
    total = r.total ?? features.length;
    if (!r.next_cursor) return { type: 'FeatureCollection', features, total, truncated: false };
    p.set('cursor', r.next_cursor);
  }
  return { type: 'FeatureCollection', features, total, truncated: true };
}

export function nearest(filters, near, k, signal) {
  const p = new URLSearchParams(filters);
  p.set('lat', near.lat.toFixed(6));
  p.set('lon', near.lon.toFixed(6));
  p.set('k', String(k));
  return getJson('/api/services/nearest', p, signal);
}

/**
 * Search by need: the citizen's sentence as typed, read by the server. `params` carries the
 * usual filters (URLSearchParams); the answer is a FeatureCollection plus `interpretation`,
 * `relaxed`, `related_categories`, `benefits` and `total`.
 */
export function search(q, lang, params, near, k, signal) {
  const p = new URLSearchParams(params);
  p.set('q', q);
  p.set('lang', lang);
  if (near) {
    p.set('lat', near.lat.toFixed(6));
    p.set('lon', near.lon.toFixed(6));
  }
  if (k) p.set('k', String(k));
  return getJson('/api/search', p, signal);
}

/** Up to 8 suggestions for a prefix: `{suggestions: [{kind, label, text, id?}]}`. */
export function suggest(q, lang, signal) {
  return getJson('/api/search/suggest', new URLSearchParams({ q, lang }), signal);
}

export const service = (id, signal) => getJson(`/api/services/${encodeURIComponent(id)}`, null, signal);

export function geocode(q, signal) {
  const p = new URLSearchParams({ q, limit: '6' });
  return getJson('/api/geocode', p, signal);
}

export function report(id, body) {
  return post(`/api/services/${encodeURIComponent(id)}/reports`, body);
}
