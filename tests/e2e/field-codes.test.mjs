// The service form and the server's contract (issue 18): a 422's field problems are shown by
// their machine-readable `code` with `params`, translated by the page (no reading of the
// server's English), and the limits come from the OpenAPI document rather than a copy in the
// JavaScript. The server's answers are replaced here so the page's side is tested alone.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { suite, eventually, assertNoProblems, DESKTOP } from './lib/harness.mjs';

let s;
before(async () => {
  s = await suite();
});
after(async () => s?.done());

/** Fills the fields the page itself checks, so the request goes out. */
async function fillValid(page) {
  await page.fill('#f-name', 'Sportello prova');
  await page.check('#f-categories-health');
  await page.fill('#f-address', 'Piazza del Campo, Siena');
  await page.click('#f-find');
  await eventually(async () => assert.ok(await page.inputValue('#f-lat')));
  await page.fill('#f-contact-name', 'Paolo');
  await page.fill('#f-contact-phone', '0577 123456');
  await page.check('#f-consent');
}

test('a 422 is shown by field from its codes and params, in both languages', { timeout: 90_000 }, async () => {
  const { page, problems } = await s.open('/segnala', { viewport: DESKTOP });
  await page.route('**/api/submissions', (route) => route.fulfill({
    status: 422,
    contentType: 'application/json',
    body: JSON.stringify({
      error: 'invalid_fields',
      message: 'some fields are not valid',
      fields: [
        // Messages the page must not need: codes and params carry the meaning.
        { field: 'properties.organisation', code: 'too_long', message: 'x', params: { max: 300 } },
        { field: 'properties.phone', code: 'invalid_phone', message: 'x' },
        { field: 'properties.languages', code: 'unknown_value', message: 'x', params: { value: 'xx' } },
        { field: 'properties.categories', code: 'required', message: 'x' },
        { field: 'properties.description_it', code: 'forbidden_character', message: 'x', params: { cp: 'U+200B', at: 7 } },
        { field: 'properties.website', code: 'no_such_code_yet', message: 'the server says why' },
      ],
    }),
  }));
  await fillValid(page);
  await page.click('#submit-button');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  const text = async (id) => (await page.textContent(id)).replace(/^Errore: |^Error: /, '');
  assert.match(await text('#f-organisation-error'), /al massimo 300 caratteri/);
  assert.match(await text('#f-phone-error'), /numero di telefono/);
  assert.match(await text('#f-languages-error'), /Lingua sconosciuta: «xx»/);
  assert.match(await text('#f-categories-error'), /almeno un tipo di servizio/);
  assert.match(await text('#f-description_it-error'), /U\+200B, al carattere 7/);
  // A code the page does not know yet: the server's own words.
  assert.match(await text('#f-website-error'), /the server says why/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary');
  assert.equal(await page.locator('#error-summary li').count(), 6);
  assert.equal(await page.textContent('#submit-button'), 'Invia la richiesta');

  await page.click('#lang-switch');
  await eventually(async () => assert.match(await text('#f-organisation-error'), /300 characters at most/));
  assert.match(await text('#f-phone-error'), /phone number/);
  assert.match(await text('#f-languages-error'), /Unknown language: “xx”/);
  assertNoProblems(problems.filter((p) => !/422/.test(p)));
});

test('the form takes its limits from the OpenAPI document, and works without it', { timeout: 60_000 }, async () => {
  const doc = {
    openapi: '3.1.0',
    components: {
      schemas: {
        SubmissionFeature: { type: 'object', properties: { properties: { $ref: '#/components/schemas/SubmissionProperties' } } },
        SubmissionProperties: {
          type: 'object',
          properties: {
            name: { type: 'string', maxLength: 7 },
            organisation: { type: ['string', 'null'], maxLength: 11 },
            categories: { type: 'array', maxItems: 1, items: { type: 'string' } },
            accessibility: { $ref: '#/components/schemas/Accessibility' },
            contact: { anyOf: [{ $ref: '#/components/schemas/Contact' }, { type: 'null' }] },
          },
        },
        Accessibility: { type: 'object', properties: { note_it: { type: 'string', maxLength: 13 } } },
        Contact: { type: 'object', properties: { email: { type: 'string', maxLength: 17 } } },
      },
    },
  };
  {
    const { page, problems } = await s.open('/segnala', { viewport: DESKTOP, wait: false });
    await page.route('**/api/openapi.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(doc) }));
    await page.reload();
    await eventually(async () => assert.equal(await page.getAttribute('#f-name', 'maxlength'), '7'));
    assert.equal(await page.getAttribute('#f-organisation', 'maxlength'), '11');
    assert.equal(await page.getAttribute('#f-accessibility-note_it', 'maxlength'), '13');
    assert.equal(await page.getAttribute('#f-contact-email', 'maxlength'), '17');
    // maxItems is checked before sending.
    await page.check('#f-categories-health');
    await page.locator('#f-categories input').nth(1).check();
    await page.click('#submit-button');
    await eventually(async () => assert.match(await page.textContent('#f-categories-error'), /al massimo 1/));
    assertNoProblems(problems);
  }
  {
    // No document: no limits in the page, the form still sends and the server still judges.
    const { page, problems } = await s.open('/segnala', { viewport: DESKTOP, wait: false });
    await page.route('**/api/openapi.json', (route) => route.fulfill({ status: 503, body: '' }));
    await page.reload();
    await page.waitForSelector('html[data-state="ready"]');
    await fillValid(page);
    await page.click('#submit-button');
    await page.locator('#success').waitFor({ state: 'visible' });
    assert.equal(await page.getAttribute('#f-name', 'maxlength'), null);
    assertNoProblems(problems.filter((p) => !/openapi\.json/.test(p)));
  }
});
