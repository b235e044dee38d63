// "Segnala il tuo servizio": the form, POST /api/submissions (through the submit flow shared
// with /modifica, ./submit-flow.js), and the outcome: tracking code and private edit link.

import { $ } from './dom.js';
import { initPage, onLangChange, setPageState } from './page.js';
import { t } from './i18n.js';
import { get, post } from './http.js';
import { createServiceForm } from './service-form.js';
import { loadTaxonomy } from './forms-common.js';
import { wireSubmitFlow } from './submit-flow.js';

const config = initPage();
setPageState('loading');

let form = null;

const flow = wireSubmitFlow($('submit-form'), {
  form: () => form,
  send: (body) => post('/api/submissions', body),
  onSuccess: showSuccess,
});

async function start() {
  let tax;
  try {
    tax = await loadTaxonomy(get);
  } catch {
    $('form-slot').textContent = t('err.network');
    setPageState('ready');
    return;
  }
  form = createServiceForm({
    config, cats: tax.cats, targets: tax.targets, prefix: 'f',
    withContact: true, withConsent: true, withHoneypot: true,
    onChange: () => flow.formChanged(),
  });
  $('form-slot').replaceWith(form.root);
  await form.start();
  setPageState('ready');
}

function showSuccess(res) {
  const code = res.tracking_code || res.code || '';
  $('tracking-code').textContent = code;
  const statusUrl = `/stato?code=${encodeURIComponent(code)}`;
  $('status-link').href = statusUrl;
  // The edit token goes in the fragment (never sent to the server, so never logged),
  // after the tracking code that leads the edit page to the listing once it is published.
  const edit = res.edit_token ? `/modifica#${code}.${res.edit_token}` : (res.edit_link || null);
  if (edit) {
    const url = new URL(edit, location.origin).href;
    $('edit-link').href = url;
    $('edit-link').textContent = url;
    $('edit-link-box').hidden = false;
  }
  $('intro').hidden = true;
}

$('copy-edit-link').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('edit-link').href);
    $('copy-status').textContent = t('segnala.copied');
  } catch {
    // No clipboard permission: select the link text so the person can copy it.
    const r = document.createRange();
    r.selectNodeContents($('edit-link'));
    const s = getSelection();
    s.removeAllRanges();
    s.addRange(r);
  }
});

onLangChange(() => {
  if (form) form.relabel();
  flow.relabel();
});

start();
