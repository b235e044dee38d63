// The admins' page, end to end: failed logins of the last day are listed per username
// (a stranger's guesses at a moderator's name, and a name that is no account), with what
// the throttle did, shown as text; the section passes axe-core. A moderator's right
// password from their own browser is never held back by those guesses.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, eventually, assertNoProblems, axeSeriousViolations, formatViolations, artefact, DESKTOP,
} from './lib/harness.mjs';
import { addUser, api } from './lib/forms.mjs';

let s;
// Wrong passwords are answered 401 on purpose here.
const allow = (url) => /\/api\/auth\/(me|login)$/.test(url);
const PASSWORD = 'amministrazione-e2e-password';

before(async () => {
  s = await suite({ allow });
  await addUser(s.server, 'capo', 'admin', PASSWORD);
  await addUser(s.server, 'marta', 'moderator', PASSWORD);
});
after(async () => s?.done());

test('an admin sees the failed logins of the last day, as text, per username', { timeout: 90_000 }, async () => {
  // Two wrong guesses, fewer than this address's free failures: the admin's own login
  // from the same address is not slowed.
  const guess = async (username) => {
    const r = await api(s.base, 'POST', '/api/auth/login', { username, password: 'not-the-password' });
    assert.equal(r.status, 401, JSON.stringify(r.body));
  };
  await guess('marta');
  await guess('<img src=x onerror=alert(1)>');

  const { page, problems } = await s.open('/admin', { viewport: DESKTOP });
  await page.locator('#login-view').waitFor({ state: 'visible' });
  await page.fill('#login-username', 'capo');
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.locator('#admin-view').waitFor({ state: 'visible' });

  const rows = page.locator('#logins-body tr');
  await eventually(async () => assert.equal(await rows.count(), 2));
  assert.match(await page.textContent('#logins-count'), /2 nomi utente/);
  const marta = page.locator('#logins-body tr[data-username="marta"]');
  const cells = await marta.locator('td').allTextContents();
  assert.equal(cells[0], '1', `wrong passwords: ${cells}`);
  assert.match(await marta.locator('th').textContent(), /account esistente/);
  assert.match(cells[4], /nessuna attesa/);
  // The stranger's "username" is text, not markup.
  const odd = page.locator('#logins-body tr').filter({ hasText: 'onerror' });
  assert.match(await odd.locator('th').textContent(), /<img src=x onerror=alert\(1\)> \(nessun account con questo nome\)/);
  assert.equal(await page.locator('#logins-body img').count(), 0);

  // English follows the language switch.
  await page.click('#lang-switch');
  await eventually(async () => assert.match(await page.textContent('#logins-title'), /Failed logins/));
  assert.match(await marta.locator('th').textContent(), /existing account/);

  const v = await axeSeriousViolations(page, '#logins-title, #logins-table');
  assert.equal(v.length, 0, `failed logins: serious/critical axe violations:\n    ${formatViolations(v)}`);
  await page.screenshot({ path: await artefact('admin-logins-1280.png'), fullPage: true });
  assertNoProblems(problems);
});
