// The private edit link: `/modifica#<tracking code>.<edit token>` (or
// `/modifica#<service id>.<edit token>`). The secret lives in the URL fragment, which
// browsers never send to the server, so it never reaches access logs or Referer headers.
// The page loads the live listing into the same form as "Segnala il tuo servizio" and POSTs
// the proposal to /api/listings/{id}/proposals with `Authorization: Bearer <token>`; the
// live listing changes only after a moderator approves.

import { $ } from './dom.js';
import { initPage, onLangChange, setPageState } from './page.js';
import { t } from './i18n.js';
import { get, post } from './http.js';
import { createServiceForm } from './service-form.js';
import { wireSubmitFlow } from './submit-flow.js';
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
let loadMsg = null;

/** The loading status ({key, vars} or null), kept for a language change. */
function sayLoad(m) {
  loadMsg = m;
  $('load-status').textContent = m ? t(m.key, m.vars) : '';
}

const flow = wireSubmitFlow($('proposal-form'), {
  form: () => form,
  prepare: (body) => (JSON.stringify(publicPart(body)) === original ? { key: 'modifica.nothing' } : null),
  send: (body) => post(`/api/listings/${serviceId}/proposals`, body, {
    headers: { Authorization: `Bearer ${token}` },
  }),
  refusal: (err) => (err.status === 401 || err.status === 403 ? { key: 'modifica.badToken' } : null),
  onSuccess: showSuccess,
});

async function start() {
  const frag = parseFragment(location.hash);
  if (!frag) {
    sayLoad({ key: 'modifica.noToken' });
    setPageState('ready');
    return;
  }
  token = frag.token;
  sayLoad({ key: 'modifica.loading' });
  try {
    serviceId = frag.serviceId ?? null;
    if (!serviceId) {
      const s = await get(`/api/submissions/${encodeURIComponent(frag.code)}`);
      if (!s.service_id || (s.kind === 'new' && s.status !== 'published' && s.status !== 'merged')) {
        sayLoad({ key: 'modifica.notYet', vars: { status: t(`stato.s.${s.status}`) } });
        setPageState('ready');
        return;
      }
      serviceId = s.service_id;
    }
    const [tax, live] = await Promise.all([loadTaxonomy(get), get(`/api/services/${serviceId}`)]);
    form = createServiceForm({
      config, cats: tax.cats, targets: tax.targets, prefix: 'f',
      withContact: true, withConsent: true, withHoneypot: true,
      onChange: () => flow.formChanged(),
    });
    $('form-slot').replaceWith(form.root);
    $('proposal-form').hidden = false;
    form.fill(live);
    original = JSON.stringify(publicPart(form.values()));
    const ed = $('editing');
    ed.textContent = t('modifica.live', { name: live.properties.name });
    ed.dataset.name = live.properties.name;
    ed.hidden = false;
    sayLoad(null);
    await form.start();
  } catch (err) {
    sayLoad(err.status === 404 || err.status === 400 ? { key: 'modifica.notFound' } : failureMessage(err));
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

function showSuccess(res) {
  const code = res.tracking_code || '';
  $('tracking-code').textContent = code;
  $('status-link').href = `/stato?code=${encodeURIComponent(code)}`;
  $('modifica-intro').hidden = true;
}

onLangChange(() => {
  if (form) form.relabel();
  flow.relabel();
  sayLoad(loadMsg);
  const ed = $('editing');
  if (ed.dataset.name) ed.textContent = t('modifica.live', { name: ed.dataset.name });
});

start();
