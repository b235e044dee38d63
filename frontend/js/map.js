// The MapLibre map: services as category-coloured icons with clustering, the chosen origin,
// the open service. Everything here is optional: when WebGL or the style is missing the
// page keeps working without it (the caller shows the list, filters and cards anyway).

import { lang, t } from './i18n.js';
import { clusterImage, markerImage, PIXEL_RATIO } from './map-draw.js';
import {
  CLICKABLE, clusterImageExpr, focusData, FOCUS, INTERACTIVE, installLayers, ORIGIN, originData, OUR_SOURCES,
  pointsData, SRC, styleAttribution,
} from './map-layers.js';

const STYLE_TIMEOUT_MS = 6000;
/** Map animations are skipped for people who ask for less motion. */
const reduceMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

let webgl = null;

/** True when the browser can give MapLibre a WebGL context (asked once). */
export function webglSupported() {
  if (webgl === null) {
    try {
      const canvas = document.createElement('canvas');
      webgl = !!(window.WebGL2RenderingContext && canvas.getContext('webgl2'))
        || !!(window.WebGLRenderingContext && canvas.getContext('webgl'));
    } catch {
      webgl = false;
    }
  }
  return webgl;
}

function mapLocale() {
  return lang() === 'en' ? {} : {
    'Map.Title': 'Mappa',
    'NavigationControl.ZoomIn': 'Ingrandisci la mappa',
    'NavigationControl.ZoomOut': 'Rimpicciolisci la mappa',
    'NavigationControl.ResetBearing': 'Riporta il nord in alto',
  };
}

/**
 * Watches the style: falls back to the built-in blank style when the base map cannot be
 * fetched in time, gives up when even that fails (WebGL lost, no style), installs the page's
 * layers on every style load. `st` is the map's shared status ({styleLoaded, failed}).
 */
function watchStyle(map, config, st, { onStatus, onNotice, onAttribution, install }) {
  const blankStyle = `${config.assets}/styles/blank.json`;
  let usingBlank = config.map_style === blankStyle;
  let tilesNoticeShown = false;
  let timer = null;

  const fail = () => {
    if (st.failed) return;
    st.failed = true;
    clearTimeout(timer);
    onStatus('unavailable');
    onNotice('map.unavailable');
  };

  const fallBackToBlank = () => {
    if (usingBlank) {
      fail();
      return;
    }
    usingBlank = true;
    st.styleLoaded = false;
    onNotice('map.basemapDown');
    clearTimeout(timer);
    timer = setTimeout(() => { if (!st.styleLoaded) fail(); }, STYLE_TIMEOUT_MS);
    map.setStyle(blankStyle, { diff: false });
  };

  timer = setTimeout(() => { if (!st.styleLoaded) fallBackToBlank(); }, STYLE_TIMEOUT_MS);

  map.on('error', (e) => {
    if (st.failed) return;
    const sourceId = e && e.sourceId;
    if (!st.styleLoaded && !(sourceId && OUR_SOURCES.has(sourceId))) {
      // The style itself (or its sprite/glyphs) could not be fetched.
      fallBackToBlank();
    } else if (sourceId && !OUR_SOURCES.has(sourceId) && !tilesNoticeShown) {
      tilesNoticeShown = true;
      onNotice('map.tilesDown');
    }
  });

  map.on('style.load', () => {
    try { performance.mark('mappatu:style'); } catch { /* timing only */ }
    st.styleLoaded = true;
    clearTimeout(timer);
    install();
    if (onAttribution) onAttribution(styleAttribution(map));
    onNotice(usingBlank && config.map_style !== blankStyle ? 'map.basemapDown' : null);
  });

  map.on('webglcontextlost', fail);
}

/**
 * Says "ready" once markers are drawn: the first frame in which the services layers hold
 * features (or, with none in view, the first idle map after the points arrived).
 */
function watchReady(map, st, onStatus) {
  const onRender = (e, settled = false) => {
    if (st.ready || st.failed || !st.styleLoaded || !st.hasPoints || !map.getLayer('svc-points')) return;
    if (!settled && !map.queryRenderedFeatures({ layers: INTERACTIVE }).length) return;
    try {
      performance.mark('mappatu:markers');
    } catch {
      // Old browsers: the mark is only for benchmarks.
    }
    map.off('render', onRender);
    if (st.ready || st.failed) return;
    st.ready = true;
    onStatus('ready');
  };
  map.on('render', onRender);
  // Nothing to draw in this view (no matches, or none here): ready once the map settles.
  map.on('idle', () => onRender(null, true));
}

/** A click opens a service, zooms into a cluster, or picks a point on the empty map. */
function wireClicks(map, st, { onService, onPick }) {
  map.on('click', async (e) => {
    if (st.failed || !st.styleLoaded) return;
    const pad = 6;
    const box = [[e.point.x - pad, e.point.y - pad], [e.point.x + pad, e.point.y + pad]];
    const hits = map.queryRenderedFeatures(box, { layers: CLICKABLE });
    const point = hits.find((f) => f.layer.id === 'focus-icon' || f.layer.id === 'svc-points');
    if (point) {
      onService(Number(point.properties.id));
      return;
    }
    const cluster = hits.find((f) => f.layer.id === 'svc-clusters');
    if (cluster) {
      let zoom;
      try {
        zoom = Math.min(await map.getSource(SRC).getClusterExpansionZoom(cluster.properties.cluster_id), map.getMaxZoom());
      } catch {
        zoom = map.getZoom() + 2;
      }
      map.easeTo({
        center: cluster.geometry.coordinates,
        zoom,
        duration: reduceMotion() ? 0 : 500,
      }, { originalEvent: e.originalEvent });
      return;
    }
    onPick({ lat: e.lngLat.lat, lon: e.lngLat.lng });
  });
  for (const layer of INTERACTIVE) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }
}

/** Shows all of these [lon, lat] points (origin and nearest services). */
function fitCoords(map, coords, maxZoom) {
  if (!coords.length) return;
  let [w, s, e, n] = [coords[0][0], coords[0][1], coords[0][0], coords[0][1]];
  for (const [x, y] of coords) {
    w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y);
  }
  const c = map.getContainer();
  const pad = Math.max(20, Math.min(60, Math.min(c.clientWidth, c.clientHeight) / 8));
  if (w === e && s === n) {
    map.jumpTo({ center: [w, s], zoom: Math.max(map.getZoom(), Math.min(maxZoom, 15)) });
    return;
  }
  map.fitBounds([[w, s], [e, n]], { padding: pad, maxZoom, duration: 0 });
}

/**
 * Brings a point into view without changing the zoom, moving the map as little as possible;
 * `coverRight` pixels on the right are hidden (by the card).
 */
function showPoint(map, lon, lat, coverRight) {
  const c = map.getContainer();
  const w = c.clientWidth;
  const hgt = c.clientHeight;
  const margin = 48;
  const right = Math.max(margin * 2, w - coverRight - margin);
  const p = map.project([lon, lat]);
  const dx = p.x < margin ? p.x - margin : p.x > right ? p.x - right : 0;
  const dy = p.y < margin ? p.y - margin : p.y > hgt - margin ? p.y - (hgt - margin) : 0;
  if (dx || dy) map.panBy([dx, dy], { duration: reduceMotion() ? 0 : 300 });
}

/** The map's controls and canvas labelled in the page's language. */
function relabel(map, container) {
  map.getCanvas().setAttribute('aria-label', t('map.label'));
  if (map.getLayer('svc-clusters')) map.setLayoutProperty('svc-clusters', 'icon-image', clusterImageExpr());
  const zin = container.querySelector('.maplibregl-ctrl-zoom-in');
  const zout = container.querySelector('.maplibregl-ctrl-zoom-out');
  const labels = lang() === 'en' ? ['Zoom in', 'Zoom out'] : ['Ingrandisci la mappa', 'Rimpicciolisci la mappa'];
  for (const [el, label] of [[zin, labels[0]], [zout, labels[1]]]) {
    if (!el) continue;
    el.title = label;
    el.setAttribute('aria-label', label);
  }
}

/**
 * Creates the map in `container`. Callbacks: onPick(lngLat) for a click on empty map,
 * onService(id), onMoveEnd(userInitiated), onStatus('ready'|'unavailable'), onNotice(key|null),
 * onAttribution(text). Throws when MapLibre cannot start (the caller treats that as
 * "unavailable"). The pieces: watchStyle (base map and its fallback), watchReady, wireClicks,
 * the images drawn on demand, and the controller returned at the end.
 */
export function createMap(opts) {
  const { container, config, view, onPick, onService, onMoveEnd, onStatus, onNotice, onAttribution } = opts;
  const gl = window.maplibregl;
  const blankStyle = `${config.assets}/styles/blank.json`;

  let categories = new Map(); // slug -> {colour, icon}
  let points = { type: 'FeatureCollection', features: [] };
  let origin = null;
  let selected = null; // the open service's feature
  let hovered = null; // id
  let byId = new Map();
  const st = { styleLoaded: false, failed: false, ready: false, hasPoints: false };

  const start = view || {
    lon: config.centre[0], lat: config.centre[1], zoom: config.zoom ?? 12,
  };
  const map = new gl.Map({
    container,
    style: config.map_style || blankStyle,
    center: [start.lon, start.lat],
    zoom: start.zoom,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    maxPitch: 0,
    locale: mapLocale(),
    fadeDuration: 0,
    ...(view || config.zoom != null ? {} : { bounds: config.area }),
  });
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new gl.NavigationControl({ showCompass: false }), 'top-right');

  const focus = () => focusData(selected, hovered !== null ? byId.get(hovered) : null);
  const updateFocus = () => {
    const src = map.getSource(FOCUS);
    if (src) src.setData(focus());
  };

  /** Draws every category's marker up front (the worker would otherwise ask for each). */
  function addCategoryImages() {
    for (const [slug, c] of categories) {
      const id = `cat-${slug}`;
      if (!map.hasImage(id)) map.addImage(id, markerImage(c.colour, c.icon), { pixelRatio: PIXEL_RATIO });
    }
  }

  watchStyle(map, config, st, {
    onStatus,
    onNotice,
    onAttribution,
    install: () => {
      addCategoryImages();
      installLayers(map, { points, origin: originData(origin), focus: focus() });
    },
  });

  map.on('styleimagemissing', (e) => {
    const id = e.id;
    if (map.hasImage(id)) return;
    if (id.startsWith('cluster-')) {
      // cluster-<lang>-<abbreviated count>: "2.4k" is written "2,4k" in Italian.
      const [, l, label] = id.match(/^cluster-(\w+)-(.*)$/) || [null, 'en', id.slice(8)];
      map.addImage(id, clusterImage(l === 'it' ? label.replace('.', ',') : label), { pixelRatio: PIXEL_RATIO });
    } else if (id.startsWith('cat-')) {
      const c = categories.get(id.slice(4));
      map.addImage(id, markerImage(c ? c.colour : '#4a4a4a', c ? c.icon : ''), { pixelRatio: PIXEL_RATIO });
    }
  });

  watchReady(map, st, onStatus);
  map.on('moveend', (e) => onMoveEnd(!!(e && e.originalEvent)));
  wireClicks(map, st, { onService, onPick });

  return {
    map,
    get failed() { return st.failed; },
    setCategories(items) {
      categories = new Map(items.map((c) => [c.slug, { colour: c.color || c.colour, icon: c.icon }]));
      // Images asked for before the categories arrived were drawn grey: redraw them.
      if (st.styleLoaded) {
        for (const slug of categories.keys()) {
          const id = `cat-${slug}`;
          if (map.hasImage(id)) map.removeImage(id);
        }
        addCategoryImages();
        map.triggerRepaint();
      }
    },
    setPoints(fc) {
      points = pointsData(fc);
      byId = new Map(fc.features.map((f) => [f.properties.id, f]));
      st.hasPoints = true;
      const src = map.getSource(SRC);
      if (src) src.setData(points);
    },
    setOrigin(near) {
      origin = near;
      const src = map.getSource(ORIGIN);
      if (src) src.setData(originData(origin));
    },
    /** The open service (a feature with geometry and categories), or null. */
    setSelected(feature) {
      const id = feature ? feature.properties.id : null;
      if ((selected ? selected.properties.id : null) === id) return;
      selected = feature;
      updateFocus();
    },
    /** Rings the service the pointer or focus is on in the list (null: none). */
    setHover(id) {
      if (hovered === id) return;
      hovered = id;
      updateFocus();
    },
    /** [minLon, minLat, maxLon, maxLat] of what is visible. */
    bounds() {
      const b = map.getBounds();
      return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    },
    view() {
      const c = map.getCenter();
      return { zoom: map.getZoom(), lat: c.lat, lon: c.lng };
    },
    jumpTo(v) {
      map.jumpTo({ center: [v.lon, v.lat], zoom: v.zoom });
    },
    /** Shows all of these [lon, lat] points (origin and nearest services). */
    fit: (coords, maxZoom = 16) => fitCoords(map, coords, maxZoom),
    /** Brings a point into view; `coverRight` pixels on the right are hidden (by the card). */
    show: (lon, lat, coverRight = 0) => showPoint(map, lon, lat, coverRight),
    setLang: () => relabel(map, container),
  };
}
