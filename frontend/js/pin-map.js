// A small MapLibre map with one pin: dragged with the mouse or a finger, moved by a click on
// the map, or — for keyboard users — focused and moved with the arrow keys. When WebGL or
// MapLibre is missing, `createPinMap` resolves to null and the caller keeps its lat/lon inputs.

import { t } from './i18n.js';
import { webglSupported } from './map.js';

function maplibreLoaded(config) {
  return new Promise((resolve, reject) => {
    if (window.maplibregl) {
      resolve(window.maplibregl);
      return;
    }
    let script = document.getElementById('maplibre-script');
    if (!script) {
      script = document.createElement('script');
      script.id = 'maplibre-script';
      script.src = `${config.assets}/vendor/maplibre-gl/maplibre-gl-csp.js`;
      document.head.append(script);
    }
    const timer = setTimeout(() => reject(new Error('MapLibre timeout')), 15000);
    script.addEventListener('load', () => {
      clearTimeout(timer);
      if (window.maplibregl) resolve(window.maplibregl);
      else reject(new Error('no maplibregl'));
    });
    script.addEventListener('error', () => {
      clearTimeout(timer);
      reject(new Error('MapLibre failed to load'));
    });
  });
}

/** True when (lon, lat) lies inside [minLon, minLat, maxLon, maxLat]. */
export function insideArea(area, lon, lat) {
  return Number.isFinite(lon) && Number.isFinite(lat)
    && lon >= area[0] && lon <= area[2] && lat >= area[1] && lat <= area[3];
}

/**
 * Creates the map in `container` (an empty element with a height). Options:
 * `config` (the settings block), `point` ({lon, lat} or null), `draggable` (default true),
 * `onMove({lon, lat})` after a drag, click or arrow key, `extra` (GeoJSON points drawn as
 * small grey dots, e.g. nearby services). Resolves to a controller, or null without a map.
 */
export async function createPinMap(opts) {
  const { container, config } = opts;
  const draggable = opts.draggable !== false;
  if (!webglSupported()) return null;
  let gl;
  try {
    gl = await maplibreLoaded(config);
  } catch {
    return null;
  }
  gl.setWorkerUrl(`${config.assets}/vendor/maplibre-gl/maplibre-gl-csp-worker.js`);
  const blank = `${config.assets}/styles/blank.json`;
  const start = opts.point || { lon: config.centre[0], lat: config.centre[1] };
  let map;
  try {
    map = new gl.Map({
      container,
      style: config.map_style || blank,
      center: [start.lon, start.lat],
      zoom: opts.point ? 17 : (config.zoom ?? 13),
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      maxPitch: 0,
      fadeDuration: 0,
      // A page scroll over the small map should scroll the page, not zoom the map.
      cooperativeGestures: false,
      scrollZoom: false,
    });
  } catch {
    return null;
  }
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new gl.NavigationControl({ showCompass: false }), 'top-right');

  // A style that cannot be fetched falls back to the built-in plain background once.
  let usedBlank = (config.map_style || blank) === blank;
  map.on('error', () => {
    if (!map.isStyleLoaded() && !usedBlank) {
      usedBlank = true;
      map.setStyle(blank);
    }
  });

  const pinEl = document.createElement('div');
  pinEl.className = 'pin-marker';
  pinEl.innerHTML = '<svg viewBox="0 0 32 44" aria-hidden="true" focusable="false"><path d="M16 1C7.7 1 1 7.6 1 15.8 1 27 16 43 16 43s15-16 15-27.2C31 7.6 24.3 1 16 1z" fill="#b3261e" stroke="#fff" stroke-width="2"/><circle cx="16" cy="16" r="5.5" fill="#fff"/></svg>';
  if (draggable) {
    pinEl.tabIndex = 0;
    pinEl.setAttribute('role', 'button');
  }
  const marker = new gl.Marker({ element: pinEl, draggable, anchor: 'bottom' });
  let point = opts.point ? { ...opts.point } : null;
  let added = false;
  const show = () => {
    if (!added) marker.addTo(map);
    added = true;
  };
  if (point) {
    marker.setLngLat([point.lon, point.lat]);
    show();
  }

  const relabel = () => {
    pinEl.setAttribute('aria-label', draggable ? t('pin.label') : t('pin.labelStatic'));
    container.setAttribute('aria-label', draggable ? t('pin.mapLabel') : t('pin.mapLabelStatic'));
  };
  container.setAttribute('role', 'region');
  relabel();

  const moved = () => {
    const ll = marker.getLngLat();
    point = { lon: Number(ll.lng.toFixed(6)), lat: Number(ll.lat.toFixed(6)) };
    if (opts.onMove) opts.onMove(point);
  };
  if (draggable) {
    marker.on('dragend', moved);
    map.on('click', (e) => {
      marker.setLngLat(e.lngLat);
      show();
      moved();
    });
    pinEl.addEventListener('keydown', (e) => {
      const step = e.shiftKey ? 20 : 4; // pixels at the current zoom
      const d = { ArrowUp: [0, -step], ArrowDown: [0, step], ArrowLeft: [-step, 0], ArrowRight: [step, 0] }[e.key];
      if (!d) return;
      e.preventDefault();
      e.stopPropagation();
      const p = map.project(marker.getLngLat());
      marker.setLngLat(map.unproject([p.x + d[0], p.y + d[1]]));
      moved();
    });
  }

  if (opts.extra && opts.extra.length) {
    map.on('load', () => {
      map.addSource('extra', { type: 'geojson', data: { type: 'FeatureCollection', features: opts.extra } });
      map.addLayer({
        id: 'extra',
        type: 'circle',
        source: 'extra',
        paint: {
          'circle-radius': 7,
          'circle-color': '#4a4a4a',
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 2,
        },
      });
    });
  }

  return {
    map,
    /** Moves the pin (and the view) to {lon, lat}; does not call onMove. */
    setPoint(p, fly = true) {
      if (!p || !Number.isFinite(p.lon) || !Number.isFinite(p.lat)) return;
      point = { ...p };
      marker.setLngLat([p.lon, p.lat]);
      show();
      if (fly) map.jumpTo({ center: [p.lon, p.lat], zoom: Math.max(map.getZoom(), 17) });
    },
    relabel,
    resize: () => map.resize(),
    remove: () => map.remove(),
  };
}
