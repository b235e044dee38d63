// "3. Dove si trova" of the service form: the address, looking it up (GET /api/geocode), the
// draggable pin on a small map, and the coordinates typed by hand when there is no map. The
// point must lie inside the directory's area; its problems go to the `geometry` field.

import { h } from './dom.js';
import { t } from './i18n.js';
import { get } from './http.js';
import { createPinMap, insideArea } from './pin-map.js';
import { describe } from './form-kit.js';

/**
 * Builds the section with `kit` (./form-kit.js), registering the fields `address` and
 * `geometry` in `fields`; `errors` is the form's error state, `onChange()` runs whenever the
 * point changes. Returns `{section, point(), setPoint(p), hasPin(), start(), relabel()}`.
 */
export function createWhere({ kit, prefix, fields, config, errors, onChange }) {
  const area = config.area;
  let point = null;
  let pin = null;

  const addressField = kit.text('address', { required: true, help: 'f.addressHelp', autocomplete: 'street-address' });
  const addressInput = fields.get('address').focus();
  const findBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: `${prefix}-find` }, h('span', { 'data-i18n': 'f.find' }));
  const geoResults = h('ul', { class: 'place-results', id: `${prefix}-geo-results`, hidden: true });
  const geoStatus = h('p', { class: 'geo-status', id: `${prefix}-geo-status`, role: 'status', 'aria-live': 'polite' });
  const mapBox = h('div', { class: 'pin-map', id: `${prefix}-pin-map`, dataset: { map: 'loading' } });
  const mapHelp = h('p', { class: 'help', id: `${prefix}-map-help`, 'data-i18n': 'f.mapHelp' });
  const lat = h('input', { type: 'text', inputmode: 'decimal', id: `${prefix}-lat`, name: 'lat', autocomplete: 'off', class: 'coord' });
  const lon = h('input', { type: 'text', inputmode: 'decimal', id: `${prefix}-lon`, name: 'lon', autocomplete: 'off', class: 'coord' });
  const geoErr = kit.errorEl('geometry');
  const coordsHelp = h('p', { class: 'help', id: `${prefix}-coords-help`, 'data-i18n': 'f.coordsHelp' });
  describe(lat, coordsHelp.id);
  describe(lon, coordsHelp.id);
  lat.dataset.describedBase = coordsHelp.id;
  lon.dataset.describedBase = coordsHelp.id;
  const coords = h('details', { class: 'coords', id: `${prefix}-coords` },
    h('summary', { 'data-i18n': 'f.coords' }),
    coordsHelp,
    h('div', { class: 'coord-row' },
      h('span', { class: 'interval-field' }, h('label', { for: lat.id, 'data-i18n': 'f.lat' }), lat),
      h('span', { class: 'interval-field' }, h('label', { for: lon.id, 'data-i18n': 'f.lon' }), lon)));
  fields.set('geometry', {
    focus: () => (pin ? document.getElementById(`${prefix}-pin-map`).querySelector('.pin-marker') || findBtn : lat),
    error: geoErr,
    targets: [lat, lon],
  });
  const section = kit.section('f.secWhere', 'where',
    addressField,
    h('div', { class: 'find-row' }, findBtn),
    geoStatus,
    geoResults,
    h('div', { class: 'field field-geometry' },
      h('p', { class: 'label-like', id: `${prefix}-geometry-label` }, kit.required('f.geometry')),
      mapHelp,
      mapBox,
      geoErr,
      coords));

  function checkArea() {
    errors.clear('geometry');
    if (point && !insideArea(area, point.lon, point.lat)) {
      errors.set('geometry', [{ key: 'err.code.outside_area' }], false);
    }
  }

  function setPoint(p, { fromMap = false, fly = true } = {}) {
    point = p && Number.isFinite(p.lon) && Number.isFinite(p.lat) ? { lon: p.lon, lat: p.lat } : null;
    if (point) {
      lat.value = String(Number(point.lat.toFixed(6)));
      lon.value = String(Number(point.lon.toFixed(6)));
      if (pin && !fromMap) pin.setPoint(point, fly);
    }
    checkArea();
    onChange();
  }

  function readCoords() {
    const la = Number(lat.value.replace(',', '.'));
    const lo = Number(lon.value.replace(',', '.'));
    if (lat.value.trim() && lon.value.trim() && Number.isFinite(la) && Number.isFinite(lo)
        && Math.abs(la) <= 90 && Math.abs(lo) <= 180) {
      setPoint({ lat: la, lon: lo });
    } else if (!lat.value.trim() && !lon.value.trim()) {
      point = null;
      errors.clear('geometry');
    } else {
      point = null;
      errors.set('geometry', [{ key: 'err.coords' }], false);
    }
  }
  lat.addEventListener('change', readCoords);
  lon.addEventListener('change', readCoords);

  /** Lists the places found for the address (one is chosen at once; several are offered). */
  function offerPlaces(feats, q) {
    const choose = (f) => {
      const [lo, la] = f.geometry.coordinates;
      setPoint({ lon: lo, lat: la });
      geoResults.hidden = true;
      geoStatus.textContent = t('f.placed', { label: (f.properties && f.properties.label) || q });
    };
    if (feats.length === 1) {
      choose(feats[0]);
      return;
    }
    geoStatus.textContent = t('f.findMany', { n: feats.length });
    for (const f of feats) {
      const b = h('button', { type: 'button', class: 'place-result' },
        h('span', { class: 'place-result-label', text: (f.properties && f.properties.label) || '' }),
        h('span', { class: 'place-result-kind', text: f.properties && f.properties.kind ? t(`kind.${f.properties.kind}`) : '' }));
      b.addEventListener('click', () => {
        choose(f);
        findBtn.focus();
      });
      geoResults.append(h('li', {}, b));
    }
    geoResults.hidden = false;
  }

  let geoAbort = null;
  async function findAddress() {
    const q = addressInput.value.trim();
    geoResults.hidden = true;
    geoResults.replaceChildren();
    if (!q) {
      errors.set('address', [{ key: 'err.addressFirst' }], false);
      addressInput.focus();
      return;
    }
    if (geoAbort) geoAbort.abort();
    geoAbort = new AbortController();
    geoStatus.textContent = t('f.finding', { q });
    let fc;
    try {
      fc = await get(`/api/geocode?${new URLSearchParams({ q, limit: '5' })}`, { signal: geoAbort.signal });
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      geoStatus.textContent = t('f.findError');
      return;
    }
    const feats = ((fc && fc.features) || []).filter((f) => f.geometry && Array.isArray(f.geometry.coordinates));
    if (!feats.length) {
      geoStatus.textContent = t('f.findNone', { q });
      return;
    }
    offerPlaces(feats, q);
  }
  findBtn.addEventListener('click', findAddress);
  addressInput.addEventListener('keydown', (e) => {
    // Enter in the address looks the address up rather than sending the whole form.
    if (e.key === 'Enter') {
      e.preventDefault();
      findAddress();
    }
  });

  /** Starts the pin map; call once the form is in the document (MapLibre measures its box). */
  async function start() {
    pin = await createPinMap({
      container: mapBox,
      config,
      point,
      onMove: (p) => {
        setPoint(p, { fromMap: true });
        geoStatus.textContent = t('f.pinMoved');
      },
    });
    if (!pin) {
      mapBox.dataset.map = 'unavailable';
      mapBox.hidden = true;
      mapHelp.dataset.i18n = 'f.noMap';
      mapHelp.textContent = t('f.noMap');
      coords.open = true;
      coords.classList.add('coords-only');
      return;
    }
    pin.map.once('load', () => { mapBox.dataset.map = 'ready'; });
    if (point) pin.setPoint(point);
  }

  return {
    section,
    point: () => point,
    setPoint,
    hasPin: () => !!pin,
    start,
    relabel: () => { if (pin) pin.relabel(); },
    resize: () => pin && pin.resize(),
  };
}
