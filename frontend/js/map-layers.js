// The map's own sources and layers (services with clusters, the open/hovered service, the
// origin) and the GeoJSON each of them shows. Pure descriptions: map.js decides when.

import { lang } from './i18n.js';

export const SRC = 'services';
export const ORIGIN = 'origin';
export const FOCUS = 'focus';
/** The sources the page adds; any other belongs to the base map. */
export const OUR_SOURCES = new Set([SRC, ORIGIN, FOCUS]);
/** The layers a click or the pointer can hit. */
export const INTERACTIVE = ['svc-clusters', 'svc-points'];
export const CLICKABLE = ['focus-icon', ...INTERACTIVE];

/** The services as the map's worker needs them: id and first category only. */
export function pointsData(fc) {
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => ({
      type: 'Feature',
      geometry: f.geometry,
      properties: { id: f.properties.id, cat: (f.properties.categories || [])[0] || '' },
    })),
  };
}

/** The origin ({lat, lon} or null) as a FeatureCollection. */
export function originData(origin) {
  return {
    type: 'FeatureCollection',
    features: origin ? [{
      type: 'Feature', geometry: { type: 'Point', coordinates: [origin.lon, origin.lat] }, properties: {},
    }] : [],
  };
}

function focusFeature(f, role) {
  return {
    type: 'Feature',
    geometry: f.geometry,
    properties: { id: f.properties.id, cat: (f.properties.categories || [])[0] || '', role },
  };
}

/** The hovered (unless it is the open one) and the open service, drawn over any cluster. */
export function focusData(selected, hovered) {
  const features = [];
  if (hovered && !(selected && selected.properties.id === hovered.properties.id)) features.push(focusFeature(hovered, 'hover'));
  if (selected) features.push(focusFeature(selected, 'sel'));
  return { type: 'FeatureCollection', features };
}

/** The cluster image's name: the count, written in the page's language. */
export function clusterImageExpr() {
  return ['concat', `cluster-${lang()}-`, ['get', 'point_count_abbreviated']];
}

/** Adds the page's sources and layers to a freshly loaded style (idempotent). */
export function installLayers(map, { points, origin, focus }) {
  if (!map.getSource(SRC)) {
    map.addSource(SRC, {
      type: 'geojson',
      data: points,
      cluster: true,
      clusterRadius: 44,
      clusterMaxZoom: 15,
      // Markers are ~30 px wide: a smaller tile buffer than the default 128 is enough
      // and cuts the worker's work for large directories.
      buffer: 64,
    });
  }
  if (!map.getSource(ORIGIN)) map.addSource(ORIGIN, { type: 'geojson', data: origin });
  if (!map.getSource(FOCUS)) map.addSource(FOCUS, { type: 'geojson', data: focus });
  if (map.getLayer('svc-points')) return;
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

/**
 * The base map's credits as plain text (they come as HTML; only their text is kept), less
 * OpenStreetMap, which the page always credits.
 */
export function styleAttribution(map) {
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
