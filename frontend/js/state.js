// The page's state and its URL form (the contract's URL parameters), both ways.
//
// `?lang=en&q=...&category=a,b&target=x&open_now=1&wheelchair=1&lang_spoken=en
//  &near=<lat>,<lon>&service=<id>&map=<zoom>/<lat>/<lon>`

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A state with nothing chosen. */
export function emptyState() {
  return {
    lang: null, // null: not in the URL (the stored preference or Italian applies)
    q: '',
    categories: [],
    targets: [],
    openNow: false,
    wheelchair: false,
    langSpoken: [], // ISO 639-1 codes: a language spoken at the desk (any of them)
    near: null, // {lat, lon, label?, kind: 'place'|'me'|'point'}
    service: null, // id (number)
    map: null, // {zoom, lat, lon}
  };
}

function list(value) {
  if (!value) return [];
  const out = [];
  for (const s of value.split(',')) {
    const v = s.trim().toLowerCase();
    if (SLUG.test(v) && !out.includes(v)) out.push(v);
  }
  return out;
}

function languages(value) {
  return list(value).filter((v) => /^[a-z]{2}$/.test(v));
}

function truthy(v) {
  return v === '1' || v === 'true' || v === 'yes';
}

/** Reads a state from a query string; anything malformed is ignored, not fatal. */
export function parse(search) {
  const p = new URLSearchParams(search);
  const s = emptyState();
  const lang = p.get('lang');
  if (lang === 'it' || lang === 'en') s.lang = lang;
  s.q = (p.get('q') || '').slice(0, 200);
  s.categories = list(p.get('category'));
  s.targets = list(p.get('target'));
  s.openNow = truthy(p.get('open_now'));
  s.wheelchair = truthy(p.get('wheelchair'));
  s.langSpoken = languages(p.get('lang_spoken'));
  const near = (p.get('near') || '').split(',');
  if (near.length === 2) {
    const lat = Number(near[0]);
    const lon = Number(near[1]);
    if (near[0] !== '' && near[1] !== '' && Number.isFinite(lat) && Number.isFinite(lon)
        && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      s.near = { lat, lon, kind: 'point' };
    }
  }
  const id = Number(p.get('service'));
  if (Number.isInteger(id) && id > 0) s.service = id;
  const m = (p.get('map') || '').split('/').map(Number);
  if (m.length === 3 && m.every(Number.isFinite) && m[0] >= 0 && m[0] <= 22
      && Math.abs(m[1]) <= 90 && Math.abs(m[2]) <= 180) {
    s.map = { zoom: m[0], lat: m[1], lon: m[2] };
  }
  return s;
}

function round(x, digits) {
  return String(Number(x.toFixed(digits)));
}

/** The query string (with `?`, or '' when empty) for a state. `overrides` replace fields. */
export function serialize(state, overrides = {}) {
  const s = { ...state, ...overrides };
  const p = [];
  const add = (k, v) => p.push(`${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%2F/g, '/')}`);
  if (s.lang && s.lang !== 'it') add('lang', s.lang);
  if (s.q) add('q', s.q);
  if (s.categories.length) add('category', s.categories.join(','));
  if (s.targets.length) add('target', s.targets.join(','));
  if (s.openNow) add('open_now', '1');
  if (s.wheelchair) add('wheelchair', '1');
  if (s.langSpoken.length) add('lang_spoken', s.langSpoken.join(','));
  if (s.near) add('near', `${round(s.near.lat, 5)},${round(s.near.lon, 5)}`);
  if (s.service) add('service', String(s.service));
  if (s.map) add('map', `${round(s.map.zoom, 2)}/${round(s.map.lat, 5)}/${round(s.map.lon, 5)}`);
  return p.length ? `?${p.join('&')}` : '';
}

/** The filters part of a state as API query parameters (shared by every list request). */
export function filterParams(state) {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  if (state.categories.length) p.set('category', state.categories.join(','));
  if (state.targets.length) p.set('target', state.targets.join(','));
  if (state.openNow) p.set('open_now', 'true');
  if (state.wheelchair) p.set('wheelchair', 'yes');
  if (state.langSpoken.length) p.set('lang_spoken', state.langSpoken.join(','));
  return p;
}

/** A key that changes exactly when the filters change. */
export function filterKey(state) {
  return filterParams(state).toString();
}

/** How many filters are on (for the "2 active" badge). */
export function activeFilterCount(state) {
  return (state.q ? 1 : 0) + state.categories.length + state.targets.length
    + (state.openNow ? 1 : 0) + (state.wheelchair ? 1 : 0) + (state.langSpoken.length ? 1 : 0);
}
