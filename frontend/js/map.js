// The MapLibre map: services as category-coloured icons with clustering, the chosen origin,
// the open service. Everything here is optional: when WebGL or the style is missing the
// page keeps working without it (the caller shows the list, filters and cards anyway).

import { iconPath } from './icons.js';
import { lang, t } from './i18n.js';

const SRC = 'services';
const ORIGIN = 'origin';
const FOCUS = 'focus';
const OUR_SOURCES = new Set([SRC, ORIGIN, FOCUS]);
const STYLE_TIMEOUT_MS = 6000;
const PIXEL_RATIO = 2;
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

/** A round marker: category colour, white ring, white glyph. Returns ImageData. */
function markerImage(colour, icon, sizeCss = 30) {
  const size = sizeCss * PIXEL_RATIO;
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  const r = size / 2;
  ctx.beginPath();
  ctx.arc(r, r, r - PIXEL_RATIO, 0, Math.PI * 2);
  ctx.fillStyle = '#ffffff';
  ctx.fill();
  ctx.beginPath();
  ctx.arc(r, r, r - 3 * PIXEL_RATIO, 0, Math.PI * 2);
  ctx.fillStyle = colour;
  ctx.fill();
  // A thin dark outline so light map backgrounds never swallow the marker.
  ctx.beginPath();
  ctx.arc(r, r, r - PIXEL_RATIO * 0.75, 0, Math.PI * 2);
  ctx.lineWidth = PIXEL_RATIO * 1.2;
  ctx.strokeStyle = 'rgba(0,0,0,0.55)';
  ctx.stroke();
  const glyph = size * 0.56;
  ctx.save();
  ctx.translate(r - glyph / 2, r - glyph / 2);
  ctx.scale(glyph / 24, glyph / 24);
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 2.2;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.stroke(new Path2D(iconPath(icon)));
  ctx.restore();
  return ctx.getImageData(0, 0, size, size);
}

/** A cluster bubble with its count drawn in (the offline style has no glyphs for text). */
function clusterImage(label) {
  const n = Number.parseFloat(label) * (/k$/.test(label) ? 1000 : 1);
  const sizeCss = n < 10 ? 34 : n < 100 ? 40 : n < 1000 ? 46 : 52;
  const size = sizeCss * PIXEL_RATIO;
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  const r = size / 2;
  ctx.beginPath();
  ctx.arc(r, r, r - PIXEL_RATIO, 0, Math.PI * 2);
  ctx.fillStyle = '#ffffff';
  ctx.fill();
  ctx.lineWidth = PIXEL_RATIO * 1.2;
  ctx.strokeStyle = 'rgba(0,0,0,0.55)';
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(r, r, r - 4 * PIXEL_RATIO, 0, Math.PI * 2);
  ctx.fillStyle = '#123a63';
  ctx.fill();
  ctx.fillStyle = '#ffffff';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const fontPx = (label.length > 3 ? 13 : 15) * PIXEL_RATIO;
  ctx.font = `bold ${fontPx}px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif`;
  ctx.fillText(label, r, r + PIXEL_RATIO * 0.5);
  return ctx.getImageData(0, 0, size, size);
}

/**
 * Creates the map in `container`. Callbacks: onPick(lngLat) for a click on empty map,
 * onService(id), onMoveEnd(userInitiated), onStatus('ready'|'unavailable'), onNotice(key|null).
 * Throws when MapLibre cannot start (the caller treats that as "unavailable").
 */
export function createMap(opts) {
  const { container, config, view, onPick, onService, onMoveEnd, onStatus, onNotice, onAttribution } = opts;
  const gl = window.maplibregl;
  const blankStyle = `${config.assets}/styles/blank.json`;

  let categories = new Map(); // slug -> {colour, icon}
  let data = { type: 'FeatureCollection', features: [] };
  let origin = null;
  let selected = null; // the open service's feature
  let hovered = null; // id
  let byId = new Map();
  let styleLoaded = false;
  let usingBlank = config.map_style === blankStyle;
  let failed = false;
  let ready = false;
  let hasPoints = false;
  let tilesNoticeShown = false;

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

  const interactive = ['svc-clusters', 'svc-points'];
  const clickable = ['focus-icon', ...interactive];

  const fail = () => {
    if (failed) return;
    failed = true;
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
    styleLoaded = false;
    onNotice('map.basemapDown');
    clearTimeout(timer);
    timer = setTimeout(() => { if (!styleLoaded) fail(); }, STYLE_TIMEOUT_MS);
    map.setStyle(blankStyle, { diff: false });
  };

  let timer = setTimeout(() => { if (!styleLoaded) fallBackToBlank(); }, STYLE_TIMEOUT_MS);

  map.on('error', (e) => {
    if (failed) return;
    const sourceId = e && e.sourceId;
    if (!styleLoaded && !(sourceId && OUR_SOURCES.has(sourceId))) {
      // The style itself (or its sprite/glyphs) could not be fetched.
      fallBackToBlank();
    } else if (sourceId && !OUR_SOURCES.has(sourceId) && !tilesNoticeShown) {
      tilesNoticeShown = true;
      onNotice('map.tilesDown');
    }
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

  map.on('style.load', () => {
    try { performance.mark('mappatu:style'); } catch { /* timing only */ }
    styleLoaded = true;
    clearTimeout(timer);
    install();
    if (onAttribution) onAttribution(styleAttribution());
    onNotice(usingBlank && config.map_style !== blankStyle ? 'map.basemapDown' : null);
  });

  const markReady = () => {
    if (ready || failed) return;
    ready = true;
    onStatus('ready');
  };
  // "ready" means markers are drawn: the first frame in which the services layers hold
  // features (or, with none in view, the first idle map after the points arrived).
  const onRender = (e, settled = false) => {
    if (ready || failed || !styleLoaded || !hasPoints || !map.getLayer('svc-points')) return;
    if (!settled && !map.queryRenderedFeatures({ layers: interactive }).length) return;
    try {
      performance.mark('mappatu:markers');
    } catch {
      // Old browsers: the mark is only for benchmarks.
    }
    map.off('render', onRender);
    markReady();
  };
  map.on('render', onRender);
  // Nothing to draw in this view (no matches, or none here): ready once the map settles.
  map.on('idle', () => onRender(null, true));

  map.on('moveend', (e) => onMoveEnd(!!(e && e.originalEvent)));

  map.on('webglcontextlost', fail);

  /** Draws every category's marker up front (the worker would otherwise ask for each). */
  function addCategoryImages() {
    for (const [slug, c] of categories) {
      const id = `cat-${slug}`;
      if (!map.hasImage(id)) map.addImage(id, markerImage(c.colour, c.icon), { pixelRatio: PIXEL_RATIO });
    }
  }

  function install() {
    addCategoryImages();
    if (!map.getSource(SRC)) {
      map.addSource(SRC, {
        type: 'geojson',
        data,
        cluster: true,
        clusterRadius: 44,
        clusterMaxZoom: 15,
        // Markers are ~30 px wide: a smaller tile buffer than the default 128 is enough
        // and cuts the worker's work for large directories.
        buffer: 64,
      });
    }
    if (!map.getSource(ORIGIN)) {
      map.addSource(ORIGIN, { type: 'geojson', data: originData() });
    }
    if (!map.getSource(FOCUS)) {
      map.addSource(FOCUS, { type: 'geojson', data: focusData() });
    }
    if (!map.getLayer('svc-points')) {
      map.addLayer({
        id: 'svc-clusters',
        type: 'symbol',
        source: SRC,
        filter: ['has', 'point_count'],
        layout: {
          'icon-image': clusterImageExpr(),
          'icon-allow-overlap': true,
          'icon-ignore-placement': true,
        },
      });
      map.addLayer({
        id: 'svc-points',
        type: 'symbol',
        source: SRC,
        filter: ['!', ['has', 'point_count']],
        layout: {
          'icon-image': ['concat', 'cat-', ['get', 'cat']],
          'icon-allow-overlap': true,
          'icon-ignore-placement': true,
        },
      });
      // The open service and the one under the pointer in the list, drawn over any
      // cluster so they can always be seen.
      map.addLayer({
        id: 'focus-ring',
        type: 'circle',
        source: FOCUS,
        paint: {
          'circle-radius': 21,
          'circle-color': ['case', ['==', ['get', 'role'], 'sel'], '#ffdd00', 'rgba(255,255,255,0.85)'],
          'circle-stroke-color': '#0b0c0c',
          'circle-stroke-width': 3,
        },
      });
      map.addLayer({
        id: 'focus-icon',
        type: 'symbol',
        source: FOCUS,
        layout: {
          'icon-image': ['concat', 'cat-', ['get', 'cat']],
          'icon-allow-overlap': true,
          'icon-ignore-placement': true,
        },
      });
      map.addLayer({
        id: 'origin-halo',
        type: 'circle',
        source: ORIGIN,
        paint: { 'circle-radius': 18, 'circle-color': 'rgba(179,38,30,0.25)' },
      });
      map.addLayer({
        id: 'origin-dot',
        type: 'circle',
        source: ORIGIN,
        paint: {
          'circle-radius': 9,
          'circle-color': '#b3261e',
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 3,
        },
      });
    }
  }

  /** The base map's credits as plain text (they come as HTML; only their text is kept),
   *  less OpenStreetMap, which the page always credits. */
  function styleAttribution() {
    const parts = new Set();
    const sources = (map.getStyle() && map.getStyle().sources) || {};
    for (const [id, src] of Object.entries(sources)) {
      if (OUR_SOURCES.has(id) || !src.attribution) continue;
      const doc = new DOMParser().parseFromString(src.attribution, 'text/html');
      for (const el of doc.querySelectorAll('script, style')) el.remove();
      const text = doc.body.textContent || '';
      for (const piece of text.split(/\s*[|·]\s*|\s+(?=©)/)) {
        const clean = piece.replace(/\s+/g, ' ').trim();
        if (clean && !/openstreetmap/i.test(clean)) parts.add(clean);
      }
    }
    return [...parts].join(' · ');
  }

  function originData() {
    return {
      type: 'FeatureCollection',
      features: origin ? [{
        type: 'Feature', geometry: { type: 'Point', coordinates: [origin.lon, origin.lat] }, properties: {},
      }] : [],
    };
  }

  function clusterImageExpr() {
    return ['concat', `cluster-${lang()}-`, ['get', 'point_count_abbreviated']];
  }

  function focusFeature(f, role) {
    return {
      type: 'Feature',
      geometry: f.geometry,
      properties: { id: f.properties.id, cat: (f.properties.categories || [])[0] || '', role },
    };
  }

  function focusData() {
    const features = [];
    const h = hovered !== null && byId.get(hovered);
    if (h && !(selected && selected.properties.id === hovered)) features.push(focusFeature(h, 'hover'));
    if (selected) features.push(focusFeature(selected, 'sel'));
    return { type: 'FeatureCollection', features };
  }

  function updateFocus() {
    const src = map.getSource(FOCUS);
    if (src) src.setData(focusData());
  }

  map.on('click', async (e) => {
    if (failed || !styleLoaded) return;
    const pad = 6;
    const box = [[e.point.x - pad, e.point.y - pad], [e.point.x + pad, e.point.y + pad]];
    const hits = map.queryRenderedFeatures(box, { layers: clickable });
    const point = hits.find((f) => f.layer.id === 'focus-icon' || f.layer.id === 'svc-points');
    if (point) {
      onService(Number(point.properties.id));
      return;
    }
    const cluster = hits.find((f) => f.layer.id === 'svc-clusters');
    if (cluster) {
      const src = map.getSource(SRC);
      try {
        const zoom = await src.getClusterExpansionZoom(cluster.properties.cluster_id);
        map.easeTo({
          center: cluster.geometry.coordinates,
          zoom: Math.min(zoom, map.getMaxZoom()),
          duration: reduceMotion() ? 0 : 500,
        }, { originalEvent: e.originalEvent });
      } catch {
        map.easeTo({
          center: cluster.geometry.coordinates,
          zoom: map.getZoom() + 2,
          duration: reduceMotion() ? 0 : 500,
        }, { originalEvent: e.originalEvent });
      }
      return;
    }
    onPick({ lat: e.lngLat.lat, lon: e.lngLat.lng });
  });
  for (const layer of interactive) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }

  return {
    map,
    get failed() { return failed; },
    setCategories(items) {
      categories = new Map(items.map((c) => [c.slug, { colour: c.color || c.colour, icon: c.icon }]));
      // Images asked for before the categories arrived were drawn grey: redraw them.
      if (styleLoaded) {
        for (const slug of categories.keys()) {
          const id = `cat-${slug}`;
          if (map.hasImage(id)) map.removeImage(id);
        }
        addCategoryImages();
        map.triggerRepaint();
      }
    },
    setPoints(fc) {
      // Only what the map needs goes to the worker: id and first category.
      const features = fc.features.map((f) => ({
        type: 'Feature',
        geometry: f.geometry,
        properties: { id: f.properties.id, cat: (f.properties.categories || [])[0] || '' },
      }));
      data = { type: 'FeatureCollection', features };
      byId = new Map(fc.features.map((f) => [f.properties.id, f]));
      hasPoints = true;
      const src = map.getSource(SRC);
      if (src) src.setData(data);
    },
    setOrigin(near) {
      origin = near;
      const src = map.getSource(ORIGIN);
      if (src) src.setData(originData());
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
    fit(coords, maxZoom = 16) {
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
    },
    /**
     * Brings a point into view without changing the zoom, moving the map as little as
     * possible; `coverRight` pixels on the right are hidden (by the card).
     */
    show(lon, lat, coverRight = 0) {
      const c = map.getContainer();
      const w = c.clientWidth;
      const hgt = c.clientHeight;
      const margin = 48;
      const right = Math.max(margin * 2, w - coverRight - margin);
      const p = map.project([lon, lat]);
      const dx = p.x < margin ? p.x - margin : p.x > right ? p.x - right : 0;
      const dy = p.y < margin ? p.y - margin : p.y > hgt - margin ? p.y - (hgt - margin) : 0;
      if (dx || dy) map.panBy([dx, dy], { duration: reduceMotion() ? 0 : 300 });
    },
    setLang() {
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
    },
  };
}
