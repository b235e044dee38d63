// The language switch: Italian by default, English on a click (html lang, labels, the
// switch's own text), remembered across visits (localStorage), and ?lang= overrides it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { suite, getJson, waitReady, eventually, assertNoProblems, DESKTOP } from './lib/harness.mjs';

let s;
let categories;
before(async () => {
  s = await suite();
  categories = (await getJson(s.base, '/api/categories')).items;
});
after(async () => s?.done());

/** The visible label of a category checkbox. */
const categoryLabel = (page, slug) =>
  page.$eval(`input[name=category][value="${slug}"]`, (el) =>
    (el.labels?.[0] ?? el.closest('label'))?.textContent.trim() ?? '',
  );

async function assertLanguage(page, lang) {
  await eventually(async () => {
    assert.equal(await page.getAttribute('html', 'lang'), lang, `html[lang=${lang}]`);
    const food = categories.find((c) => c.slug === 'food-aid');
    const label = await categoryLabel(page, 'food-aid');
    assert.ok(label.includes(lang === 'en' ? food.label_en : food.label_it), `category label in ${lang}: "${label}"`);
    const count = await page.textContent('#results-count');
    assert.match(count, lang === 'en' ? /\bservices?\b/i : /\bservizi/i, `#results-count in ${lang}: "${count}"`);
    const sw = (await page.textContent('#lang-switch')).trim();
    assert.match(sw, lang === 'en' ? /^Italiano$/i : /^English$/i, `#lang-switch names the other language: "${sw}"`);
    assert.ok(await page.getAttribute('#lang-switch', 'aria-label'), '#lang-switch has an aria-label');
  });
}

test('switching to English, remembered on the next visit; ?lang=it overrides', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  await assertLanguage(page, 'it');

  await page.click('#lang-switch');
  await assertLanguage(page, 'en');
  assert.equal(await page.evaluate(() => localStorage.getItem('mappatu.lang')), 'en');

  // Reload, and a visit to the bare URL: English stays (localStorage).
  await page.reload();
  await waitReady(page);
  await assertLanguage(page, 'en');
  await page.goto(s.base + '/');
  await waitReady(page);
  await assertLanguage(page, 'en');

  // An open card is in English too (its description comes in both languages).
  await page.locator('ol#results a.result-link').first().click();
  await page.locator('#card').waitFor({ state: 'visible' });
  const directions = (await page.textContent('#card-directions')).trim();
  assert.doesNotMatch(directions, /indicazioni|percorso/i, `#card-directions in English: "${directions}"`);

  // ?lang=it wins over the remembered choice.
  await page.goto(s.base + '/?lang=it');
  await waitReady(page);
  await assertLanguage(page, 'it');
  assertNoProblems(problems);
});

test('?lang=en in a fresh browser shows English at once', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/?lang=en', { viewport: DESKTOP });
  await assertLanguage(page, 'en');
  // Back to Italian with the switch.
  await page.click('#lang-switch');
  await assertLanguage(page, 'it');
  assert.equal(await page.evaluate(() => localStorage.getItem('mappatu.lang')), 'it');
  assertNoProblems(problems);
});
