// Choosing where "near" is: an address or place (geocoded by the server) or the browser's
// position. The map click is handled by the map module.

import { h, $ } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';

let controller = null;

/**
 * Looks up the typed place and shows the choices in #place-results.
 * onChoose({lat, lon, label}) is called when the user picks one.
 */
export async function searchPlace(q, onChoose, notify) {
  const ul = $('place-results');
  if (controller) controller.abort();
  if (!q) {
    ul.hidden = true;
    ul.replaceChildren();
    notify(t('place.empty'));
    $('place').focus();
    return;
  }
  controller = new AbortController();
  notify(t('place.searching', { q }));
  let fc;
  try {
    fc = await api.geocode(q, controller.signal);
  } catch (e) {
    if (e && e.name === 'AbortError') return;
    ul.hidden = true;
    ul.replaceChildren();
    if (e.status === 404 && e.code !== 'invalid_parameter') notify(t('place.unavailable'));
    else if (e.status === 400) notify(t('place.none', { q }));
    else if (e.status === 429) notify(t('error.rateLimited'));
    else if (e.status === 0) notify(t('error.network'));
    else notify(t('place.unavailable'));
    return;
  }
  const features = (fc && fc.features) || [];
  if (!features.length) {
    ul.hidden = true;
    ul.replaceChildren();
    notify(t('place.none', { q }));
    return;
  }
  ul.replaceChildren(...features.map((f) => {
    const [lon, lat] = f.geometry.coordinates;
    const labelText = (f.properties && f.properties.label) || `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
    const kind = f.properties && f.properties.kind;
    const button = h('button', { type: 'button', class: 'place-result' },
      h('span', { class: 'place-result-label' }, labelText),
      kind ? h('span', { class: 'visually-hidden' }, ', ') : null,
      kind ? h('span', { class: 'place-result-kind' }, t(`place.kind.${kind}`)) : null);
    button.addEventListener('click', () => {
      ul.hidden = true;
      ul.replaceChildren();
      onChoose({ lat, lon, label: labelText });
    });
    return h('li', null, button);
  }));
  ul.hidden = false;
  notify(features.length === 1 ? t('place.foundOne') : t('place.found', { n: features.length }));
}

export function clearPlaceResults() {
  const ul = $('place-results');
  ul.hidden = true;
  ul.replaceChildren();
}

/** Asks the browser for its position; onFix({lat, lon}) or a message through notify. */
export function locate(onFix, notify) {
  if (!('geolocation' in navigator) || !window.isSecureContext) {
    notify(t('geo.unsupported'));
    return;
  }
  const button = $('near-me');
  button.setAttribute('aria-busy', 'true');
  button.disabled = true;
  notify(t('geo.locating'));
  const done = () => {
    button.removeAttribute('aria-busy');
    button.disabled = false;
  };
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      done();
      onFix({ lat: pos.coords.latitude, lon: pos.coords.longitude });
    },
    (err) => {
      done();
      if (err.code === 1) notify(t('geo.denied'));
      else if (err.code === 3) notify(t('geo.timeout'));
      else notify(t('geo.unavailable'));
    },
    { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
  );
}
