// "Report a problem" on a service's card.

import { $ } from './dom.js';
import { lang, t } from './i18n.js';
import * as api from './api.js';

let serviceId = null;
let sending = false;

function status(message, kind) {
  const el = $('report-status');
  el.textContent = message;
  el.className = `report-status${kind ? ` is-${kind}` : ''}`;
}

/** Resets the form for another service (closed, empty, no message). */
export function resetReport(id) {
  serviceId = id;
  const form = $('report-form');
  form.reset();
  form.hidden = true;
  $('report-open').setAttribute('aria-expanded', 'false');
  $('report-message').removeAttribute('aria-invalid');
  status('', null);
}

function toggle() {
  const form = $('report-form');
  const open = form.hidden;
  form.hidden = !open;
  $('report-open').setAttribute('aria-expanded', String(open));
  if (open) {
    status('', null);
    const first = form.querySelector('input[name=report-kind]');
    if (first) first.focus();
  }
}

async function submit(e) {
  e.preventDefault();
  if (sending || !serviceId) return;
  const form = $('report-form');
  const kindEl = form.querySelector('input[name=report-kind]:checked');
  const textarea = $('report-message');
  const message = textarea.value.trim();
  textarea.removeAttribute('aria-invalid');
  if (!kindEl) {
    status(t('report.needKind'), 'error');
    form.querySelector('input[name=report-kind]').focus();
    return;
  }
  if (kindEl.value === 'other' && !message) {
    status(t('report.needMessage'), 'error');
    textarea.setAttribute('aria-invalid', 'true');
    textarea.focus();
    return;
  }
  if (message.length > 2000) {
    status(t('report.tooLong'), 'error');
    textarea.setAttribute('aria-invalid', 'true');
    textarea.focus();
    return;
  }
  sending = true;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  status(t('report.sending'), null);
  const id = serviceId;
  try {
    await api.report(id, {
      kind: kindEl.value,
      message,
      lang: lang(),
      website: $('report-website').value,
    });
    if (id !== serviceId) return;
    form.reset();
    form.hidden = true;
    $('report-open').setAttribute('aria-expanded', 'false');
    status(t('report.sent'), 'ok');
    $('report-open').focus();
  } catch (err) {
    if (id !== serviceId) return;
    if (err.status === 429) status(t('report.rateLimited'), 'error');
    else if (err.status === 404) status(t('report.notFound'), 'error');
    else if (err.status === 400 || err.status === 422) {
      const field = err.parameter || '';
      if (field === 'message' && kindEl.value === 'other' && !message) status(t('report.needMessage'), 'error');
      else if (field === 'message' && message.length > 2000) status(t('report.tooLong'), 'error');
      else {
        const key = `field.${field}`;
        const name = t(key) === key ? field : t(key);
        status(t('report.invalid', { field: name }), 'error');
      }
      if (field === 'message') {
        textarea.setAttribute('aria-invalid', 'true');
        textarea.focus();
      }
    } else if (err.status === 0) status(t('report.network'), 'error');
    else status(t('report.error'), 'error');
  } finally {
    sending = false;
    button.disabled = false;
  }
}

export function initReport() {
  $('report-open').addEventListener('click', toggle);
  $('report-form').addEventListener('submit', submit);
}
