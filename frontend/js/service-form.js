// The service form shared by "Segnala il tuo servizio", the private edit link and the
// moderators' edit-before-approve: every public field of a service, optionally the private
// contact, the consent and the honeypot. It reads and writes a GeoJSON Feature shaped like
// GET /api/services/{id}, and shows problems next to their fields (from the page's own
// checks or from a 422's `fields`).

import { h, svgIcon } from './dom.js';
import { applyPage, DESK_LANGUAGES, lang, languageName, t } from './i18n.js';
import { fieldProblem } from './forms-common.js';
import { createHoursEditor } from './hours-editor.js';
import { insideArea } from './pin-map.js';
import { createErrorState, createFieldKit, describe, itemLabel } from './form-kit.js';
import { createWhere } from './form-where.js';
import { get } from './http.js';

export { itemLabel };

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

/**
 * The page's own checks of the values the form describes (`v`, as values() returns them);
 * `ctx`: {point, hasPin, area, hoursProblems, withContact, withConsent, limits}. Returns a
 * Map key -> [errors].
 */
export function checkValues(v, ctx) {
  const found = new Map();
  const add = (k, e) => {
    if (!found.has(k)) found.set(k, []);
    found.get(k).push(e);
  };
  const p = v.properties;
  const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  if (!p.name) add('name', { key: 'err.required' });
  if (!p.categories.length) add('categories', { key: 'err.code.required.categories' });
  if (!p.address) add('address', { key: 'err.required' });
  if (!ctx.point) add('geometry', { key: ctx.hasPin ? 'err.noPoint' : 'err.noPointCoords' });
  else if (!insideArea(ctx.area, ctx.point.lon, ctx.point.lat)) add('geometry', { key: 'err.code.outside_area' });
  if (p.email && !email.test(p.email)) add('email', { key: 'err.code.invalid_email' });
  if (p.website && !/^https?:\/\/[^\s.]+\.[^\s]+$/i.test(p.website)) add('website', { key: 'err.code.invalid_url' });
  if (ctx.hoursProblems) add('opening_hours', { key: 'err.hours' });
  if (ctx.withContact) {
    if (!p.contact.name) add('contact.name', { key: 'err.required' });
    if (!p.contact.email && !p.contact.phone) add('contact.email', { key: 'err.code.email_or_phone' });
    else if (p.contact.email && !email.test(p.contact.email)) add('contact.email', { key: 'err.code.invalid_email' });
  }
  if (ctx.withConsent && !p.consent) add('consent', { key: 'err.code.consent_required' });
  for (const key of ['categories', 'target_groups', 'languages']) {
    const max = ctx.limits[key] && ctx.limits[key].maxItems;
    if (max && (p[key] || []).length > max) add(key, { key: 'err.code.too_many', vars: { max } });
  }
  return found;
}

/** The wheelchair radio group of the accessibility section. */
function wheelchairField(prefix, kit, fields, errors) {
  const wcErr = kit.errorEl('accessibility.wheelchair');
  const wcFs = h('fieldset', { class: 'check-group', id: kit.id('accessibility.wheelchair') },
    h('legend', { 'data-i18n': 'f.wheelchair' }),
    ...['yes', 'limited', 'no', 'unknown'].map((v) => {
      const r = h('input', { type: 'radio', name: `${prefix}-wheelchair`, value: v, id: `${prefix}-wheelchair-${v}`, checked: v === 'unknown' });
      r.addEventListener('change', () => errors.clear('accessibility.wheelchair'));
      return h('label', { class: 'check', for: r.id }, r, h('span', { 'data-i18n': `f.wheelchair.${v}` }));
    }),
    wcErr);
  fields.set('accessibility.wheelchair', { focus: () => wcFs.querySelector('input:checked') || wcFs.querySelector('input'), error: wcErr, targets: [wcFs] });
  return wcFs;
}

/** The private contact, visible to the municipality's moderators only. */
function privateSection(prefix, kit) {
  return h('section', { class: 'form-section private', 'aria-labelledby': `${prefix}-sec-private` },
    h('h2', { id: `${prefix}-sec-private` },
      svgLock(), h('span', { 'data-i18n': 'f.secPrivate' })),
    h('p', { class: 'private-note', 'data-i18n': 'f.privateNote' }),
    kit.text('contact.name', { required: true, autocomplete: 'name' }),
    kit.text('contact.email', { type: 'email', autocomplete: 'email', help: 'f.contactEmailHelp', spellcheck: 'false' }),
    kit.text('contact.phone', { type: 'tel', autocomplete: 'tel' }));
}

/** The consent checkbox with its link to the privacy notice. */
function consentSection(kit, fields, errors) {
  const box = h('input', { type: 'checkbox', id: kit.id('consent'), name: 'consent', required: true });
  const err = kit.errorEl('consent');
  const help = h('p', { class: 'help', id: `${kit.id('consent')}-help` },
    h('span', { 'data-i18n': 'f.consentHelp' }), ' ',
    h('a', { href: '/privacy', target: '_blank', rel: 'noopener', 'data-i18n': 'f.privacyLink' }));
  describe(box, help.id);
  box.dataset.describedBase = help.id;
  box.addEventListener('change', () => errors.clear('consent'));
  fields.set('consent', { focus: () => box, error: err, targets: [box] });
  const section = h('div', { class: 'form-section consent' },
    h('label', { class: 'check check-top', for: box.id }, box, h('span', {}, kit.required('f.consent'))),
    help, err);
  return { section, box };
}

/** The honeypot: hidden from people (off-screen) and screen readers (aria-hidden), skipped by Tab. */
function honeypotSection(prefix) {
  const input = h('input', { type: 'text', id: `${prefix}-hp`, name: HONEYPOT, tabindex: '-1', autocomplete: 'off' });
  return { section: h('div', { class: 'hp', 'aria-hidden': 'true' }, h('label', { for: input.id }, 'Website URL'), input), input };
}

/**
 * Builds the form. Options: `config`, `cats`, `targets` (items of /api/categories and
 * /api/target-groups), `prefix` (id prefix, default 'f'), `withContact`, `withConsent`,
 * `withHoneypot`, `onChange()`. Returns a controller (see the end of the function).
 * The pieces: ./form-kit.js (fields, errors), ./form-where.js (address, pin, coordinates),
 * ./hours-editor.js (opening hours), checkValues (the page's own checks), and here the
 * sections, reading and filling the values.
 */
export function createServiceForm(opts) {
  const prefix = opts.prefix || 'f';
  const fields = new Map();
  const changed = () => { if (opts.onChange) opts.onChange(); };
  const errors = createErrorState(fields, FIELD_LABELS, changed);
  const kit = createFieldKit({ prefix, fields, labels: FIELD_LABELS, onEdit: (key) => errors.clear(key) });
  const { text, checks, section } = kit;

  const about = section('f.secAbout', 'about',
    text('name', { required: true, help: 'f.nameHelp' }),
    text('organisation', { help: 'f.organisationHelp', autocomplete: 'organization' }),
    text('description_it', { multiline: true, lang: 'it', help: 'f.descItHelp', rows: 5 }),
    text('description_en', { multiline: true, lang: 'en', help: 'f.descEnHelp', rows: 5 }));

  const kinds = section('f.secKinds', 'kinds',
    checks('categories', opts.cats || [], { required: true, help: 'f.categoriesHelp', swatch: true }),
    checks('target_groups', opts.targets || [], { help: 'f.targetsHelp' }));

  const where = createWhere({ kit, prefix, fields, config: opts.config, errors, onChange: changed });

  const contacts = section('f.secContacts', 'contacts',
    h('p', { class: 'help', 'data-i18n': 'f.contactsHelp' }),
    text('phone', { type: 'tel', autocomplete: 'off', help: 'f.phoneHelp' }),
    text('email', { type: 'email', autocomplete: 'off', spellcheck: 'false' }),
    text('website', { type: 'url', autocomplete: 'off', help: 'f.websiteHelp', spellcheck: 'false' }));

  const hours = createHoursEditor({ prefix, onChange: () => { errors.clear('opening_hours'); changed(); } });
  const hoursErr = kit.errorEl('opening_hours');
  hours.raw.dataset.describedBase = hours.raw.getAttribute('aria-describedby');
  fields.set('opening_hours', { focus: () => hours.focusTarget(), error: hoursErr, targets: [hours.raw] });
  const hoursSec = section('f.secHours', 'hours', hours.root, hoursErr);

  const access = section('f.secAccess', 'access', wheelchairField(prefix, kit, fields, errors),
    text('accessibility.note_it', { multiline: true, lang: 'it', rows: 3, help: 'f.noteHelp' }),
    text('accessibility.note_en', { multiline: true, lang: 'en', rows: 3 }),
    checks('languages', DESK_LANGUAGES.map(languageItem), { help: 'f.languagesHelp', short: true }));

  const sections = [about, kinds, where.section, contacts, hoursSec, access];
  // The private contact, consent and honeypot (new listings and proposals only).
  if (opts.withContact) sections.push(privateSection(prefix, kit));
  const consent = opts.withConsent ? consentSection(kit, fields, errors) : null;
  if (consent) sections.push(consent.section);
  const honeypot = opts.withHoneypot ? honeypotSection(prefix) : null;
  if (honeypot) sections.push(honeypot.section);

  const root = h('div', { class: 'service-form' }, ...sections);

  // The server's limits from its OpenAPI document: maxlength on text fields, maxItems checked
  // with the page's own checks. Without the document the form still works and the server's
  // 422 still shows.
  let limits = {};
  submissionLimits().then((l) => {
    limits = l;
    for (const [key, f] of fields) {
      const max = limits[key] && limits[key].maxLength;
      if (f.input && max) f.input.maxLength = max;
    }
  });

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
      languages: checked('languages'),
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
    if (opts.withContact) {
      props.contact = { name: val('contact.name') || '', email: val('contact.email'), phone: val('contact.phone') };
      // The language the municipality writes back in.
      props.lang = lang();
    }
    if (consent) props.consent = consent.box.checked;
    if (honeypot) props[HONEYPOT] = honeypot.input.value;
    const point = where.point();
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
    if (Array.isArray(c) && c.length === 2) where.setPoint({ lon: Number(c[0]), lat: Number(c[1]) });
    applyPage(root);
  }

  /** The page's own checks; returns the errors (also shown). */
  function validate() {
    const found = checkValues(values(), {
      point: where.point(),
      hasPin: where.hasPin(),
      area: opts.config.area,
      hoursProblems: hours.problems().length > 0,
      withContact: opts.withContact,
      withConsent: opts.withConsent,
      limits,
    });
    errors.show(found);
    return found;
  }

  /** Errors from a 422 body's `fields` ([{field, code, message, params}]) as a Map. */
  function serverErrors(list) {
    const map = new Map();
    for (const f of list || []) {
      const k = fieldKey(f.field || f.parameter || f.path);
      if (!map.has(k)) map.set(k, []);
      map.get(k).push(fieldProblem(k, f));
    }
    return map;
  }

  applyPage(root);

  return {
    root,
    /** Call once `root` is in the document. */
    start: where.start,
    values,
    fill,
    validate,
    showErrors: errors.show,
    serverErrors,
    summary: errors.summary,
    hasErrors: () => errors.size() > 0,
    relabel() {
      applyPage(root);
      hours.relabel();
      where.relabel();
      errors.rerender();
    },
    resize: where.resize,
    /** Focuses a field by key. */
    focus(key) {
      const f = fields.get(key);
      const el = f && f.focus();
      if (el) el.focus();
    },
  };
}

const svgLock = () => svgIcon('M6 11h12v9H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3');

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
