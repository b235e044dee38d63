// The service form shared by "Segnala il tuo servizio", the private edit link and the
// moderators' edit-before-approve: every public field of a service, optionally the private
// contact, the consent and the honeypot. It reads and writes a GeoJSON Feature shaped like
// GET /api/services/{id}, and shows problems next to their fields (from the page's own
// checks or from a 422's `fields`).

import { h } from './dom.js';
import { applyPage, DESK_LANGUAGES, has, lang, languageName, t } from './i18n.js';
import { createHoursEditor } from './hours-editor.js';
import { createPinMap, insideArea } from './pin-map.js';
import { get } from './http.js';

/** The honeypot's property name in the submission body (must stay empty). */
export const HONEYPOT = 'website_url';

/** A language as an item of a checkbox group, named in both interface languages. */
const languageItem = (code) => ({ slug: code, label_it: languageName(code, 'it'), label_en: languageName(code, 'en') });

// Field key (server path without "properties.") -> label key. The order is the page order,
// which is also the order of the error summary.
export const FIELD_LABELS = {
  name: 'f.name',
  organisation: 'f.organisation',
  description_it: 'f.description_it',
  description_en: 'f.description_en',
  categories: 'f.categories',
  target_groups: 'f.target_groups',
  address: 'f.address',
  geometry: 'f.geometry',
  phone: 'f.phone',
  email: 'f.email',
  website: 'f.website',
  opening_hours: 'f.opening_hours',
  'accessibility.wheelchair': 'f.wheelchair',
  languages: 'f.languages',
  'accessibility.note_it': 'f.note_it',
  'accessibility.note_en': 'f.note_en',
  'contact.name': 'f.contact_name',
  'contact.email': 'f.contact_email',
  'contact.phone': 'f.contact_phone',
  consent: 'f.consent',
};

/** Normalises a server field path ("properties.accessibility.note_it", "geometry.coordinates"). */
export function fieldKey(path) {
  let k = String(path || '').replace(/^\/?properties[./]/, '').replace(/\//g, '.');
  if (/^geometry/.test(k) || k === 'coordinates' || k === 'lat' || k === 'lon') k = 'geometry';
  k = k.replace(/\[\d+\]$/, '').replace(/\.\d+$/, '');
  if (k === 'wheelchair' || k === 'note_it' || k === 'note_en') k = `accessibility.${k}`;
  if (k === 'accessibility') k = 'accessibility.wheelchair';
  if (k === 'contact') k = 'contact.email';
  if (k === 'target' || k === 'targets') k = 'target_groups';
  return k;
}

/**
 * A server field problem (`{field, code, message, params}` of a 422's `fields`) as an error the
 * form shows in the page's language: `err.code.CODE.FIELD`, else `err.code.CODE`, with `params`
 * as the variables. A code the page does not know yet shows the server's own message.
 */
export function serverError(key, problem) {
  const p = problem || {};
  const vars = { detail: p.message || '', ...(p.params || {}) };
  if (p.code) {
    for (const k of [`err.code.${p.code}.${key}`, `err.code.${p.code}`]) if (has(k)) return { key: k, vars };
  }
  return { text: String(p.message || '') };
}

// The submission's limits, read once per page from the OpenAPI document (contract: the
// schema SubmissionProperties; `a.b` is `properties.a` → `$ref` → `properties.b`).
let limitsOnce = null;

/** Resolves a schema's `$ref` (and a nullable `anyOf`/`oneOf`/`allOf` wrapper). */
function resolve(doc, s) {
  for (let i = 0; s && i < 8; i++) {
    if (s.$ref) {
      s = s.$ref.replace(/^#\//, '').split('/').reduce((o, part) => (o ? o[part] : undefined), doc);
      continue;
    }
    const alt = s.allOf || s.anyOf || s.oneOf;
    if (alt && !s.properties && s.maxLength == null && s.maxItems == null) {
      s = alt.find((x) => x && (x.$ref || x.properties || x.maxLength != null || x.maxItems != null)) || null;
      continue;
    }
    return s;
  }
  return s || null;
}

/** `{key: {maxLength?, maxItems?}}` for every field of SubmissionProperties (nested as `a.b`). */
export function limitsFrom(doc) {
  const out = {};
  const walk = (schema, prefix, depth) => {
    const props = (schema && schema.properties) || {};
    for (const [name, raw] of Object.entries(props)) {
      const s = resolve(doc, raw);
      if (!s) continue;
      const key = prefix + name;
      if (s.maxLength != null || s.maxItems != null) out[key] = { maxLength: s.maxLength, maxItems: s.maxItems };
      if (s.properties && depth < 2) walk(s, `${key}.`, depth + 1);
    }
  };
  const schemas = doc && doc.components && doc.components.schemas;
  walk(resolve(doc, schemas && schemas.SubmissionProperties), '', 0);
  return out;
}

/** The limits (see limitsFrom), fetched once; `{}` when the document cannot be read. */
export function submissionLimits() {
  if (!limitsOnce) limitsOnce = get('/api/openapi.json').then(limitsFrom).catch(() => ({}));
  return limitsOnce;
}

const idOf = (prefix, key) => `${prefix}-${key.replace(/\./g, '-')}`;

/** Label text of a category or target group item in the page's language. */
export function itemLabel(item) {
  return (lang() === 'en' ? item.label_en : item.label_it)
    || (item.label && item.label[lang()]) || item.label_it || item.slug;
}

/**
 * Builds the form. Options: `config`, `cats`, `targets` (items of /api/categories and
 * /api/target-groups), `prefix` (id prefix, default 'f'), `withContact`, `withConsent`,
 * `withHoneypot`, `onChange()`. Returns a controller (see the end of the function).
 */
export function createServiceForm(opts) {
  const prefix = opts.prefix || 'f';
  const id = (key) => idOf(prefix, key);
  const fields = new Map(); // key -> {focus(): el, error: el, targets: [els that get aria-invalid]}
  let errors = new Map(); // key -> [{key, vars} | {text}]
  let point = null;
  let pin = null;

  function errorEl(key) {
    return h('p', { class: 'field-error', id: `${id(key)}-error`, hidden: true });
  }

  function describe(el, ...ids) {
    el.setAttribute('aria-describedby', ids.filter(Boolean).join(' '));
  }

  function required(labelKey) {
    return [h('span', { 'data-i18n': labelKey }), ' ', h('span', { class: 'req', 'data-i18n': 'f.required' })];
  }

  function optional(labelKey) {
    return [h('span', { 'data-i18n': labelKey }), ' ', h('span', { class: 'opt', 'data-i18n': 'f.optional' })];
  }

  /** A text field: input or textarea, label, optional help, error. */
  function text(key, o = {}) {
    const fid = id(key);
    const help = o.help ? h('p', { class: 'help', id: `${fid}-help`, 'data-i18n': o.help }) : null;
    const attrs = {
      id: fid, name: key, autocomplete: o.autocomplete || 'off',
      lang: o.lang, required: !!o.required, spellcheck: o.spellcheck,
    };
    const input = o.multiline
      ? h('textarea', { ...attrs, rows: String(o.rows || 4) })
      : h('input', { ...attrs, type: o.type || 'text', inputmode: o.inputmode });
    const err = errorEl(key);
    describe(input, help && help.id);
    input.dataset.describedBase = help ? help.id : '';
    const label = h('label', { for: fid }, o.required ? required(FIELD_LABELS[key]) : optional(FIELD_LABELS[key]));
    fields.set(key, { focus: () => input, error: err, targets: [input], input });
    input.addEventListener('input', () => clearError(key));
    return h('div', { class: `field field-${key.replace(/\./g, '-')}` }, label, help, input, err);
  }

  /** A group of checkboxes for categories or target groups. */
  function checks(key, items, o = {}) {
    const fid = id(key);
    const err = errorEl(key);
    const help = o.help ? h('p', { class: 'help', id: `${fid}-help`, 'data-i18n': o.help }) : null;
    const grid = h('div', { class: 'check-grid check-grid-2' });
    const addItem = (item) => {
      const cb = h('input', { type: 'checkbox', name: key, value: item.slug, id: `${fid}-${item.slug}` });
      cb.addEventListener('change', () => clearError(key));
      const dot = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      dot.style.backgroundColor = item.color || item.colour || '#4a4a4a';
      grid.append(h('label', { class: 'check', for: cb.id }, cb,
        o.swatch ? dot : null,
        h('span', { class: 'check-label', 'data-text-it': item.label_it || itemLabel(item), 'data-text-en': item.label_en || itemLabel(item) })));
    };
    items.forEach(addItem);
    const fs = h('fieldset', { class: 'check-group', id: fid, 'aria-describedby': help ? help.id : null },
      h('legend', {}, o.required ? required(FIELD_LABELS[key]) : optional(FIELD_LABELS[key])), help, grid, err);
    fs.dataset.describedBase = help ? help.id : '';
    fields.set(key, {
      focus: () => grid.querySelector('input'),
      error: err,
      targets: [fs],
      addItem,
    });
    return fs;
  }

  // ---- the sections ----------------------------------------------------------------------

  const sec = (titleKey, idKey, ...children) => h('section', { class: 'form-section', 'aria-labelledby': `${prefix}-sec-${idKey}` },
    h('h2', { id: `${prefix}-sec-${idKey}`, 'data-i18n': titleKey }), ...children);

  const about = sec('f.secAbout', 'about',
    text('name', { required: true, help: 'f.nameHelp' }),
    text('organisation', { help: 'f.organisationHelp', autocomplete: 'organization' }),
    text('description_it', { multiline: true, lang: 'it', help: 'f.descItHelp', rows: 5 }),
    text('description_en', { multiline: true, lang: 'en', help: 'f.descEnHelp', rows: 5 }));

  const kinds = sec('f.secKinds', 'kinds',
    checks('categories', opts.cats || [], { required: true, help: 'f.categoriesHelp', swatch: true }),
    checks('target_groups', opts.targets || [], { help: 'f.targetsHelp' }));

  // Where: address, geocoding, the pin, the coordinates.
  const addressField = text('address', { required: true, help: 'f.addressHelp', autocomplete: 'street-address' });
  const addressInput = fields.get('address').focus();
  const findBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: `${prefix}-find` }, h('span', { 'data-i18n': 'f.find' }));
  const geoResults = h('ul', { class: 'place-results', id: `${prefix}-geo-results`, hidden: true });
  const geoStatus = h('p', { class: 'geo-status', id: `${prefix}-geo-status`, role: 'status', 'aria-live': 'polite' });
  const mapBox = h('div', { class: 'pin-map', id: `${prefix}-pin-map`, dataset: { map: 'loading' } });
  const mapHelp = h('p', { class: 'help', id: `${prefix}-map-help`, 'data-i18n': 'f.mapHelp' });
  const lat = h('input', { type: 'text', inputmode: 'decimal', id: `${prefix}-lat`, name: 'lat', autocomplete: 'off', class: 'coord' });
  const lon = h('input', { type: 'text', inputmode: 'decimal', id: `${prefix}-lon`, name: 'lon', autocomplete: 'off', class: 'coord' });
  const geoErr = errorEl('geometry');
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
  const where = sec('f.secWhere', 'where',
    addressField,
    h('div', { class: 'find-row' }, findBtn),
    geoStatus,
    geoResults,
    h('div', { class: 'field field-geometry' },
      h('p', { class: 'label-like', id: `${prefix}-geometry-label` }, required('f.geometry')),
      mapHelp,
      mapBox,
      geoErr,
      coords));

  const contacts = sec('f.secContacts', 'contacts',
    h('p', { class: 'help', 'data-i18n': 'f.contactsHelp' }),
    text('phone', { type: 'tel', autocomplete: 'off', help: 'f.phoneHelp' }),
    text('email', { type: 'email', autocomplete: 'off', spellcheck: 'false' }),
    text('website', { type: 'url', autocomplete: 'off', help: 'f.websiteHelp', spellcheck: 'false' }));

  const hours = createHoursEditor({ prefix, onChange: () => { clearError('opening_hours'); changed(); } });
  const hoursErr = errorEl('opening_hours');
  hours.raw.dataset.describedBase = hours.raw.getAttribute('aria-describedby');
  fields.set('opening_hours', { focus: () => hours.focusTarget(), error: hoursErr, targets: [hours.raw] });
  const hoursSec = sec('f.secHours', 'hours', hours.root, hoursErr);

  // Accessibility.
  const wcErr = errorEl('accessibility.wheelchair');
  const wcFs = h('fieldset', { class: 'check-group', id: id('accessibility.wheelchair') },
    h('legend', { 'data-i18n': 'f.wheelchair' }),
    ...['yes', 'limited', 'no', 'unknown'].map((v) => {
      const r = h('input', { type: 'radio', name: `${prefix}-wheelchair`, value: v, id: `${prefix}-wheelchair-${v}`, checked: v === 'unknown' });
      r.addEventListener('change', () => clearError('accessibility.wheelchair'));
      return h('label', { class: 'check', for: r.id }, r, h('span', { 'data-i18n': `f.wheelchair.${v}` }));
    }),
    wcErr);
  fields.set('accessibility.wheelchair', { focus: () => wcFs.querySelector('input:checked') || wcFs.querySelector('input'), error: wcErr, targets: [wcFs] });
  const access = sec('f.secAccess', 'access', wcFs,
    text('accessibility.note_it', { multiline: true, lang: 'it', rows: 3, help: 'f.noteHelp' }),
    text('accessibility.note_en', { multiline: true, lang: 'en', rows: 3 }),
    checks('languages', DESK_LANGUAGES.map(languageItem), { help: 'f.languagesHelp' }));

  const sections = [about, kinds, where, contacts, hoursSec, access];

  // The private contact, consent and honeypot (new listings and proposals only).
  let consentBox = null;
  let honeypot = null;
  if (opts.withContact) {
    sections.push(h('section', { class: 'form-section private', 'aria-labelledby': `${prefix}-sec-private` },
      h('h2', { id: `${prefix}-sec-private` },
        svgLock(), h('span', { 'data-i18n': 'f.secPrivate' })),
      h('p', { class: 'private-note', 'data-i18n': 'f.privateNote' }),
      text('contact.name', { required: true, autocomplete: 'name' }),
      text('contact.email', { type: 'email', autocomplete: 'email', help: 'f.contactEmailHelp', spellcheck: 'false' }),
      text('contact.phone', { type: 'tel', autocomplete: 'tel' })));
  }
  if (opts.withConsent) {
    consentBox = h('input', { type: 'checkbox', id: id('consent'), name: 'consent', required: true });
    const cErr = errorEl('consent');
    const cHelp = h('p', { class: 'help', id: `${id('consent')}-help` },
      h('span', { 'data-i18n': 'f.consentHelp' }), ' ',
      h('a', { href: '/privacy', target: '_blank', rel: 'noopener', 'data-i18n': 'f.privacyLink' }));
    describe(consentBox, cHelp.id);
    consentBox.dataset.describedBase = cHelp.id;
    consentBox.addEventListener('change', () => clearError('consent'));
    fields.set('consent', { focus: () => consentBox, error: cErr, targets: [consentBox] });
    sections.push(h('div', { class: 'form-section consent' },
      h('label', { class: 'check check-top', for: consentBox.id }, consentBox, h('span', {}, required('f.consent'))),
      cHelp, cErr));
  }
  if (opts.withHoneypot) {
    // Hidden from people (off-screen) and from screen readers (aria-hidden), skipped by Tab.
    honeypot = h('input', { type: 'text', id: `${prefix}-hp`, name: HONEYPOT, tabindex: '-1', autocomplete: 'off' });
    sections.push(h('div', { class: 'hp', 'aria-hidden': 'true' }, h('label', { for: honeypot.id }, 'Website URL'), honeypot));
  }

  const root = h('div', { class: 'service-form' }, ...sections);

  // ---- behaviour ---------------------------------------------------------------------------

  const area = opts.config.area;

  function changed() {
    if (opts.onChange) opts.onChange();
  }

  function setPoint(p, { fromMap = false, fly = true } = {}) {
    point = p && Number.isFinite(p.lon) && Number.isFinite(p.lat) ? { lon: p.lon, lat: p.lat } : null;
    if (point) {
      lat.value = String(Number(point.lat.toFixed(6)));
      lon.value = String(Number(point.lon.toFixed(6)));
      if (pin && !fromMap) pin.setPoint(point, fly);
    }
    checkArea();
    changed();
  }

  function checkArea() {
    clearError('geometry');
    if (point && !insideArea(area, point.lon, point.lat)) {
      setErrors('geometry', [{ key: 'err.code.outside_area' }], false);
    }
  }

  function readCoords() {
    const la = Number(lat.value.replace(',', '.'));
    const lo = Number(lon.value.replace(',', '.'));
    if (lat.value.trim() && lon.value.trim() && Number.isFinite(la) && Number.isFinite(lo)
        && Math.abs(la) <= 90 && Math.abs(lo) <= 180) {
      setPoint({ lat: la, lon: lo });
    } else if (!lat.value.trim() && !lon.value.trim()) {
      point = null;
      clearError('geometry');
    } else {
      point = null;
      setErrors('geometry', [{ key: 'err.coords' }], false);
    }
  }
  lat.addEventListener('change', readCoords);
  lon.addEventListener('change', readCoords);

  let geoAbort = null;
  async function findAddress() {
    const q = addressInput.value.trim();
    geoResults.hidden = true;
    geoResults.replaceChildren();
    if (!q) {
      setErrors('address', [{ key: 'err.addressFirst' }], false);
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
  findBtn.addEventListener('click', findAddress);
  addressInput.addEventListener('keydown', (e) => {
    // Enter in the address looks the address up rather than sending the whole form.
    if (e.key === 'Enter') {
      e.preventDefault();
      findAddress();
    }
  });

  // The map starts once the form is in the document (MapLibre measures its container).
  async function startMap() {
    pin = await createPinMap({
      container: mapBox,
      config: opts.config,
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

  // ---- errors ------------------------------------------------------------------------------

  function renderError(key) {
    const f = fields.get(key);
    if (!f) return;
    const list = errors.get(key) || [];
    f.error.replaceChildren();
    if (!list.length) {
      f.error.hidden = true;
      for (const el of f.targets) {
        el.removeAttribute('aria-invalid');
        describe(el, el.dataset.describedBase);
      }
      return;
    }
    f.error.append(h('span', { class: 'visually-hidden', 'data-i18n': 'err.prefix' }, t('err.prefix')),
      list.map((e) => messageOf(key, e)).join(' '));
    f.error.hidden = false;
    for (const el of f.targets) {
      el.setAttribute('aria-invalid', 'true');
      describe(el, el.dataset.describedBase, f.error.id);
    }
  }

  function messageOf(key, e) {
    // A server message without a known code is shown as the server wrote it.
    return e.key ? t(e.key, e.vars) : e.text;
  }

  function setErrors(key, list, render = true) {
    errors.set(key, list);
    renderError(key);
    if (render) changed();
  }

  function clearError(key) {
    if (!errors.has(key)) return;
    errors.delete(key);
    renderError(key);
  }

  // The server's limits from its OpenAPI document: maxlength on text fields, maxItems checked
  // below. Without the document the form still works and the server's 422 still shows.
  let limits = {};
  submissionLimits().then((l) => {
    limits = l;
    for (const [key, f] of fields) {
      const max = limits[key] && limits[key].maxLength;
      if (f.input && max) f.input.maxLength = max;
    }
  });

  /** The page's own checks; returns the errors (also shown). */
  function validate() {
    const found = new Map();
    const add = (k, e) => {
      if (!found.has(k)) found.set(k, []);
      found.get(k).push(e);
    };
    const v = values();
    const p = v.properties;
    if (!p.name) add('name', { key: 'err.required' });
    if (!p.categories.length) add('categories', { key: 'err.code.required.categories' });
    if (!p.address) add('address', { key: 'err.required' });
    if (!point) add('geometry', { key: pin ? 'err.noPoint' : 'err.noPointCoords' });
    else if (!insideArea(area, point.lon, point.lat)) add('geometry', { key: 'err.code.outside_area' });
    if (p.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(p.email)) add('email', { key: 'err.code.invalid_email' });
    if (p.website && !/^https?:\/\/[^\s.]+\.[^\s]+$/i.test(p.website)) add('website', { key: 'err.code.invalid_url' });
    if (hours.problems().length) add('opening_hours', { key: 'err.hours' });
    if (opts.withContact) {
      if (!p.contact.name) add('contact.name', { key: 'err.required' });
      if (!p.contact.email && !p.contact.phone) add('contact.email', { key: 'err.code.email_or_phone' });
      else if (p.contact.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(p.contact.email)) add('contact.email', { key: 'err.code.invalid_email' });
    }
    if (opts.withConsent && !p.consent) add('consent', { key: 'err.code.consent_required' });
    for (const key of ['categories', 'target_groups', 'languages']) {
      const max = limits[key] && limits[key].maxItems;
      if (max && (p[key] || []).length > max) add(key, { key: 'err.code.too_many', vars: { max } });
    }
    showErrors(found);
    return found;
  }

  /** Shows errors: a Map key -> [errors] (replaces what was shown). */
  function showErrors(map) {
    for (const k of [...errors.keys()]) clearError(k);
    errors = new Map();
    for (const [k, list] of map) setErrors(k, list, false);
  }

  /** Errors from a 422 body's `fields` ([{field, code, message, params}]) as a Map. */
  function serverErrors(list) {
    const map = new Map();
    for (const f of list || []) {
      const k = fieldKey(f.field || f.parameter || f.path);
      if (!map.has(k)) map.set(k, []);
      map.get(k).push(serverError(k, f));
    }
    return map;
  }

  /** [{key, label, message, href}] for the error summary, in page order. */
  function summary() {
    const order = Object.keys(FIELD_LABELS);
    const keys = [...errors.keys()].sort((a, b) => {
      const ia = order.indexOf(a);
      const ib = order.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    const out = [];
    for (const k of keys) {
      for (const e of errors.get(k)) {
        const f = fields.get(k);
        const target = f && f.focus();
        out.push({
          key: k,
          label: FIELD_LABELS[k] ? t(FIELD_LABELS[k]) : k,
          message: messageOf(k, e),
          target: target || null,
        });
      }
    }
    return out;
  }

  // ---- values -------------------------------------------------------------------------------

  const val = (key) => {
    const f = fields.get(key);
    const v = f ? f.focus().value.trim() : '';
    return v || null;
  };

  /** The Feature the form describes (server-owned fields left out). */
  function values() {
    const checked = (key) => [...root.querySelectorAll(`input[name="${key}"]:checked`)].map((c) => c.value);
    const wc = root.querySelector(`input[name="${prefix}-wheelchair"]:checked`);
    const props = {
      name: val('name') || '',
      organisation: val('organisation'),
      description_it: val('description_it'),
      description_en: val('description_en'),
      categories: checked('categories'),
      target_groups: checked('target_groups'),
      address: val('address') || '',
      phone: val('phone'),
      email: val('email'),
      website: val('website'),
      opening_hours: hours.value() || null,
      accessibility: {
        wheelchair: wc ? wc.value : 'unknown',
        note_it: val('accessibility.note_it'),
        note_en: val('accessibility.note_en'),
      },
    };
    // Sent only when some are chosen: the server reads a missing list as an empty one.
    const languages = checked('languages');
    if (languages.length) props.languages = languages;
    if (opts.withContact) {
      props.contact = { name: val('contact.name') || '', email: val('contact.email'), phone: val('contact.phone') };
      // The language the municipality writes back in.
      props.lang = lang();
    }
    if (opts.withConsent) props.consent = consentBox.checked;
    if (honeypot) props[HONEYPOT] = honeypot.value;
    return {
      type: 'Feature',
      geometry: point ? { type: 'Point', coordinates: [point.lon, point.lat] } : null,
      properties: props,
    };
  }

  /** Fills the form from a Feature (GET /api/services/{id} or a stored submission). */
  function fill(feature) {
    const p = (feature && feature.properties) || {};
    const set = (key, v) => {
      const f = fields.get(key);
      if (f) f.focus().value = v ?? '';
    };
    for (const k of ['name', 'organisation', 'description_it', 'description_en', 'address', 'phone', 'email', 'website']) set(k, p[k]);
    const acc = p.accessibility || {};
    set('accessibility.note_it', acc.note_it);
    set('accessibility.note_en', acc.note_en);
    const wc = root.querySelector(`input[name="${prefix}-wheelchair"][value="${acc.wheelchair || 'unknown'}"]`);
    if (wc) wc.checked = true;
    // A language the form does not offer (set by a moderator or an import) stays chosen.
    for (const code of p.languages || []) {
      if (!root.querySelector(`input[name="languages"][value="${CSS.escape(code)}"]`)) fields.get('languages').addItem(languageItem(code));
    }
    for (const key of ['categories', 'target_groups', 'languages']) {
      const want = new Set(p[key] || []);
      for (const cb of root.querySelectorAll(`input[name="${key}"]`)) cb.checked = want.has(cb.value);
    }
    if (opts.withContact && p.contact) {
      set('contact.name', p.contact.name);
      set('contact.email', p.contact.email);
      set('contact.phone', p.contact.phone);
    }
    hours.setValue(p.opening_hours || '');
    const c = feature && feature.geometry && feature.geometry.coordinates;
    if (Array.isArray(c) && c.length === 2) setPoint({ lon: Number(c[0]), lat: Number(c[1]) });
    applyPage(root);
  }

  applyPage(root);

  return {
    root,
    /** Call once `root` is in the document. */
    start: startMap,
    values,
    fill,
    validate,
    showErrors,
    serverErrors,
    summary,
    hasErrors: () => errors.size > 0,
    relabel() {
      applyPage(root);
      hours.relabel();
      if (pin) pin.relabel();
      for (const k of errors.keys()) renderError(k);
    },
    resize: () => pin && pin.resize(),
    /** Focuses a field by key. */
    focus(key) {
      const f = fields.get(key);
      const el = f && f.focus();
      if (el) el.focus();
    },
  };
}

function svgLock() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M6 11h12v9H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3');
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '2');
  svg.append(path);
  return svg;
}

/**
 * Fills the error summary `box` (an element with tabindex=-1) from `form.summary()` plus
 * `extra` items ({label, message}), shows it and, when `focus`, moves the focus to it.
 * Each item links to its field and focuses it. Hides the box when there is nothing.
 */
export function renderErrorSummary(box, form, { focus = false, extra = [] } = {}) {
  const items = [...form.summary(), ...extra];
  box.replaceChildren();
  if (!items.length) {
    box.hidden = true;
    return 0;
  }
  const titleId = `${box.id}-title`;
  box.setAttribute('aria-labelledby', titleId);
  const list = h('ul', { class: 'error-list' });
  for (const it of items) {
    const text = `${it.label}: ${it.message}`;
    if (it.target && it.target.id) {
      const a = h('a', { href: `#${it.target.id}` }, text);
      a.addEventListener('click', (e) => {
        e.preventDefault();
        it.target.scrollIntoView({ block: 'center' });
        it.target.focus();
      });
      list.append(h('li', {}, a));
    } else {
      list.append(h('li', {}, text));
    }
  }
  box.append(
    h('h2', { id: titleId }, items.length === 1 ? t('sum.titleOne') : t('sum.title', { n: items.length })),
    h('p', {}, t('sum.intro')),
    list,
  );
  box.hidden = false;
  if (focus) {
    box.focus();
    box.scrollIntoView({ block: 'start' });
  }
  return items.length;
}
