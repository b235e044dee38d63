// Status page: a tracking code (typed, or `?code=` in the URL) → GET /api/submissions/{code}
// → pending / published (with a link to the card on the map) / rejected with the reason /
// changes requested with the message.

import { $, h } from './dom.js';
import { formatDate, lang, t } from './i18n.js';
import { initPage, onLangChange, setPageState } from './page.js';
import { get } from './http.js';
import { failureMessage } from './forms-common.js';

initPage();

let last = null; // the last answer, re-rendered on a language change
let noticeMsg = null;

function notice(m) {
  noticeMsg = m;
  $('status-notice').textContent = m ? t(m.key, m.vars) : '';
}

let codeErrKey = null;

function codeError(key) {
  codeErrKey = key;
  const input = $('code');
  const err = $('code-error');
  if (!key) {
    err.hidden = true;
    err.textContent = '';
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', 'code-help');
    return;
  }
  err.textContent = t(key);
  err.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', 'code-help code-error');
}

function render(s) {
  const status = s.status || 'pending';
  const code = s.tracking_code || s.code || '';
  $('status-title').textContent = t('stato.result', { code });
  const badge = $('status-badge');
  badge.className = `status-badge s-${status}`;
  badge.textContent = t(`stato.s.${status}`);
  $('status-text').textContent = t(`stato.t.${status}`);
  const reason = s.reason || s.message || null;
  $('status-reason').hidden = !reason || !(status === 'rejected' || status === 'changes_requested');
  $('status-reason-title').textContent = t(status === 'rejected' ? 'stato.reason' : 'stato.message');
  $('status-reason-text').textContent = reason || '';
  const facts = [];
  if (s.kind) facts.push([t('stato.kind.label'), t(`stato.kind.${s.kind}`)]);
  const name = s.name || s.title || (s.feature && s.feature.properties && s.feature.properties.name);
  if (name) facts.push([t('stato.service'), name]);
  if (s.created_at) facts.push([t('stato.submittedAt'), formatDate(s.created_at, { time: true })]);
  if (s.decided_at) facts.push([t('stato.decidedAt'), formatDate(s.decided_at, { time: true })]);
  $('status-facts').replaceChildren(...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  const sid = s.service_id;
  const showMap = (status === 'published' || status === 'merged') && Number.isInteger(sid);
  $('status-map').hidden = !showMap;
  if (showMap) $('status-map-link').href = `/?service=${sid}${lang() === 'en' ? '&lang=en' : ''}`;
  $('status-result').hidden = false;
}

async function check(code, { focus = true } = {}) {
  codeError(null);
  notice(null);
  $('status-result').hidden = true;
  last = null;
  const clean = code.trim();
  if (!clean) {
    codeError('stato.empty');
    $('code').focus();
    return;
  }
  notice({ key: 'stato.checking' });
  const u = new URL(location.href);
  u.searchParams.set('code', clean);
  history.replaceState(null, '', u);
  try {
    const s = await get(`/api/submissions/${encodeURIComponent(clean)}`);
    notice(null);
    last = s;
    render(s);
    if (focus) $('status-result').focus();
  } catch (err) {
    notice(null);
    if (err.status === 404 || err.status === 400) {
      codeError('stato.notFound');
      $('code').focus();
    } else {
      notice(failureMessage(err));
    }
  }
}

$('code-form').addEventListener('submit', (e) => {
  e.preventDefault();
  check($('code').value);
});

onLangChange(() => {
  if (last) render(last);
  if (noticeMsg) notice(noticeMsg);
  if (codeErrKey) codeError(codeErrKey);
});

const fromUrl = new URLSearchParams(location.search).get('code');
if (fromUrl) {
  $('code').value = fromUrl.slice(0, 40);
  check(fromUrl.slice(0, 40), { focus: false }).then(() => setPageState('ready'));
} else {
  setPageState('ready');
}
