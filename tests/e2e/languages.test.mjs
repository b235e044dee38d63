// Languages spoken at the desk (issue 18): the card names them in the page's language, the
// map's filter narrows the list and lives in the URL, the form sends them, and the
// moderators' diff labels the field.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, eventually, assertNoProblems, getJson, showFilters, resultIds, artefact, DESKTOP, PHONE, queryOf,
} from './lib/harness.mjs';
import { addUser, apiLogin, api } from './lib/forms.mjs';

let s;
let sportello;
const allow = (url) => /\/api\/auth\/me$/.test(url);
before(async () => {
  s = await suite({ allow });
  await addUser(s.server, 'lingue', 'moderator', 'lingue-e2e-password');
  const fc = await getJson(s.base, '/api/services?q=Sportello%20Famiglia&detail=full&limit=20');
  sportello = fc.features.find((f) => /Sportello Famiglia/.test(f.properties.name) && (f.properties.languages || []).includes('en'));
});
after(async () => s?.done());

test('the card says which languages the desk speaks, in the page\'s language', { timeout: 60_000 }, async () => {
  assert.ok(sportello, 'the demo data has the Sportello Famiglia with English');
  for (const [viewport, name] of [[DESKTOP, '1280'], [PHONE, '360']]) {
    const { page, problems } = await s.open(`/?service=${sportello.properties.id}`, { viewport, isMobile: viewport === PHONE });
    const line = page.locator('#card-body .card-languages');
    await line.waitFor();
    assert.match(await line.textContent(), /^Lingue parlate: .*italiano.*inglese/);
    await page.screenshot({ path: await artefact(`languages-card-${name}.png`) });
    if (viewport === DESKTOP) {
      await page.click('#lang-switch');
      await eventually(async () => assert.match(await line.textContent(), /^Languages spoken: .*Italian.*English/));
    } else {
      // On a phone the card covers the header: the English page is opened from its URL.
      const en = await s.open(`/?service=${sportello.properties.id}&lang=en`, { viewport, isMobile: true });
      const enLine = en.page.locator('#card-body .card-languages');
      await enLine.waitFor();
      assert.match(await enLine.textContent(), /^Languages spoken: .*Italian.*English/);
      assertNoProblems(en.problems);
    }
    assertNoProblems(problems);
  }
});

test('the filter "language spoken at the desk" narrows the list and is in the URL', { timeout: 60_000 }, async () => {
  const all = await getJson(s.base, '/api/services?limit=1');
  const en = await getJson(s.base, '/api/services?lang_spoken=en&limit=1');
  assert.ok(en.total > 0 && en.total < all.total, `some but not all speak English: ${en.total}/${all.total}`);
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  await showFilters(page);
  assert.equal(await page.textContent('label[for="lang-spoken"]'), 'Lingua parlata allo sportello');
  const before = (await resultIds(page)).length;
  await page.selectOption('#lang-spoken', 'en');
  await eventually(async () => assert.equal(queryOf(page.url()).lang_spoken, 'en'));
  await eventually(async () => {
    const ids = await resultIds(page);
    assert.ok(ids.length < before, `${ids.length} < ${before}`);
    assert.ok(ids.includes(String(sportello.properties.id)), 'the Sportello Famiglia is among them');
  });
  // The URL alone brings the filter back.
  const again = await s.open('/?lang_spoken=en', { viewport: DESKTOP });
  await showFilters(again.page);
  assert.equal(await again.page.inputValue('#lang-spoken'), 'en');
  assertNoProblems(problems);
  assertNoProblems(again.problems);
});

test('the form sends the languages, and the moderators see them in the diff', { timeout: 120_000 }, async () => {
  const mod = await apiLogin(s.base, 'lingue', 'lingue-e2e-password');
  const { page, problems } = await s.open('/segnala', { viewport: DESKTOP });
  await page.screenshot({ path: await artefact('languages-form-1280.png'), fullPage: true });
  const group = page.locator('fieldset#f-languages');
  assert.match(await group.locator('legend').textContent(), /Lingue parlate allo sportello/);
  assert.equal(await group.locator('label[for="f-languages-en"]').textContent(), 'inglese');
  await page.fill('#f-name', 'Sportello multilingue');
  await page.check('#f-categories-health');
  await page.fill('#f-address', 'Piazza del Campo, Siena');
  await page.click('#f-find');
  await eventually(async () => assert.ok(await page.inputValue('#f-lat')));
  await page.check('#f-languages-en');
  await page.check('#f-languages-ar');
  await page.fill('#f-contact-name', 'Amina');
  await page.fill('#f-contact-phone', '0577 123456');
  await page.check('#f-consent');
  const [req] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith('/api/submissions') && r.method() === 'POST'),
    page.click('#submit-button'),
  ]);
  assert.deepEqual(req.postDataJSON().properties.languages, ['en', 'ar']);
  await page.locator('#success').waitFor({ state: 'visible' });
  const q = await api(s.base, 'GET', '/api/moderation/queue', undefined, mod);
  const item = q.body.items.find((i) => i.submission && i.submission.feature.properties.name === 'Sportello multilingue');
  assert.ok(item, 'the submission is in the queue');
  assert.deepEqual(item.submission.feature.properties.languages, ['en', 'ar']);
  assertNoProblems(problems);

  // Approved, then changed through its private edit link: French added. The moderators'
  // diff has one row, labelled, with the languages named.
  const approved = await api(s.base, 'POST', `/api/moderation/items/${encodeURIComponent(item.id)}/approve`, undefined, mod);
  assert.ok(approved.status < 300, JSON.stringify(approved.body));
  const code = (await page.textContent('#tracking-code')).trim();
  const token = (await page.getAttribute('#edit-link', 'href')).split('.').pop();
  const edit = await s.open(`/modifica#${code}.${token}`, { viewport: DESKTOP });
  await edit.page.locator('#f-name').waitFor();
  assert.equal(await edit.page.isChecked('#f-languages-ar'), true, 'the edit form shows the stored languages');
  await edit.page.check('#f-languages-fr');
  await edit.page.fill('#f-contact-name', 'Amina');
  await edit.page.fill('#f-contact-phone', '0577 123456');
  await edit.page.check('#f-consent');
  await edit.page.click('#submit-button');
  await edit.page.locator('#success').waitFor({ state: 'visible' });
  assertNoProblems(edit.problems);

  const mp = await s.open('/moderazione', { viewport: DESKTOP });
  await mp.page.locator('#login-view').waitFor({ state: 'visible' });
  await mp.page.fill('#login-username', 'lingue');
  await mp.page.fill('#login-password', 'lingue-e2e-password');
  await mp.page.click('#login-submit');
  const change = mp.page.locator('#queue-list li.queue-item[data-kind="change"]').filter({ hasText: 'Sportello multilingue' });
  await change.locator('a').click();
  const row = mp.page.locator('#diff tr[data-field="languages"]');
  await row.waitFor();
  assert.equal((await row.locator('th').textContent()).trim(), 'Lingue parlate allo sportello');
  assert.equal((await row.locator('td.before').textContent()).trim(), 'inglese, arabo');
  assert.equal((await row.locator('td.after').textContent()).trim(), 'inglese, francese, arabo');
  assert.equal(await mp.page.locator('#diff tbody tr').count(), 1, 'only the languages changed');
  assertNoProblems(mp.problems);
});
