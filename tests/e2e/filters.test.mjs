// Filters and text search narrow the list and are written to the URL; a shared URL restores
// filters, list and open card in a fresh browser; the back button closes the card.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, getJson, waitReady, resultIds, queryOf, eventually, assertNoProblems, showFilters, DESKTOP,
} from './lib/harness.mjs';

let s;
before(async () => {
  s = await suite();
});
after(async () => s?.done());

const ids = (fc) => fc.features.map((f) => String(f.id)).sort();
const sorted = (a) => [...a].sort();

test('a category filter narrows the list and the URL', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  const all = await resultIds(page);
  const expected = ids(await getJson(s.base, '/api/services?category=food-aid&limit=500'));
  assert.ok(expected.length > 0 && expected.length < all.length, 'demo data has some food aid');

  await showFilters(page);
  await page.check('input[name=category][value=food-aid]');
  await page.waitForURL((u) => u.searchParams.get('category') === 'food-aid');
  await waitReady(page);
  await eventually(async () => assert.deepEqual(sorted(await resultIds(page)), expected, 'food-aid services only'));
  assert.match(await page.textContent('#results-count'), new RegExp(`\\b${expected.length}\\b`));

  // A second category: any of the two (the API's OR), in the URL as a,b.
  await page.check('input[name=category][value=health]');
  await page.waitForURL((u) => (u.searchParams.get('category') ?? '').split(',').sort().join() === 'food-aid,health');
  const both = ids(await getJson(s.base, '/api/services?category=food-aid,health&limit=500'));
  await eventually(async () => assert.deepEqual(sorted(await resultIds(page)), both));

  // Wheelchair: "yes" only (full access).
  await page.check('#wheelchair');
  await page.waitForURL((u) => u.searchParams.get('wheelchair') === '1');
  const wheel = ids(await getJson(s.base, '/api/services?category=food-aid,health&wheelchair=yes&limit=500'));
  await eventually(async () => assert.deepEqual(sorted(await resultIds(page)), wheel));

  // Clearing the filters brings every service back and empties the URL's filters.
  await page.click('#clear-filters');
  await page.waitForURL((u) => !u.searchParams.has('category') && !u.searchParams.has('wheelchair'));
  await eventually(async () => assert.deepEqual(sorted(await resultIds(page)), sorted(all)));
  assert.equal(await page.isChecked('input[name=category][value=food-aid]'), false);
  assertNoProblems(problems);
});

test('a text search narrows the list and the URL (accents ignored)', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  const all = await resultIds(page);
  // The words go to the search by need (/api/search), whose answer is the oracle.
  const expected = ids(await getJson(s.base, '/api/search?q=carita&lang=it&k=100'));
  assert.ok(expected.length > 0 && expected.length < all.length, `q=carita matches some: ${expected}`);
  await page.fill('#q', 'carita');
  // Typing suggests; Enter searches.
  await page.press('#q', 'Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === 'carita');
  await waitReady(page);
  await eventually(async () => assert.deepEqual(sorted(await resultIds(page)), expected));
  // No match: never a dead end, and the page says what it did instead (tests/e2e/search.test.mjs
  // covers the details).
  await page.fill('#q', 'zzzqqq-nessuno');
  await page.press('#q', 'Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === 'zzzqqq-nessuno');
  const none = await getJson(s.base, '/api/search?q=zzzqqq-nessuno&lang=it&k=100');
  await eventually(async () => {
    assert.deepEqual(sorted(await resultIds(page)), ids(none));
    const said = none.features.length ? '#search-note' : '#results-empty';
    assert.ok((await page.textContent(said)).trim().length > 10, `${said} explains the answer`);
  });
  assertNoProblems(problems);
});

test('a shared URL restores filters, list and card; back closes the card', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  await showFilters(page);
  await page.check('input[name=category][value=listening-guidance]');
  await page.waitForURL((u) => u.searchParams.get('category') === 'listening-guidance');
  await page.fill('#q', 'sportello');
  await page.press('#q', 'Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === 'sportello');
  await waitReady(page);
  const expected = ids(await getJson(s.base, '/api/search?category=listening-guidance&q=sportello&lang=it&k=100'));
  await eventually(async () => assert.deepEqual(sorted(await resultIds(page)), expected));
  const list = await resultIds(page);

  // Open the first card from the list.
  const first = page.locator('ol#results a.result-link').first();
  const name = (await first.textContent()).trim();
  await first.click();
  await page.waitForURL((u) => u.searchParams.get('service') === list[0]);
  await page.locator('#card').waitFor({ state: 'visible' });
  // The card shows at once and fills in when the service's details arrive.
  await eventually(async () =>
    assert.ok((await page.textContent('#card-title')).includes(name.split('\n')[0].trim())));
  const shared = page.url();
  assert.equal(queryOf(shared).category, 'listening-guidance');

  // The same URL in a fresh browser context (no history, no storage).
  const other = await s.open(new URL(shared).pathname + new URL(shared).search, { viewport: DESKTOP });
  await other.page.locator('#card').waitFor({ state: 'visible' });
  await eventually(async () =>
    assert.equal(await other.page.textContent('#card-title'), await page.textContent('#card-title')));
  assert.equal(await other.page.isChecked('input[name=category][value=listening-guidance]'), true);
  assert.equal(await other.page.inputValue('#q'), 'sportello');
  assert.deepEqual(await resultIds(other.page), list, 'same list in the same order');
  assertNoProblems(other.problems, 'shared page');

  // Back, in the first page, closes the card and keeps the filters.
  await page.goBack();
  await page.waitForURL((u) => !u.searchParams.has('service'));
  await page.locator('#card').waitFor({ state: 'hidden' });
  assert.equal(queryOf(page.url()).category, 'listening-guidance');
  assert.equal(await page.isChecked('input[name=category][value=listening-guidance]'), true);
  assertNoProblems(problems);
});
