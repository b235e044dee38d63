// MappaTU citizens' map: one state object (mirrored in the URL), one render function.
// Data (categories, map points, nearest services, the open card) is loaded on demand by
// render() and each arrival calls render() again; stale answers are dropped by key.

import * as api from './api.js';
import { $, h } from './dom.js';
import { readConfig } from './config.js';
import { applyPage, lang, setLang, t, useStrings } from './i18n.js';
import mapStrings from './strings/map.js';
import { serviceCount } from './format.js';
import { activeFilterCount, emptyState, filterKey, filterParams, parse, serialize } from './state.js';
import { buildFilters, readFilters, writeFilters } from './filters.js';
import { renderList, appendList } from './list.js';
import { renderCard, renderCardMessage } from './card.js';
import { clearPlaceResults, locate, searchPlace } from './place.js';
import { initReport, resetReport } from './report.js';
import { createMap, webglSupported } from './map.js';
import {
  chipsFor, withoutPhrase, renderChips, relaxedText, renderAlternatives, renderBenefits, initSuggest,
} from './search.js';

const PAGE = 50; // list items rendered at once
const NEAREST_K = 100;
const SEARCH_K = 100;
const LANG_KEY = 'mappatu.lang';

// ---- configuration ---------------------------------------------------------------------

useStrings(mapStrings);
const config = readConfig();

// ---- state -----------------------------------------------------------------------------

let state = parse(location.search);
restoreNearLabel(history.state);

function storedLang() {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}
setLang(state.lang || storedLang() || 'it');
state.lang = lang();
if (state.lang && state.lang !== storedLang()) rememberLang(state.lang);

function rememberLang(l) {
  try {
    localStorage.setItem(LANG_KEY, l);
  } catch {
    // Private mode: the URL still carries the language.
  }
}

function restoreNearLabel(hs) {
  if (state.near && hs && hs.near && hs.near.lat === round5(state.near.lat)
      && hs.near.lon === round5(state.near.lon)) {
    state.near.kind = hs.near.kind;
    state.near.label = hs.near.label;
  }
}

function round5(x) {
  return Number(x.toFixed(5));
}

let lastView = null; // the map's view after its latest move

/** What each history entry keeps besides its URL: the origin's label, the map's view. */
function historyState() {
  const hs = lastView ? { view: lastView } : {};
  if (state.near) {
    hs.near = { lat: round5(state.near.lat), lon: round5(state.near.lon), kind: state.near.kind, label: state.near.label };
  }
  return hs;
}

let lastPush = { kind: null, at: 0 };

/** Applies a change. push: a new history entry (meaningful change) or replace (the same one). */
function commit(changes, { push = true, kind = 'other' } = {}) {
  state = { ...state, ...changes };
  const url = `${location.pathname}${serialize(state)}${location.hash}`;
  const now = Date.now();
  // Typing in the search box makes one history entry, not one per pause.
  const coalesce = kind === 'q' && lastPush.kind === 'q' && now - lastPush.at < 4000;
  if (push && !coalesce && url !== `${location.pathname}${location.search}${location.hash}`) {
    history.pushState(historyState(), '', url);
  } else {
    history.replaceState(historyState(), '', url);
  }
  if (push) lastPush = { kind, at: now };
  render();
}

// ---- data ------------------------------------------------------------------------------

const data = {
  cats: null, // array
  catMap: new Map(),
  targets: [],
  targetMap: new Map(),
  taxonomyError: false,
  points: null, // {key, fc, sorted, sortedLang, error}
  nearest: null, // {key, items, error}
  card: null, // {id, feature, error}
  search: null, // {key, answer, error}: /api/search for the words in the box
  desk: undefined, // the Sportello Famiglia's feature (null: not on the map), for empty answers
};
const inflight = {};

function load(kind, key, fetcher, onDone) {
  if (inflight[kind] && inflight[kind].key === key) return;
  if (inflight[kind]) inflight[kind].ctrl.abort();
  const ctrl = new AbortController();
  inflight[kind] = { key, ctrl };
  fetcher(ctrl.signal).then(
    (value) => {
      if (inflight[kind] && inflight[kind].key === key) inflight[kind] = null;
      onDone(value, null);
      render();
    },
    (err) => {
      if (err && err.name === 'AbortError') return;
      if (inflight[kind] && inflight[kind].key === key) inflight[kind] = null;
      onDone(null, err);
      render();
    },
  );
}

function loadTaxonomy() {
  Promise.all([api.categories(), api.targetGroups()]).then(([c, g]) => {
    data.cats = c.items || [];
    data.catMap = new Map(data.cats.map((x) => [x.slug, x]));
    data.targets = g.items || [];
    data.targetMap = new Map(data.targets.map((x) => [x.slug, x]));
    data.taxonomyError = false;
    if (mapCtl) mapCtl.setCategories(data.cats);
    filtersBuiltLang = null;
    // A link may name categories or groups that no longer exist: drop them quietly.
    const categories = state.categories.filter((x) => data.catMap.has(x));
    const targets = state.targets.filter((x) => data.targetMap.has(x));
    if (categories.length !== state.categories.length || targets.length !== state.targets.length) {
      commit({ categories, targets }, { push: false });
      return;
    }
    render();
  }, () => {
    data.taxonomyError = true;
    data.cats = [];
    render();
  });
}

/** Whether the map is limited to the visible area (a huge directory sent only partly). */
let pointsByView = false;

function viewBbox() {
  // The visible area plus a margin, so small moves need no new request.
  const [w, s, e, n] = mapCtl.bounds();
  const dx = (e - w) / 2;
  const dy = (n - s) / 2;
  return [w - dx, s - dy, e + dx, n + dy];
}

function contains(outer, inner) {
  return inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
}

/**
 * Loads the map's points for the filters: once for the whole area; when the server says
 * that was truncated, for the view (plus a margin) after each move that leaves the loaded
 * box, or zooms into a box that was itself truncated.
 */
function ensurePoints() {
  const fk = filterKey(state);
  const byView = pointsByView && mapCtl && !mapFailed();
  const p = data.points;
  const view = byView ? mapCtl.bounds() : null;
  const viewKey = view ? view.map((x) => x.toFixed(4)).join(',') : '';
  if (p && p.filter === fk) {
    if (p.error) return; // the retry button clears it
    if (!byView && !p.bbox) return;
    if (byView && p.bbox && contains(p.bbox, view) && (!p.fc.truncated || p.viewKey === viewKey)) return;
  }
  const bbox = byView ? viewBbox() : null;
  const key = `${fk}|${bbox ? bbox.map((x) => x.toFixed(4)).join(',') : ''}`;
  load('points', key, (signal) => api.points(filterParams(state), bbox, signal), (fc, err) => {
    if (err) {
      data.points = { key, filter: fk, bbox, viewKey, fc: null, error: err };
      return;
    }
    if (fc.truncated && !bbox && mapCtl && !mapFailed()) pointsByView = true;
    mark('points');
    data.points = { key, filter: fk, bbox, viewKey, fc, sorted: null, sortedLang: null, error: null };
  });
}

function nearestKey() {
  return `${filterKey(state)}|${state.near.lat.toFixed(6)},${state.near.lon.toFixed(6)}`;
}

function ensureNearest() {
  const key = nearestKey();
  if (data.nearest && data.nearest.key === key) return;
  const near = state.near;
  load('nearest', key, (signal) => api.nearest(filterParams(state), near, NEAREST_K, signal), (fc, err) => {
    data.nearest = err ? { key, items: null, error: err } : { key, items: fc.features, error: null };
  });
}

/** Words in the box: the list and the map show what /api/search makes of them. */
function searchMode() {
  return !!state.q;
}

/** The other filters of the form (the words go as `q` on their own). */
function searchFilterParams() {
  const p = filterParams(state);
  p.delete('q');
  return p;
}

function searchKey() {
  const near = state.near ? `${state.near.lat.toFixed(6)},${state.near.lon.toFixed(6)}` : '';
  return `${lang()}|${filterKey(state)}|${near}`;
}

let searchFit = null; // the key of an answer the map has not been fitted to yet
let skipFirstSearchFit = !!state.map;

function ensureSearch() {
  const key = searchKey();
  if (data.search && data.search.key === key) return;
  const q = state.q;
  const l = lang();
  const params = searchFilterParams();
  const near = state.near;
  load('search', key, (signal) => api.search(q, l, params, near, SEARCH_K, signal), (answer, err) => {
    if (err) {
      data.search = { key, answer: null, error: err };
      return;
    }
    if (!Array.isArray(answer.features)) answer.features = [];
    data.search = { key, answer, error: null };
    searchFit = key;
    if (!answer.features.length && data.desk === undefined) ensureDesk();
  });
}

/** Finds the Sportello Famiglia once, so an empty answer can offer to call it. */
function ensureDesk() {
  data.desk = null;
  const wanted = 'sportello famiglia';
  const fold = (x) => (x || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
  api.getJson('/api/services', new URLSearchParams({ q: 'Sportello Famiglia', limit: '20' })).then((fc) => {
    const list = (fc && fc.features) || [];
    const found = list.find((f) => fold(f.properties.name) === wanted)
      || list.find((f) => fold(f.properties.name).includes(wanted));
    // The list's summaries leave out contacts: the full record has the phone number.
    return found ? api.service(found.properties.id) : null;
  }).then((feature) => {
    data.desk = feature || null;
    searchExtrasKey = null;
    render();
  }, () => {
    data.desk = null;
  });
}

function ensureCard() {
  const id = state.service;
  if (data.card && data.card.id === id) return;
  load('card', id, (signal) => api.service(id, signal), (feature, err) => {
    data.card = { id, feature, error: err };
  });
}

// ---- map -------------------------------------------------------------------------------

let mapCtl = null;
let mapState = 'loading'; // loading | ready | unavailable
let mapPointsFc = null;
let pendingFit = false; // fit the map to the origin and the nearest results once they arrive
// With no view in the URL and no origin, the first map shows every matching service, so
// the list (what the map shows) starts complete.
let initialFit = !state.map && !state.near;
let mapNoticeKey = null;

function mapFailed() {
  return mapState === 'unavailable';
}

function setMapState(s) {
  mapState = s;
  $('map').dataset.map = s;
}

function showMapNotice(key) {
  mapNoticeKey = key;
  const el = $('map-notice');
  el.textContent = key ? t(key) : '';
  el.hidden = !key;
}

// MapLibre's worker script is fetched now, in parallel with MapLibre itself, rather than
// when the map is created; the map then starts its worker from this copy (a blob: URL,
// allowed by the page's worker-src).
const workerUrl = `${config.assets}/vendor/maplibre-gl/maplibre-gl-csp-worker.js`;
const workerBlobUrl = webglSupported()
  ? fetch(workerUrl)
    .then((r) => (r.ok ? r.blob() : null))
    .then((b) => (b ? URL.createObjectURL(new Blob([b], { type: 'text/javascript' })) : workerUrl))
    .catch(() => workerUrl)
  : Promise.resolve(workerUrl);

function maplibreLoaded() {
  return new Promise((resolve, reject) => {
    if (window.maplibregl) {
      resolve();
      return;
    }
    const script = $('maplibre-script');
    if (!script) {
      reject(new Error('no MapLibre script'));
      return;
    }
    script.addEventListener('load', () => (window.maplibregl ? resolve() : reject(new Error('no maplibregl'))));
    script.addEventListener('error', () => reject(new Error('MapLibre failed to load')));
  });
}

function mapUnavailable(noticeKey) {
  setMapState('unavailable');
  showMapNotice(noticeKey);
  document.body.classList.add('no-map');
  render();
}

async function startMap() {
  if (!webglSupported()) {
    mapUnavailable('map.noWebgl');
    return;
  }
  try {
    await maplibreLoaded();
    mark('maplibre');
    window.maplibregl.setWorkerUrl(await workerBlobUrl);
    mapCtl = createMap({
      container: $('map'),
      config,
      view: state.map,
      onPick: (p) => {
        clearPlaceResults();
        pendingFit = false;
        notify(t('map.clickHint'));
        commit({ near: { lat: p.lat, lon: p.lon, kind: 'point' } });
      },
      onService: (id) => openService(id),
      onMoveEnd: (user) => {
        if (user) pendingFit = false;
        // The view goes in the URL once the user has moved the map; after that it follows
        // every move (so a stale view is never shared).
        lastView = mapCtl.view();
        if (user || state.map) {
          commit({ map: lastView }, { push: false });
        } else {
          // Not in the URL, but kept with the history entry so Back restores the view.
          history.replaceState(historyState(), '', location.href);
          render();
        }
      },
      onStatus: (s) => {
        if (s === 'unavailable') mapUnavailable(mapNoticeKey || 'map.unavailable');
        else setMapState(s);
      },
      onNotice: (key) => showMapNotice(key),
      onAttribution: (text) => { $('attribution-extra').textContent = text ? ` · ${text}` : ''; },
    });
    if (data.cats) mapCtl.setCategories(data.cats);
    mapCtl.setLang();
    // No view in the URL: a shared origin decides the view once its results arrive.
    if (!state.map && state.near) pendingFit = true;
  } catch (e) {
    mapCtl = null;
    mapUnavailable('map.unavailable');
    return;
  }
  render();
}

// ---- rendering -------------------------------------------------------------------------

let renderedLang = null;
let filtersBuiltLang = null;
let listKey = null;
let listItems = [];
let listShown = 0;
let cardKey = null;
let focusCard = false;
let lastFocusedId = null;
const collators = {};

function collator() {
  collators[lang()] ||= new Intl.Collator(lang(), { sensitivity: 'base', numeric: true });
  return collators[lang()];
}

function sortedPoints() {
  const p = data.points;
  if (!p.sorted || p.sortedLang !== lang()) {
    // Sort keys made once (case and accents folded), then a plain comparison: a collator
    // call per comparison costs ~100 ms for 10 000 names on a slow phone.
    const c = collator();
    const keyed = p.fc.features.map((f) => {
      const name = f.properties.name || '';
      return { f, k: name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(), name };
    });
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : c.compare(a.name, b.name)));
    p.sorted = keyed.map((x) => x.f);
    p.sortedLang = lang();
  }
  return p.sorted;
}

function haversine(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** What the list shows now: {items, scope, mode, key} or {loading} or {error}. */
function listModel() {
  if (searchMode()) {
    const sr = data.search;
    if (!sr || sr.key !== searchKey()) return { loading: true };
    if (sr.error) return { error: sr.error };
    const items = sr.answer.features;
    const byDistance = items.some((f) => Number.isFinite(f.properties.distance_m));
    return {
      items, mode: 'search', key: `search|${sr.key}`, answer: sr.answer,
      scope: byDistance ? t('results.scopeSearchNear') : t('results.scopeSearch'),
    };
  }
  if (state.near) {
    const n = data.nearest;
    if (!n || n.key !== nearestKey()) return { loading: true };
    if (n.error) return { error: n.error };
    return {
      items: n.items, mode: 'near', key: `near|${n.key}`,
      scope: n.items.length >= NEAREST_K ? t('results.scopeNearMax', { n: NEAREST_K }) : t('results.scopeNear'),
    };
  }
  const p = data.points;
  // Points for the same filters (perhaps for the previous view, while the next load).
  if (!p || p.filter !== filterKey(state)) return { loading: true };
  if (p.error) return { error: p.error };
  const all = sortedPoints();
  if (mapCtl && !mapFailed()) {
    if (initialFit) return { loading: true };
    const [w, s, e, n] = mapCtl.bounds();
    const items = all.filter((f) => {
      const [x, y] = f.geometry.coordinates;
      return x >= w && x <= e && y >= s && y <= n;
    });
    return {
      items, mode: 'view', key: `view|${p.key}|${[w, s, e, n].map((v) => v.toFixed(5)).join(',')}`,
      scope: t('results.scopeView'), elsewhere: all,
    };
  }
  return { items: all, mode: 'all', key: `all|${p.key}`, scope: t('results.scopeAll') };
}

function hrefFor(id) {
  // The service first, so the link reads "?service=<id>&…"; the view is left to the map.
  const rest = serialize({ ...state, service: null, map: null });
  return `?service=${id}${rest ? `&${rest.slice(1)}` : ''}`;
}

function listCtx() {
  return { lang: lang(), cats: data.catMap, targets: data.targetMap, hrefFor, showDistance: !!state.near || searchMode() };
}

function renderLanguage() {
  if (renderedLang === lang()) return;
  renderedLang = lang();
  document.documentElement.lang = lang();
  applyPage();
  document.title = t('title');
  const sw = $('lang-switch');
  sw.textContent = t('lang.other');
  sw.lang = t('lang.otherCode');
  sw.setAttribute('aria-label', t('lang.switchLabel'));
  $('app-version').textContent = config.version ? t('version', { v: config.version }) : '';
  if (mapCtl) mapCtl.setLang();
  if (mapNoticeKey) showMapNotice(mapNoticeKey);
  $('report-status').textContent = ''; // it was in the other language
  listKey = null;
  cardKey = null;
}

function renderOrigin() {
  const box = $('origin');
  if (!state.near) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const n = state.near;
  $('origin-label').textContent = n.kind === 'me' ? t('origin.here')
    : n.kind === 'place' && n.label ? t('origin.place', { label: n.label })
      : t('origin.point');
}

function renderResults() {
  const model = listModel();
  const ol = $('results');
  const count = $('results-count');
  const empty = $('results-empty');
  const more = $('results-more');
  if (model.loading) {
    return false;
  }
  if (model.error) {
    const key = `error|${model.error.status}|${lang()}`;
    if (listKey !== key) {
      listKey = key;
      listItems = [];
      ol.replaceChildren();
      count.textContent = '';
      $('results-scope').textContent = '';
      const retry = h('button', { type: 'button', class: 'btn btn-secondary' }, t('results.retry'));
      retry.addEventListener('click', () => {
        data.points = null;
        data.nearest = null;
        data.search = null;
        render();
      });
      empty.replaceChildren(t(model.error.status === 400 ? 'error.invalid' : 'results.error',
        { field: t(`field.${model.error.parameter}`) }), ' ', retry);
      empty.hidden = false;
      more.hidden = true;
    }
    return true;
  }
  const key = `${model.key}|${lang()}|${data.catMap.size}`;
  if (key !== listKey) {
    const sameData = listKey && listKey.split('|')[0] === key.split('|')[0] && listItems === model.items;
    listKey = key;
    listItems = model.items;
    listShown = renderList(ol, listItems, sameData ? Math.max(listShown, PAGE) : PAGE, listCtx());
    const text = serviceCount(listItems.length);
    if (count.textContent !== text) count.textContent = text;
    $('results-scope').textContent = listItems.length ? model.scope : '';
    empty.hidden = listItems.length > 0;
    if (!listItems.length && model.mode === 'search') {
      // renderSearchExtras() offers the ways out (it waits for the Sportello's card too).
    } else if (!listItems.length && model.elsewhere && model.elsewhere.length) {
      // Matches exist, just not here: offer to show them rather than a dead end.
      const all = model.elsewhere;
      const show = h('button', { type: 'button', class: 'btn btn-secondary' }, t('results.showAll'));
      show.addEventListener('click', () => {
        mapCtl.fit(all.map((f) => f.geometry.coordinates), 15);
        $('results-heading').focus();
      });
      empty.replaceChildren(h('p', null, t('results.elsewhere', { n: all.length })), show);
    } else if (!listItems.length) {
      const clear = h('button', { type: 'button', class: 'btn btn-link' }, t('filters.clear'));
      clear.addEventListener('click', clearFilters);
      const hasFilters = filterKey(state) !== '';
      empty.replaceChildren(t(model.mode === 'view' && !hasFilters ? 'results.emptyView' : 'results.empty'),
        hasFilters ? ' ' : '', hasFilters ? clear : '');
    }
    updateMore();
    // Fit the map once to the origin and its nearest services (a new or shared origin).
    if (pendingFit && model.mode === 'near' && mapCtl && !mapFailed()) {
      pendingFit = false;
      const coords = [[state.near.lon, state.near.lat],
        ...listItems.slice(0, 5).map((f) => f.geometry.coordinates)];
      mapCtl.fit(coords);
    }
  }
  return true;
}

let searchExtrasKey = null;

function searchPlaceOrigin() {
  const ans = searchMode() && data.search && data.search.answer;
  const place = ans && ans.interpretation && ans.interpretation.place;
  if (!place || !Number.isFinite(place.lat) || !Number.isFinite(place.lon)) return null;
  return { lat: place.lat, lon: place.lon, label: place.label, kind: 'place' };
}

function searchCtx() {
  return { lang: lang(), cats: data.catMap, targets: data.targetMap, hrefFor };
}

/** Runs the search again with `q` (a chip taken out, a suggestion chosen). */
function searchFor(q, focus) {
  $('q').value = q;
  commit({ q: q.slice(0, 200), service: null }, { kind: 'submit' });
  if (focus) focus.focus();
}

const searchActions = {
  withoutChip: (chip) => searchFor(withoutPhrase(state.q, chip), $('results-heading')),
  browse: (slug) => {
    $('q').value = '';
    commit({ q: '', categories: [slug], service: null });
    $('results-heading').focus();
  },
  browseAll: () => searchFor('', $('results-heading')),
  otherFilters: () => activeFilterCount(state) > (state.q ? 1 : 0),
  clearOtherFilters: () => {
    commit({ categories: [], targets: [], openNow: false, wheelchair: false, langSpoken: [], service: null });
    $('results-heading').focus();
  },
  openService: (id) => openService(id),
};

/** Chips, what was let go, bonuses and the ways out of an empty answer, for search mode. */
function renderSearchExtras(model) {
  const chipsBox = $('q-chips');
  let key;
  if (!searchMode() || (model && model.error)) key = 'none';
  else if (!model || model.loading) return; // keep what is shown until the answer arrives
  else key = `${model.key}|${lang()}|${data.catMap.size}|${data.targetMap.size}|${data.desk ? data.desk.properties.id : data.desk}`;
  if (key === searchExtrasKey) return;
  searchExtrasKey = key;
  if (key === 'none') {
    chipsBox.hidden = true;
    $('q-chips-list').replaceChildren();
    $('search-note').textContent = '';
    $('benefits').hidden = true;
    $('benefits-list').replaceChildren();
    return;
  }
  const answer = model.answer;
  const ctx = searchCtx();
  const chips = chipsFor(answer.interpretation, ctx);
  renderChips(chipsBox, $('q-chips-list'), chips, (chip) => {
    notify(t('chip.removed', { label: chip.label }));
    searchFor(withoutPhrase(state.q, chip), $('q'));
  });
  const note = answer.features.length ? relaxedText(answer, ctx) : '';
  if ($('search-note').textContent !== note) $('search-note').textContent = note;
  renderBenefits($('benefits'), $('benefits-list'), answer, ctx, openService);
  if (!answer.features.length) {
    const empty = $('results-empty');
    renderAlternatives(empty, state.q, chips, answer, ctx, searchActions, data.desk || null);
    empty.hidden = false;
  }
}

/** The list item of the open card is marked (aria-current) so it can be found again. */
function markOpenResult() {
  const ol = $('results');
  const want = state.service ? String(state.service) : null;
  for (const li of ol.querySelectorAll('li.result.is-open')) {
    if (li.dataset.id !== want) {
      li.classList.remove('is-open');
      li.querySelector('a.result-link').removeAttribute('aria-current');
    }
  }
  if (want) {
    const li = ol.querySelector(`li.result[data-id="${want}"]`);
    if (li && !li.classList.contains('is-open')) {
      li.classList.add('is-open');
      li.querySelector('a.result-link').setAttribute('aria-current', 'true');
    }
  }
}

function updateMore() {
  const more = $('results-more');
  const left = listItems.length - listShown;
  more.hidden = left <= 0;
  if (left > 0) more.textContent = t('results.more', { n: Math.min(PAGE, left) });
}

function renderCardSection() {
  const card = $('card');
  if (!state.service) {
    if (!card.hidden) {
      card.hidden = true;
      document.body.classList.remove('card-open');
      cardKey = null;
    }
    return true;
  }
  card.hidden = false;
  document.body.classList.add('card-open');
  const c = data.card;
  if (!c || c.id !== state.service) {
    if (cardKey !== `loading|${state.service}`) {
      cardKey = `loading|${state.service}`;
      renderCardMessage(t('loading'), t('card.loading'));
      resetReport(state.service);
      $('report-open').hidden = true;
    }
    return false;
  }
  // A place named in the search counts as the starting point too (distance, directions).
  const origin = state.near || searchPlaceOrigin();
  const nearStr = origin ? `${origin.lat},${origin.lon}` : '';
  const key = `${c.id}|${lang()}|${nearStr}|${data.catMap.size}|${c.error ? c.error.status : 'ok'}`;
  if (cardKey !== key) {
    const sameService = cardKey && cardKey.split('|')[0] === String(c.id);
    cardKey = key;
    if (!sameService) resetReport(c.id);
    if (c.error) {
      const missing = c.error.status === 404 || c.error.status === 400;
      renderCardMessage(t(missing ? 'card.notFoundTitle' : 'card.errorTitle'),
        t(missing ? 'card.notFound' : 'card.error'));
      $('report-open').hidden = true;
    } else {
      let dist;
      if (origin) {
        const [x, y] = c.feature.geometry.coordinates;
        const fromList = listItems.find((f) => f.properties.id === c.id);
        dist = fromList && Number.isFinite(fromList.properties.distance_m)
          ? fromList.properties.distance_m : haversine(origin.lat, origin.lon, y, x);
      }
      renderCard(c.feature, {
        lang: lang(),
        cats: data.catMap,
        targets: data.targetMap,
        near: origin,
        distance: dist,
        coarsePointer: window.matchMedia('(pointer: coarse)').matches,
      });
      $('report-open').hidden = false;
      if (mapCtl && !mapFailed() && !sameService) {
        const [x, y] = c.feature.geometry.coordinates;
        // On wide screens the card floats over the right of the map.
        const card = $('card').getBoundingClientRect();
        const mapBox = $('map').getBoundingClientRect();
        const cover = card.left > mapBox.left + 100 ? Math.max(0, mapBox.right - card.left) : 0;
        mapCtl.show(x, y, cover);
      }
    }
  }
  if (focusCard) {
    focusCard = false;
    $('card-title').focus();
  }
  return true;
}

let rendering = false;
let renderAgain = false;

/** Brings the page in line with the state. Re-entrant calls (a map move fired while
 *  rendering) run once more afterwards instead of nesting. */
function render() {
  if (rendering) {
    renderAgain = true;
    return;
  }
  rendering = true;
  try {
    do {
      renderAgain = false;
      renderOnce();
    } while (renderAgain);
  } finally {
    rendering = false;
  }
}

function renderOnce() {
  renderLanguage();
  if (data.cats && filtersBuiltLang !== lang()) {
    filtersBuiltLang = lang();
    buildFilters(data.cats, data.targets, state, lang());
  } else {
    writeFilters(state);
  }
  renderOrigin();

  if (mapCtl) {
    const answer = searchMode() && data.search && data.search.answer;
    if (answer) {
      // Search mode: the map shows the answer's services (the list's, in its order).
      if (answer !== mapPointsFc) {
        mapPointsFc = answer;
        mapCtl.setPoints(answer);
        if (mapNoticeKey === 'map.pointsTruncated') showMapNotice(null);
      }
    } else if (!searchMode() && data.points && data.points.fc && data.points.fc !== mapPointsFc) {
      mapPointsFc = data.points.fc;
      mapCtl.setPoints(mapPointsFc);
      if (data.points.fc.truncated) showMapNotice('map.pointsTruncated');
      else if (mapNoticeKey === 'map.pointsTruncated') showMapNotice(null);
    }
    mapCtl.setOrigin(state.near || searchPlaceOrigin());
    if (searchFit && answer && data.search.key === searchFit && !mapFailed()) {
      searchFit = null;
      initialFit = false;
      if (skipFirstSearchFit) {
        skipFirstSearchFit = false; // a shared link's own view wins
      } else {
        const origin = state.near || searchPlaceOrigin();
        const coords = [...(origin ? [[origin.lon, origin.lat]] : []),
          ...answer.features.slice(0, 20).map((f) => f.geometry.coordinates)];
        if (coords.length) mapCtl.fit(coords, 15);
      }
    }
    const open = state.service && data.card && data.card.id === state.service && data.card.feature;
    mapCtl.setSelected(open || null);
    if (initialFit && !searchMode() && !mapFailed() && data.points && data.points.fc) {
      initialFit = false;
      const coords = data.points.fc.features.map((f) => f.geometry.coordinates);
      if (coords.length) mapCtl.fit(coords, 15);
    }
  }

  // Data this state needs (each call is a no-op when already loaded or loading).
  if (searchMode()) {
    ensureSearch();
  } else {
    ensurePoints();
    if (state.near) ensureNearest();
  }
  if (state.service) ensureCard();

  // The list waits for the map's first view (it lists what the map shows), unless the
  // map is out of the picture.
  const mapSettled = mapCtl || mapFailed();
  const listDone = data.cats && mapSettled ? renderResults() : false;
  if (data.cats && mapSettled) renderSearchExtras(listModel());
  const cardDone = renderCardSection();
  markOpenResult();
  const c = data.card;
  const cardName = state.service && c && c.id === state.service && c.feature && c.feature.properties.name;
  const title = cardName ? `${cardName} – ${t('title')}` : t('title');
  if (document.title !== title) document.title = title;
  document.documentElement.dataset.state = listDone && cardDone ? 'ready' : 'loading';
}

// ---- actions ---------------------------------------------------------------------------

function notify(message) {
  const el = $('notice');
  // Re-setting the same text would not be announced again: clear it first.
  if (el.textContent === message) el.textContent = '';
  el.textContent = message;
}

function openService(id) {
  lastFocusedId = id;
  focusCard = true;
  commit({ service: id });
}

function closeCard() {
  if (!state.service) return;
  const id = state.service;
  commit({ service: null });
  const link = document.querySelector(`#results li.result[data-id="${id}"] a.result-link`)
    || document.querySelector(`#results li.result[data-id="${lastFocusedId}"] a.result-link`);
  if (link) link.focus();
  else $('results-heading').focus();
}

function applyFilters(kind) {
  const f = readFilters();
  const same = f.q === state.q && f.openNow === state.openNow && f.wheelchair === state.wheelchair
    && f.categories.join() === state.categories.join() && f.targets.join() === state.targets.join()
    && f.langSpoken.join() === state.langSpoken.join();
  if (same) return;
  commit(f, { kind });
}

function clearFilters() {
  $('q').value = '';
  commit({ q: '', categories: [], targets: [], openNow: false, wheelchair: false, langSpoken: [] });
  notify(t('filters.cleared'));
}

function setOrigin(near) {
  pendingFit = true;
  commit({ near, map: null });
  notify(t('origin.set'));
  $('results-heading').focus();
}

function bind() {
  $('lang-switch').addEventListener('click', () => {
    setLang(lang() === 'it' ? 'en' : 'it');
    rememberLang(lang());
    commit({ lang: lang() }, { push: false });
  });

  const filters = $('filters');
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(qTimer);
    applyFilters('submit');
  });
  filters.addEventListener('change', (e) => {
    if (e.target.id === 'q') return;
    applyFilters('check');
  });
  // Typing asks for suggestions (search.js); the search itself runs on Enter, on the button
  // or on a chosen suggestion, so the chips do not jump while a sentence is half written.
  // An emptied box goes back to every service.
  let qTimer = null;
  $('q').addEventListener('input', () => {
    clearTimeout(qTimer);
    if (!$('q').value.trim() && state.q) qTimer = setTimeout(() => applyFilters('q'), 450);
  });
  initSuggest({
    input: $('q'),
    listbox: $('q-suggestions'),
    status: $('q-suggest-status'),
    getLang: lang,
    onPick: (s) => {
      clearTimeout(qTimer);
      if (s.kind === 'service' && Number.isInteger(s.id)) openService(s.id);
      else if (typeof s.text === 'string' && s.text.trim()) searchFor(s.text.trim(), null);
    },
  });
  $('clear-filters').addEventListener('click', clearFilters);

  $('place-form').addEventListener('submit', (e) => {
    e.preventDefault();
    searchPlace($('place').value.trim(), (p) => setOrigin({ ...p, kind: 'place' }), notify);
  });
  $('near-me').addEventListener('click', () => {
    clearPlaceResults();
    locate((p) => {
      const [w, s, e, n] = config.area;
      if (p.lon < w || p.lon > e || p.lat < s || p.lat > n) notify(t('geo.outside'));
      setOrigin({ ...p, kind: 'me' });
    }, notify);
  });
  $('origin-clear').addEventListener('click', () => {
    pendingFit = false;
    commit({ near: null });
    notify(t('origin.cleared'));
    $('place').focus();
  });

  $('results').addEventListener('click', (e) => {
    const a = e.target.closest('a.result-link');
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    openService(Number(a.closest('li.result').dataset.id));
  });
  // The list item under the pointer or the keyboard focus is ringed on the map.
  const hover = (e) => {
    const li = e.target.closest && e.target.closest('li.result');
    if (mapCtl && !mapFailed()) mapCtl.setHover(li ? Number(li.dataset.id) : null);
  };
  $('results').addEventListener('mouseover', hover);
  $('results').addEventListener('focusin', hover);
  $('results').addEventListener('mouseleave', () => mapCtl && mapCtl.setHover(null));
  $('results').addEventListener('focusout', () => mapCtl && mapCtl.setHover(null));
  $('results-more').addEventListener('click', () => {
    const from = listShown;
    const first = appendList($('results'), listItems, from, from + PAGE, listCtx());
    listShown = Math.min(listItems.length, from + PAGE);
    updateMore();
    if (first) first.focus();
  });

  $('card-close').addEventListener('click', closeCard);
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    if (!$('place-results').hidden && $('place-form').contains(document.activeElement)) {
      clearPlaceResults();
      return;
    }
    if (state.service) {
      e.preventDefault();
      closeCard();
    }
  });

  window.addEventListener('popstate', (e) => {
    const next = parse(location.search);
    next.lang = lang(); // the language is a preference, not a place in history
    const prevMap = state.map;
    state = next;
    restoreNearLabel(e.state);
    if (mapCtl && !mapFailed() && state.map
        && (!prevMap || prevMap.zoom !== state.map.zoom || prevMap.lat !== state.map.lat || prevMap.lon !== state.map.lon)) {
      mapCtl.jumpTo(state.map);
    } else if (mapCtl && !mapFailed() && !state.map && e.state && e.state.view) {
      pendingFit = false;
      initialFit = false;
      mapCtl.jumpTo(e.state.view);
    }
    clearPlaceResults();
    render();
  });

  initReport();
}

/** Timing marks for the page speed benchmark (harmless elsewhere). */
function mark(name) {
  try {
    performance.mark(`mappatu:${name}`);
  } catch {
    // No User Timing: nothing to record.
  }
}

// ---- start -----------------------------------------------------------------------------

document.documentElement.dataset.state = 'loading';
loadTaxonomy();
bind();
// The filters start folded (the summary says how many are on), so the list is on the first
// screen; a link that arrives with filters on shows them open on wide screens.
// Words alone do not open them: the chips under the box say what was understood.
if (searchFilterParams().toString() === '' || window.matchMedia('(max-width: 47.99em)').matches) {
  $('filters-details').open = false;
}
if (state.service) focusCard = true;
// A remembered English choice goes into the URL, so a copied link opens in the same language.
if (state.lang === 'en' && !new URLSearchParams(location.search).has('lang')) {
  history.replaceState(historyState(), '', `${location.pathname}${serialize(state)}${location.hash}`);
}
render();
startMap();
