// axe-core, in the same Chromium, under the page's real CSP: no serious or critical
// violation on the main views (list, card, report form, English, phone, no map).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, waitMap, axeSeriousViolations, formatViolations, assertNoProblems, artefact, DESKTOP, PHONE,
} from './lib/harness.mjs';

let s;
before(async () => {
  s = await suite();
});
after(async () => s?.done());

async function assertAxe(page, view) {
  const v = await axeSeriousViolations(page);
  assert.equal(v.length, 0, `${view}: serious/critical axe violations:\n    ${formatViolations(v)}`);
}

test('main view, Italian, desktop', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  await waitMap(page);
  await assertAxe(page, 'list (it, desktop)');
  assertNoProblems(problems);
});

test('card open and report form, desktop', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  await waitMap(page);
  await page.locator('ol#results a.result-link').first().click();
  await page.locator('#card').waitFor({ state: 'visible' });
  await assertAxe(page, 'card (it, desktop)');
  await page.screenshot({ path: await artefact('desktop-1280x800-card.png') });
  await page.click('#report-open');
  await page.locator('form#report-form').waitFor({ state: 'visible' });
  await assertAxe(page, 'report form (it, desktop)');
  assertNoProblems(problems);
});

test('English, with filters and an origin set', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/?lang=en&category=health&near=43.3215,11.3305', { viewport: DESKTOP });
  await waitMap(page);
  await assertAxe(page, 'filtered list with origin (en, desktop)');
  assertNoProblems(problems);
});

test('phone layout, list and card', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: PHONE, isMobile: true });
  await waitMap(page);
  await assertAxe(page, 'list (it, phone)');
  await page.locator('ol#results a.result-link').first().click();
  await page.locator('#card').waitFor({ state: 'visible' });
  await assertAxe(page, 'card (it, phone)');
  await page.screenshot({ path: await artefact('phone-360x740-card.png') });
  assertNoProblems(problems);
});
