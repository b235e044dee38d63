// The moderators' page, end to end: a listing submitted next to a published service with a
// similar name shows a duplicate warning; the moderator logs in, edits and approves it; a
// citizen then finds it on the map near its address; the submitter's status page says
// published; the organisation proposes a change through its private link, the moderator sees
// the field-by-field diff and approves it. A listing imported with `--pending` is queued
// without a submitter: approve or reject only. Plus axe-core on the login, queue and item views.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  suite, eventually, assertNoProblems, axeSeriousViolations, formatViolations, artefact, getJson, DESKTOP, PHONE,
} from './lib/harness.mjs';
import { addUser, api } from './lib/forms.mjs';

let s;
const allow = (url) => /\/api\/auth\/me$/.test(url);
const PASSWORD = 'moderazione-e2e-password';
let near; // the published service the new listing resembles

before(async () => {
  s = await suite({ allow });
  await addUser(s.server, 'mod', 'moderator', PASSWORD);
  // The demo's "Ufficio Servizi Sociali" (Via di Città): the new listing goes right next to it.
  const list = await getJson(s.base, '/api/services?q=Ufficio%20Servizi%20Sociali&limit=5');
  near = list.features[0];
});
after(async () => s?.done());

async function assertAxe(page, view) {
  const v = await axeSeriousViolations(page);
  assert.equal(v.length, 0, `${view}: serious/critical axe violations:\n    ${formatViolations(v)}`);
}

function submission(name, [lon, lat]) {
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon + 0.0003, lat + 0.0002] },
    properties: {
      name,
      organisation: 'Comune di Siena',
      description_it: 'Sportello di prova.',
      description_en: null,
      categories: ['listening-guidance'],
      target_groups: [],
      address: 'Via di Città 83, Siena',
      phone: '+39 0577 111111',
      email: null,
      website: null,
      opening_hours: 'Mo-Fr 09:00-12:30,15:00-18:00; Aug off',
      accessibility: { wheelchair: 'yes', note_it: null, note_en: null },
      contact: { name: 'Anna Verdi', email: 'anna@example.org', phone: null },
      consent: true,
      lang: 'it',
      website_url: '',
    },
  };
}

async function logIn(page) {
  await page.locator('#login-view').waitFor({ state: 'visible' });
  await page.fill('#login-username', 'mod');
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.locator('#queue-view').waitFor({ state: 'visible' });
}

test('a new listing: duplicate warning, edit and approve; found on the map; status published; a change diffed and approved', { timeout: 180_000 }, async () => {
  // The association's request (the form itself is tested in submit.test.mjs).
  const created = await api(s.base, 'POST', '/api/submissions', submission('Ufficio dei Servizi Sociali', near.geometry.coordinates));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { tracking_code: code, edit_token: token } = created.body;

  const { page, problems } = await s.open('/moderazione', { viewport: DESKTOP });
  await logIn(page);
  await assertAxe(page, 'queue (it, desktop)');
  assert.match(await page.textContent('#queue-counts'), /Nuovi servizi: 1/);
  const item = page.locator('#queue-list li.queue-item[data-kind="new"]').filter({ hasText: 'Ufficio dei Servizi Sociali' });
  assert.match(await item.textContent(), /possibile doppione/);
  await item.locator('a').click();
  await page.locator('#item-body .detail-grid').waitFor();
  // The published look-alike is flagged, with its distance.
  const dup = page.locator(`#duplicates li[data-id="${near.properties.id ?? near.id}"]`);
  assert.equal(await dup.getAttribute('data-duplicate'), '1');
  assert.match(await dup.textContent(), /Nome simile/);
  assert.match(await page.textContent('#item-body'), /Anna Verdi/, 'the private contact is shown to moderators');
  await assertAxe(page, 'item (it, desktop)');
  await page.screenshot({ path: await artefact('moderazione-item-1280.png'), fullPage: true });

  // Edit before approving: a clearer name.
  await page.click('#edit-before');
  await page.locator('#e-name').waitFor();
  assert.equal(await page.inputValue('#e-name'), 'Ufficio dei Servizi Sociali');
  assert.equal(await page.inputValue('#e-opening_hours'), 'Mo-Fr 09:00-12:30,15:00-18:00; Aug off');
  await page.fill('#e-name', 'Punto di ascolto di Via di Città');
  await page.click('#approve');
  await page.locator('#queue-view').waitFor({ state: 'visible' });
  await eventually(async () => assert.match(await page.textContent('#mod-notice'), /Punto di ascolto di Via di Città/));
  await eventually(async () => assert.match(await page.textContent('#queue-counts'), /Nuovi servizi: 0/));

  // The submitter's status page.
  const status = await s.open(`/stato?code=${code}`, { viewport: PHONE, isMobile: true });
  await status.page.waitForSelector('#status-result:not([hidden])');
  assert.match(await status.page.textContent('#status-badge'), /Pubblicata/);
  const href = await status.page.getAttribute('#status-map-link', 'href');
  const id = Number(/service=(\d+)/.exec(href)[1]);
  assert.ok(id > 0);
  await status.page.screenshot({ path: await artefact('stato-published-360.png') });
  assertNoProblems(status.problems);

  // A citizen looking near the address finds it in the list, near the top.
  const [lon, lat] = near.geometry.coordinates;
  const map = await s.open(`/?near=${lat},${lon}`, { viewport: DESKTOP });
  await eventually(async () => {
    const ids = await map.page.$$eval('ol#results > li.result', (lis) => lis.slice(0, 5).map((li) => Number(li.dataset.id)));
    assert.ok(ids.includes(id), `new listing ${id} among the nearest: ${ids}`);
  });
  assert.match(await map.page.textContent(`li.result[data-id="${id}"]`), /Punto di ascolto di Via di Città/);
  assertNoProblems(map.problems);

  // The organisation proposes a change through its private link.
  const edit = await s.open(`/modifica#${code}.${token}`, { viewport: DESKTOP });
  await edit.page.locator('#f-name').waitFor();
  assert.equal(await edit.page.inputValue('#f-name'), 'Punto di ascolto di Via di Città');
  await edit.page.fill('#f-phone', '+39 0577 222222');
  await edit.page.fill('#f-contact-name', 'Anna Verdi');
  await edit.page.fill('#f-contact-email', 'anna@example.org');
  await edit.page.check('#f-consent');
  await edit.page.click('#submit-button');
  await edit.page.locator('#success').waitFor({ state: 'visible' });
  assertNoProblems(edit.problems);
  // The live listing has not changed yet.
  assert.equal((await getJson(s.base, `/api/services/${id}`)).properties.phone, '+39 0577 111111');

  await page.click('#queue-reload');
  const change = page.locator('#queue-list li.queue-item[data-kind="change"]');
  await change.waitFor();
  await change.locator('a').click();
  const row = page.locator('#diff tr[data-field="phone"]');
  await row.waitFor();
  assert.equal((await row.locator('td.before').textContent()).trim(), '+39 0577 111111');
  assert.equal((await row.locator('td.after').textContent()).trim(), '+39 0577 222222');
  assert.equal(await page.locator('#diff tbody tr').count(), 1, 'only the phone changed');
  await page.screenshot({ path: await artefact('moderazione-diff-1280.png'), fullPage: true });
  await page.click('#approve');
  await page.locator('#queue-view').waitFor({ state: 'visible' }).catch(async (e) => {
    throw new Error(`${e.message}\nnotice: ${await page.textContent('#mod-notice')}`);
  });
  await eventually(async () => assert.equal((await getJson(s.base, `/api/services/${id}`)).properties.phone, '+39 0577 222222'));
  assertNoProblems(problems);
});

test('login errors, logout, and a reload keeps the session (CSRF token from /api/auth/me)', { timeout: 90_000 }, async () => {
  const { page, problems } = await s.open('/moderazione', { viewport: PHONE, isMobile: true });
  await page.locator('#login-view').waitFor({ state: 'visible' });
  await assertAxe(page, 'login (it, phone)');
  await page.fill('#login-username', 'mod');
  await page.fill('#login-password', 'wrong-password-123');
  await page.click('#login-submit');
  await eventually(async () => assert.match(await page.textContent('#login-error'), /sbagliati/));
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.locator('#queue-view').waitFor({ state: 'visible' });
  await page.reload();
  await page.locator('#queue-view').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#user-name'), /mod/);
  // The page can still act (its token came back from /api/auth/me): verify a listing.
  await page.goto(`${s.base}/moderazione#listing/1`);
  await page.locator('#verify').waitFor();
  await page.click('#verify');
  await eventually(async () => assert.match(await page.textContent('#mod-notice'), /verificata/));
  await page.screenshot({ path: await artefact('moderazione-listing-360.png') });
  await page.click('#logout');
  await page.locator('#login-view').waitFor({ state: 'visible' });
  // A moderator is told the admin page is not for them.
  await page.goto(`${s.base}/admin`);
  await page.fill('#login-username', 'mod');
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.locator('#not-allowed').waitFor({ state: 'visible' });
  assertNoProblems(problems.filter((p) => !/\/api\/auth\/login/.test(p)));
});

test('a long queue comes a page at a time: "Mostra altri" appends the next page and takes the focus', { timeout: 90_000 }, async () => {
  const names = ['Coda lunga uno', 'Coda lunga due', 'Coda lunga tre'];
  for (const [i, name] of names.entries()) {
    const [lon, lat] = near.geometry.coordinates;
    const created = await api(s.base, 'POST', '/api/submissions', submission(name, [lon + 0.01 * (i + 1), lat]));
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  // The page size comes from the URL (validated by the page): two items a page.
  const { page, problems } = await s.open('/moderazione?pageSize=2', { viewport: DESKTOP });
  await logIn(page);
  const items = page.locator('#queue-list li.queue-item');
  await eventually(async () => assert.equal(await items.count(), 2));
  assert.match(await page.textContent('#queue-counts'), /Totale: 3/);
  const more = page.locator('#queue-more');
  assert.equal(await more.isVisible(), true);
  assert.equal(await more.evaluate((b) => b.tagName), 'BUTTON');
  assert.match(await more.textContent(), /Mostra altri \(1 ancora/);
  const firstIds = await items.evaluateAll((lis) => lis.map((li) => li.dataset.id));
  await assertAxe(page, 'queue with more pages (it, desktop)');

  await more.click();
  await eventually(async () => assert.equal(await items.count(), 3));
  const ids = await items.evaluateAll((lis) => lis.map((li) => li.dataset.id));
  assert.deepEqual(ids.slice(0, 2), firstIds, 'the first page stays');
  assert.equal(new Set(ids).size, 3, `no item twice: ${ids}`);
  const titles = await page.locator('#queue-list .qi-name').allTextContents();
  assert.deepEqual(titles, names, 'all three, oldest first');
  assert.equal(await more.isVisible(), false, 'no more pages');
  // The focus is on the first item added.
  assert.equal(await page.evaluate(() => document.activeElement?.closest('li')?.dataset.id), ids[2]);

  // In English, the button's words follow.
  await page.click('#queue-reload');
  await eventually(async () => assert.equal(await items.count(), 2));
  await page.click('#lang-switch');
  await eventually(async () => assert.match(await more.textContent(), /Show more \(1 still/));
  assertNoProblems(problems);
});

test('a listing imported with --pending is in the queue without a submitter: approve only, then on the map', { timeout: 90_000 }, async () => {
  const file = path.join(s.server.dataDir, 'in-attesa.geojson');
  await writeFile(file, JSON.stringify({
    type: 'FeatureCollection',
    features: [{
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [11.3391, 43.3302] },
      properties: {
        external_id: 'E2E-PENDING-1',
        name: 'Sportello importato <b>in attesa</b>',
        categories: ['listening-guidance'],
        address: 'Via Montanini 1, Siena',
      },
    }],
  }));
  const { stdout } = await s.server.cli(['import', file, '--pending']);
  assert.match(stdout, /queued for moderation/);

  const { page, problems } = await s.open('/moderazione', { viewport: DESKTOP });
  await logIn(page);
  const item = page.locator('#queue-list li.queue-item[data-kind="new"]').filter({ hasText: 'Sportello importato' });
  await item.waitFor();
  assert.match(await item.getAttribute('data-id'), /^p-\d+$/);
  assert.match(await item.textContent(), /Importato da file \(nessun richiedente\)/);
  // The note reads as a note beside the name, not as more of the bold, underlined name.
  const look = (sel) => item.locator(sel).evaluate((el) => {
    const cs = getComputedStyle(el);
    return { weight: cs.fontWeight, underlined: cs.textDecorationLine.includes('underline') };
  });
  assert.deepEqual(await look('.qi-name'), { weight: '700', underlined: true });
  assert.deepEqual(await look('.imported-flag'), { weight: '400', underlined: false });
  await item.locator('a').click();
  await page.locator('#item-body .detail-grid').waitFor();
  assert.match(await page.textContent('#item-title'), /Sportello importato <b>in attesa<\/b>/, 'the name is text');
  assert.match(await page.textContent('#imported-source'), /Importato da file \(nessun richiedente\)/);
  for (const id of ['#request-changes', '#merge', '#edit-before']) {
    assert.equal(await page.locator(id).count(), 0, `${id} is not offered for an import`);
  }
  assert.equal(await page.locator('#reject').count(), 1);
  // Not published yet: no published listing to open on the map or to manage.
  assert.equal(await page.locator('#item-body a[href^="#listing/"], #item-body a[href^="/?service="]').count(), 0);
  await assertAxe(page, 'imported item (it, desktop)');
  await page.click('#lang-switch');
  await eventually(async () => assert.match(await page.textContent('#imported-source'), /Imported from a file \(no submitter\)/));

  await page.click('#approve');
  await page.locator('#queue-view').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#queue-list li.queue-item').filter({ hasText: 'Sportello importato' }).count(), 0);
  const found = await getJson(s.base, '/api/services/nearest?lon=11.3391&lat=43.3302&k=1');
  assert.equal(found.features[0].properties.name, 'Sportello importato <b>in attesa</b>');
  assertNoProblems(problems);
});

test('a name imitating a published listing with Cyrillic letters is flagged next to the duplicates, as text', { timeout: 90_000 }, async () => {
  const list = await getJson(s.base, '/api/services?q=Sportello%20Famiglia&limit=5');
  const real = list.features.find((f) => f.properties.name === 'Sportello Famiglia');
  assert.ok(real, 'the demo data has the Sportello Famiglia');
  const fakeName = 'Ѕроrtеllо Fаmіglіа'; // Cyrillic Ѕ, р, о, е, а, і
  const fake = submission(fakeName, real.geometry.coordinates);
  fake.geometry.coordinates = real.geometry.coordinates; // at the real one's point
  const created = await api(s.base, 'POST', '/api/submissions', fake);
  assert.equal(created.status, 201, JSON.stringify(created.body));

  const { page, problems } = await s.open('/moderazione', { viewport: DESKTOP });
  await logIn(page);
  const item = page.locator('#queue-list li.queue-item[data-kind="new"]').filter({ hasText: fakeName });
  await item.waitFor();
  assert.match(await item.textContent(), /Nome da controllare/);
  await item.locator('a').click();
  const box = page.locator('#name-warnings');
  await box.waitFor();
  // Next to the duplicate warning: just before it.
  assert.equal(await page.evaluate(() => document.querySelector('#name-warnings').nextElementSibling?.id), 'duplicates');
  const lookalike = box.locator(`li[data-kind="lookalike"][data-id="${real.id}"]`);
  assert.match(await lookalike.textContent(), new RegExp(`Imita il nome di un servizio già pubblicato: «Sportello Famiglia» \\(n\\. ${real.id}\\)`));
  assert.equal(await lookalike.locator('a').getAttribute('href'), `/?service=${real.id}`);
  const mixed = box.locator('li[data-kind="mixed_scripts"]');
  assert.match(await mixed.textContent(), /Alfabeti mescolati \(cirillico, latino\) nella stessa parola: «Ѕроrtеllо», «Fаmіglіа»/);
  assert.equal(await box.locator('h3').textContent(), 'Attenzione al nome');
  await assertAxe(page, 'item with name warnings (it, desktop)');
  await page.screenshot({ path: await artefact('moderazione-lookalike-1280.png'), fullPage: true });

  await page.click('#lang-switch');
  await eventually(async () => assert.match(await lookalike.textContent(), /Imitates the name of a service already published: «Sportello Famiglia»/));
  assert.match(await mixed.textContent(), /Mixed alphabets \(Cyrillic, Latin\) within one word/);

  // Turned down, it leaves the queue.
  await page.fill('#reject-reason', 'Imitates the Sportello Famiglia');
  await page.click('#reject');
  await page.locator('#queue-view').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#queue-list li.queue-item').filter({ hasText: fakeName }).count(), 0);
  assertNoProblems(problems);
});
