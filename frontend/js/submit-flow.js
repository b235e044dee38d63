// The submit flow shared by "Segnala il tuo servizio" (/segnala) and the private edit link
// (/modifica): the page's own checks with the error summary, one request at a time with the
// button saying "Sending…", every problem by its field on a 422 (or a 400 naming fields or a
// parameter), a clear message for anything else (network, 429 with the wait, 413, 5xx), and
// the page's own success panel. The pages differ only in what they send and where.

import { $ } from './dom.js';
import { t } from './i18n.js';
import { renderErrorSummary } from './service-form.js';
import { failureMessage } from './forms-common.js';

/**
 * Wires `formEl`'s submit event. Options:
 * - `form()`: the service form controller (createServiceForm), or null while it loads;
 * - `send(body)`: the request, resolving to the server's answer;
 * - `onSuccess(answer)`: fills the page's #success panel (the flow then shows it);
 * - `prepare(body)` (optional): a message ({key, vars}) that stops the sending, e.g. nothing changed;
 * - `refusal(err)` (optional): the page's own message for a failure, or null for the usual one.
 * The page's elements: #submit-button (its `data-i18n` is its idle label), #form-notice and
 * #error-summary. Returns `{formChanged(), relabel(), say(message)}`.
 */
export function wireSubmitFlow(formEl, opts) {
  const button = $('submit-button');
  const idleKey = button.dataset.i18n;
  const summaryBox = $('error-summary');
  let summaryShown = false;
  let sending = false;
  let message = null;

  function say(m) {
    message = m || null;
    $('form-notice').textContent = message ? t(message.key, message.vars) : '';
  }

  function showSummary(focus) {
    summaryShown = true;
    renderErrorSummary(summaryBox, opts.form(), { focus });
  }

  function setSending(on) {
    sending = on;
    button.disabled = on;
    // Through data-i18n, so a language change while sending keeps the right label.
    button.dataset.i18n = on ? 'segnala.sending' : idleKey;
    button.textContent = t(button.dataset.i18n);
  }

  /** The form gives way to the page's #success panel, which takes the focus. */
  function showSuccess() {
    formEl.hidden = true;
    summaryBox.hidden = true;
    $('success').hidden = false;
    $('success').focus();
    window.scrollTo(0, 0);
  }

  formEl.addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = opts.form();
    if (!form || sending) return;
    say(null);
    if (form.validate().size) {
      showSummary(true);
      return;
    }
    summaryShown = false;
    summaryBox.hidden = true;
    const body = form.values();
    const stop = opts.prepare && opts.prepare(body);
    if (stop) {
      say(stop);
      $('form-notice').focus();
      return;
    }
    setSending(true);
    say({ key: 'segnala.sending' });
    try {
      const res = await opts.send(body);
      say(null);
      opts.onSuccess(res || {});
      showSuccess();
    } catch (err) {
      const own = opts.refusal && opts.refusal(err);
      if (!own && (err.status === 422 || (err.status === 400 && (err.fields.length || err.parameter)))) {
        const list = err.fields.length ? err.fields : [{ field: err.parameter, message: err.message }];
        form.showErrors(form.serverErrors(list));
        say(null);
        showSummary(true);
      } else {
        say(own || failureMessage(err));
        $('form-notice').focus();
      }
    } finally {
      setSending(false);
    }
  });

  return {
    /** Call from the form's onChange: keeps a shown error summary current. */
    formChanged() {
      if (summaryShown) renderErrorSummary(summaryBox, opts.form());
    },
    /** Call after a language change. */
    relabel() {
      if (summaryShown) renderErrorSummary(summaryBox, opts.form());
      say(message);
      button.textContent = t(button.dataset.i18n);
    },
    say,
  };
}
