// "Segnala il tuo servizio": an association fills the form like a person (geocoded address,
// the pin dragged to the entrance, morning and afternoon hours copied to the weekdays, closed
// in August and on holidays), gets a tracking code and an edit link, and the status page
// shows the request pending. Also: the page's own checks with the error summary, the
// server's 422 shown by field, English, and axe-core on the form.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, eventually, assertNoProblems, axeSeriousViolations, formatViolations, artefact, DESKTOP, PHONE,
} from './lib/harness.mjs';
import { addUser, apiLogin, api, setDay, dragPin } from './lib/forms.mjs';

let s;
// Not being logged in is how the moderation page learns it must show the login form.
const allow = (url) => /\/api\/auth\/me$/.test(url);
before(async () => {
  s = await suite({ allow });
  await addUser(s.server, 'checker', 'moderator', 'controllo-e2e-password');
});
after(async () => s?.done());

async function assertAxe(page, view) {
  const v = await axeSeriousViolations(page);
  assert.equal(v.length, 0, `${view}: serious/critical axe violations:\n    ${formatViolations(v)}`);
}

test('an association submits a listing with a dragged pin and split opening hours', { timeout: 120_000 }, async () => {
  const { page, problems } = await s.open('/segnala', { viewport: DESKTOP });
  await page.waitForSelector('#f-pin-map[data-map="ready"]');

  await page.fill('#f-name', 'Doposcuola <b>Il Ponte</b>');
  await page.fill('#f-organisation', 'Associazione Il Ponte ODV');
  await page.fill('#f-description_it', 'Aiuto compiti per ragazzi delle medie.');
  await page.check('#f-categories-children-family');
  await page.check('#f-target_groups-minors-families');
  await page.fill('#f-address', 'Via di Città, Siena');
  await page.click('#f-find');
  await eventually(async () => assert.match(await page.textContent('#f-geo-status'), /Segnaposto messo/));
  const { before: b, after: a } = await dragPin(page, 60, 30);
  assert.ok(a.lon > b.lon && a.lat < b.lat, `the pin moved east and south: ${JSON.stringify({ b, a })}`);

  // Monday 9–12:30 and 15–18, copied to the other weekdays; Saturday morning.
  await setDay(page, 0, [['09:00', '12:30'], ['15:00', '18:00']]);
  await page.click('#f-hours-0-copybtn');
  await page.click('#f-hours-0-copy .btn-primary');
  await setDay(page, 5, [['09:00', '12:00']]);
  await page.click('#f-hours-add-closure'); // August by default
  await page.check('#f-hours-ph');
  const osm = 'Mo-Fr 09:00-12:30,15:00-18:00; Sa 09:00-12:00; Aug off; PH off';
  assert.equal(await page.inputValue('#f-opening_hours'), osm);
  assert.equal((await page.textContent('#f-hours-live')).trim(), osm);

  await page.check('#f-wheelchair-limited');
  await page.fill('#f-contact-name', 'Giulia Bianchi');
  await page.fill('#f-contact-email', 'giulia@example.org');
  await page.check('#f-consent');
  // The honeypot is out of sight and out of the accessibility tree.
  assert.equal(await page.getAttribute('.hp', 'aria-hidden'), 'true');
  assert.equal(await page.getAttribute('#f-hp', 'tabindex'), '-1');
  const hp = await page.locator('#f-hp').boundingBox();
  assert.ok(hp.x + hp.width < 0, 'the honeypot is off-screen');

  await page.click('#submit-button');
  await page.locator('#success').waitFor({ state: 'visible' });
  const code = (await page.textContent('#tracking-code')).trim();
  assert.match(code, /^[2-9A-HJ-NP-Z]{10}$/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'success');
  const edit = await page.getAttribute('#edit-link', 'href');
  assert.match(edit, new RegExp(`/modifica#${code}\\.[A-Za-z0-9_-]{20,}$`), 'the token is in the fragment');
  await page.screenshot({ path: await artefact('segnala-success-1280.png'), fullPage: true });

  // What the moderators receive is what was typed (as text).
  const mod = await apiLogin(s.base, 'checker', 'controllo-e2e-password');
  const q = await api(s.base, 'GET', '/api/moderation/queue', undefined, mod);
  const item = q.body.items.find((i) => i.submission && i.submission.feature.properties.name === 'Doposcuola <b>Il Ponte</b>');
  assert.ok(item, 'the submission is in the queue');
  const f = item.submission.feature;
  assert.equal(f.properties.opening_hours, osm);
  assert.equal(f.properties.accessibility.wheelchair, 'limited');
  assert.ok(Math.abs(f.geometry.coordinates[0] - a.lon) < 1e-5 && Math.abs(f.geometry.coordinates[1] - a.lat) < 1e-5, 'dragged point stored');
  assert.equal(item.submission.contact.email, 'giulia@example.org');

  // The status page, reached from the link.
  await page.click('#status-link');
  await page.waitForSelector('#status-result:not([hidden])');
  assert.match(await page.textContent('#status-badge'), /In attesa/);
  assertNoProblems(problems);
});

test('the page\'s checks and the server\'s 422 are shown by field, keeping what was typed', { timeout: 90_000 }, async () => {
  const { page, problems } = await s.open('/segnala', { viewport: PHONE, isMobile: true });
  await page.fill('#f-name', 'Sportello prova');
  await page.click('#submit-button');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary');
  const links = await page.$$eval('#error-summary a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(links.includes('#f-categories-economic-support') || links.some((h) => h.startsWith('#f-categories')), `links: ${links}`);
  assert.ok(links.includes('#f-address'));
  assert.equal(await page.getAttribute('#f-address', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#f-address', 'aria-describedby'), /f-address-error/);
  await page.click('#error-summary a[href="#f-address"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-address');
  await assertAxe(page, 'form with errors (it, phone)');
  await page.screenshot({ path: await artefact('segnala-errors-360.png') });

  // A phone the server refuses (the page does not check phones): 422 by field.
  await page.check('#f-categories-health');
  await page.fill('#f-address', 'Piazza del Campo, Siena');
  await page.click('#f-find');
  await eventually(async () => assert.ok(await page.inputValue('#f-lat')));
  await page.fill('#f-phone', 'chiamare <script>alert(1)</script>');
  await page.fill('#f-contact-name', 'Paolo');
  await page.fill('#f-contact-phone', '0577 123456');
  await page.check('#f-consent');
  await page.click('#submit-button');
  await eventually(async () => assert.match(await page.textContent('#f-phone-error'), /numero di telefono/));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary');
  assert.equal(await page.inputValue('#f-name'), 'Sportello prova', 'typed values kept');
  assert.equal(await page.$$eval('script', (ss) => ss.filter((x) => /alert/.test(x.textContent)).length), 0);
  // The language switch translates the messages in place.
  await page.click('#lang-switch');
  await eventually(async () => assert.match(await page.textContent('#f-phone-error'), /phone number/));
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assertNoProblems(problems.filter((p) => !/422/.test(p)));
});

test('axe: no serious or critical violations on the empty form (desktop, English)', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/segnala?lang=en', { viewport: DESKTOP });
  await page.waitForSelector('#f-pin-map[data-map="ready"]');
  assert.equal(await page.textContent('h1'), 'List your service');
  await assertAxe(page, 'empty form (en, desktop)');
  await page.screenshot({ path: await artefact('segnala-en-1280.png') });
  assertNoProblems(problems);
});

test('without WebGL the form offers latitude and longitude instead of the map', { timeout: 60_000 }, async () => {
  const { launchBrowser, newPage, waitReady } = await import('./lib/harness.mjs');
  const browser = await launchBrowser({ webgl: false });
  try {
    const { page, problems } = await newPage(browser, { viewport: PHONE });
    await page.goto(`${s.base}/segnala`);
    await waitReady(page);
    await page.waitForSelector('#f-pin-map[data-map="unavailable"]', { state: 'attached' });
    assert.equal(await page.isVisible('#f-lat'), true);
    await page.fill('#f-lat', '45.46');
    await page.fill('#f-lon', '9.19');
    await page.locator('#f-lon').blur();
    await eventually(async () => assert.match(await page.textContent('#f-geometry-error'), /fuori dalla zona/));
    assertNoProblems(problems);
  } finally {
    await browser.close();
  }
});
