// "Segnala il tuo servizio": the form, POST /api/submissions, and the outcome (tracking code
// and private edit link on 201; every problem by its field on 422; a clear message on 429).

import { $ } from './dom.js';
import { initPage, onLangChange, setPageState } from './page.js';
import { t } from './i18n-pages.js';
import { get, post } from './http.js';
import { createServiceForm, renderErrorSummary } from './service-form.js';
import { failureMessage, loadTaxonomy } from './forms-common.js';

const config = initPage();
setPageState('loading');

let form = null;
let summaryShown = false;
let noticeKey = null;
let noticeVars = null;
let sending = false;

function notice(key, vars) {
  noticeKey = key;
  noticeVars = vars;
  $('form-notice').textContent = key ? t(key, vars) : '';
}

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
    onChange: () => {
      if (summaryShown) renderErrorSummary($('error-summary'), form);
    },
  });
  $('form-slot').replaceWith(form.root);
  await form.start();
  setPageState('ready');
}

$('submit-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!form || sending) return;
  notice(null);
  const found = form.validate();
  if (found.size) {
    summaryShown = true;
    renderErrorSummary($('error-summary'), form, { focus: true });
    return;
  }
  summaryShown = false;
  $('error-summary').hidden = true;
  sending = true;
  const btn = $('submit-button');
  btn.disabled = true;
  btn.textContent = t('segnala.sending');
  notice('segnala.sending');
  try {
    const res = await post('/api/submissions', form.values());
    showSuccess(res || {});
  } catch (err) {
    if (err.status === 422 || (err.status === 400 && (err.fields.length || err.parameter))) {
      const list = err.fields.length ? err.fields : [{ field: err.parameter, message: err.message }];
      form.showErrors(form.serverErrors(list));
      summaryShown = true;
      notice(null);
      renderErrorSummary($('error-summary'), form, { focus: true });
    } else {
      const m = failureMessage(err);
      notice(m.key, m.vars);
      $('form-notice').focus();
    }
  } finally {
    sending = false;
    btn.disabled = false;
    btn.textContent = t('segnala.submit');
  }
});

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
  $('submit-form').hidden = true;
  $('intro').hidden = true;
  $('error-summary').hidden = true;
  notice(null);
  $('success').hidden = false;
  $('success').focus();
  window.scrollTo(0, 0);
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
  if (summaryShown) renderErrorSummary($('error-summary'), form);
  if (noticeKey) notice(noticeKey, noticeVars);
  $('submit-button').textContent = t(sending ? 'segnala.sending' : 'segnala.submit');
});

start();
