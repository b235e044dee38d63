// Bonuses and contributions, end to end: the Sportello Famiglia's card lists the bonuses
// asked for there and opens one's details; an admin adds a benefit from the admin page,
// sees a field error next to the field the server names, and the new benefit appears in
// the list and on the card. Both parts pass axe-core.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, getJson, eventually, assertNoProblems, axeSeriousViolations, formatViolations, artefact, DESKTOP,
} from './lib/harness.mjs';
import { addUser } from './lib/forms.mjs';

let s;
let sportello;
const PASSWORD = 'amministrazione-e2e-password';
// A benefit refused for its bad link is answered 422 on purpose.
const allow = (url) => /\/api\/auth\/me$|\/api\/admin\/benefits$/.test(url);

before(async () => {
  s = await suite({ allow });
  await addUser(s.server, 'capo', 'admin', PASSWORD);
  const list = await getJson(s.base, '/api/services?q=sportello+famiglia&limit=5');
  sportello = list.features.find((f) => f.properties.name === 'Sportello Famiglia').id;
});
after(async () => s?.done());

async function openCard(path) {
  const p = await s.open(path, { viewport: DESKTOP });
  await p.page.locator('#card').waitFor({ state: 'visible' });
  await p.page.locator('#card-body .card-benefits').waitFor({ state: 'visible' });
  return p;
}

test('the Sportello Famiglia\'s card lists its bonuses and opens one\'s details', { timeout: 90_000 }, async () => {
  const { page, problems } = await openCard(`/?service=${sportello}`);
  const section = page.locator('#card-body .card-benefits');
  assert.equal(await section.locator('h3').textContent(), 'Bonus e contributi che si chiedono qui');
  const names = await section.locator('.benefit-toggle').allTextContents();
  for (const name of ['Buoni spesa', 'Bonus utenze', 'Bonus Benvenuto al Mondo', 'Buoni viaggio per il taxi']) {
    assert.ok(names.includes(name), `${name} in ${names}`);
  }
  const utenze = section.locator('.benefit-toggle', { hasText: 'Bonus utenze' });
  assert.equal(await utenze.getAttribute('aria-expanded'), 'false');
  await utenze.click();
  assert.equal(await utenze.getAttribute('aria-expanded'), 'true');
  const detail = page.locator(`#${await utenze.getAttribute('aria-controls')}`);
  await eventually(async () => assert.match(await detail.textContent(), /Che cosa dà/));
  assert.match(await detail.textContent(), /Rimborso delle bollette/);
  assert.match(await detail.textContent(), /Residenti nel Comune di Siena/);
  assert.equal(await detail.locator('a.benefit-official').getAttribute('href'), 'https://www.sienafamiglia.it/');

  const v = await axeSeriousViolations(page, '#card');
  assert.equal(v.length, 0, `card: serious/critical axe violations:\n    ${formatViolations(v)}`);
  await page.screenshot({ path: await artefact('benefits-card-1280.png') });
  assertNoProblems(problems);
});

test('in English the card says "Benefits you can apply for here"', { timeout: 60_000 }, async () => {
  const { page, problems } = await openCard(`/?service=${sportello}&lang=en`);
  const section = page.locator('#card-body .card-benefits');
  assert.equal(await section.locator('h3').textContent(), 'Benefits you can apply for here');
  assert.ok((await section.locator('.benefit-toggle').allTextContents()).includes('Utility bills bonus'));
  assertNoProblems(problems);
});

test('an admin adds a benefit; errors show next to their field; it appears on the card', { timeout: 120_000 }, async () => {
  const { page, problems } = await s.open('/admin', { viewport: DESKTOP });
  await page.locator('#login-view').waitFor({ state: 'visible' });
  await page.fill('#login-username', 'capo');
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.locator('#admin-view').waitFor({ state: 'visible' });
  await eventually(async () => assert.equal(await page.locator('#benefits-body tr').count(), 8));

  await page.click('#benefit-new');
  await page.locator('#benefit-form').waitFor({ state: 'visible' });
  await page.fill('#b-name_it', 'Contributo affitto <b>test</b>');
  await page.fill('#b-name_en', 'Rent contribution');
  await page.fill('#b-gives_it', 'Un contributo per pagare l\'affitto');
  await page.check('#b-categories-home-utilities');
  await page.check('#b-target_groups-low-income');
  await page.selectOption('#b-service_ids', String(sportello));
  await page.fill('#b-isee_max_eur', '16500');
  await page.fill('#b-official_url', 'ftp://example.org/affitto');
  await page.click('#benefit-save');
  const urlError = page.locator('#b-official_url-error');
  await urlError.waitFor({ state: 'visible' });
  assert.match(await urlError.textContent(), /https:\/\//);
  assert.equal(await page.getAttribute('#b-official_url', 'aria-invalid'), 'true');

  await page.fill('#b-official_url', 'https://www.sienafamiglia.it/affitto');
  await page.click('#benefit-save');
  await page.locator('#benefit-form').waitFor({ state: 'hidden' });
  await eventually(async () => assert.equal(await page.locator('#benefits-body tr').count(), 9));
  const row = page.locator('#benefits-body tr', { hasText: 'Contributo affitto' });
  // Typed markup stays text.
  assert.match(await row.locator('th').textContent(), /Contributo affitto <b>test<\/b>/);
  assert.equal(await row.locator('th b').count(), 0);
  assert.match(await row.locator('td').first().textContent(), /Sportello Famiglia/);
  assert.match(await page.textContent('#mod-notice'), /è stato aggiunto/);

  const v = await axeSeriousViolations(page, '#benefits-section');
  assert.equal(v.length, 0, `benefits section: serious/critical axe violations:\n    ${formatViolations(v)}`);
  await page.screenshot({ path: await artefact('benefits-admin-1280.png'), fullPage: true });
  assertNoProblems(problems);

  const card = await openCard(`/?service=${sportello}`);
  const names = await card.page.locator('#card-body .benefit-toggle').allTextContents();
  assert.ok(names.includes('Contributo affitto <b>test</b>'), names.join(' | '));
  assertNoProblems(card.problems);
});
