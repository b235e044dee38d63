// The private edit link: `/modifica#<tracking code>.<edit token>` (or
// `/modifica#<service id>.<edit token>`). The secret lives in the URL fragment, which
// browsers never send to the server, so it never reaches access logs or Referer headers.
// The page loads the live listing into the same form as "Segnala il tuo servizio" and POSTs
// the proposal to /api/listings/{id}/proposals with `Authorization: Bearer <token>`; the
// live listing changes only after a moderator approves.

import { $ } from './dom.js';
import { initPage, onLangChange, setPageState } from './page.js';
import { t } from './i18n-pages.js';
import { get, post } from './http.js';
import { createServiceForm, renderErrorSummary } from './service-form.js';
import { failureMessage, loadTaxonomy } from './forms-common.js';

const config = initPage();
setPageState('loading');

const CODE = /^[2-9A-HJ-NP-Za-hj-np-z]{10}$/;

/** {code | serviceId, token} from the fragment, or null. */
export function parseFragment(hash) {
  const raw = decodeURIComponent((hash || '').replace(/^#/, '')).trim();
  const dot = raw.indexOf('.');
  if (dot < 1) return null;
  const head = raw.slice(0, dot);
  const token = raw.slice(dot + 1);
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) return null;
  if (/^\d{1,12}$/.test(head) && !(head.length === 10 && CODE.test(head))) return { serviceId: Number(head), token };
  if (CODE.test(head)) return { code: head.toUpperCase(), token };
  return null;
}

let form = null;
let serviceId = null;
let token = null;
let original = null;
let summaryShown = false;
let msgs = { load: null, form: null };

function say(which, m) {
  msgs[which] = m;
  const el = $(which === 'load' ? 'load-status' : 'form-notice');
  el.textContent = m ? t(m.key, m.vars) : '';
}

async function start() {
  const frag = parseFragment(location.hash);
  if (!frag) {
    say('load', { key: 'modifica.noToken' });
    setPageState('ready');
    return;
  }
  token = frag.token;
  say('load', { key: 'modifica.loading' });
  try {
    serviceId = frag.serviceId ?? null;
    if (!serviceId) {
      const s = await get(`/api/submissions/${encodeURIComponent(frag.code)}`);
      if (!s.service_id || (s.kind === 'new' && s.status !== 'published' && s.status !== 'merged')) {
        say('load', { key: 'modifica.notYet', vars: { status: t(`stato.s.${s.status}`) } });
        setPageState('ready');
        return;
      }
      serviceId = s.service_id;
    }
    const [tax, live] = await Promise.all([loadTaxonomy(get), get(`/api/services/${serviceId}`)]);
    form = createServiceForm({
      config, cats: tax.cats, targets: tax.targets, prefix: 'f',
      withContact: true, withConsent: true, withHoneypot: true,
      onChange: () => {
        if (summaryShown) renderErrorSummary($('error-summary'), form);
      },
    });
    $('form-slot').replaceWith(form.root);
    $('proposal-form').hidden = false;
    form.fill(live);
    original = JSON.stringify(publicPart(form.values()));
    const ed = $('editing');
    ed.textContent = t('modifica.live', { name: live.properties.name });
    ed.dataset.name = live.properties.name;
    ed.hidden = false;
    say('load', null);
    await form.start();
  } catch (err) {
    say('load', err.status === 404 || err.status === 400 ? { key: 'modifica.notFound' } : failureMessage(err));
  }
  setPageState('ready');
}

function publicPart(f) {
  const p = { ...f.properties };
  delete p.contact;
  delete p.consent;
  delete p.lang;
  delete p.website_url;
  return { geometry: f.geometry, properties: p };
}

$('proposal-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!form) return;
  say('form', null);
  const found = form.validate();
  if (found.size) {
    summaryShown = true;
    renderErrorSummary($('error-summary'), form, { focus: true });
    return;
  }
  summaryShown = false;
  $('error-summary').hidden = true;
  const body = form.values();
  if (JSON.stringify(publicPart(body)) === original) {
    say('form', { key: 'modifica.nothing' });
    $('form-notice').focus();
    return;
  }
  const btn = $('submit-button');
  btn.disabled = true;
  try {
    const res = await post(`/api/listings/${serviceId}/proposals`, body, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const code = (res && res.tracking_code) || '';
    $('tracking-code').textContent = code;
    $('status-link').href = `/stato?code=${encodeURIComponent(code)}`;
    $('proposal-form').hidden = true;
    $('modifica-intro').hidden = true;
    $('success').hidden = false;
    $('success').focus();
  } catch (err) {
    if (err.status === 422) {
      form.showErrors(form.serverErrors(err.fields));
      summaryShown = true;
      renderErrorSummary($('error-summary'), form, { focus: true });
    } else if (err.status === 401 || err.status === 403) {
      say('form', { key: 'modifica.badToken' });
      $('form-notice').focus();
    } else {
      say('form', failureMessage(err));
      $('form-notice').focus();
    }
  } finally {
    btn.disabled = false;
  }
});

onLangChange(() => {
  if (form) form.relabel();
  if (summaryShown) renderErrorSummary($('error-summary'), form);
  say('load', msgs.load);
  say('form', msgs.form);
  const ed = $('editing');
  if (ed.dataset.name) ed.textContent = t('modifica.live', { name: ed.dataset.name });
});

start();
