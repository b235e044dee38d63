// The page still works without a base map: with the style unreachable (a closed port) and
// in a browser without WebGL. The map says so in #map-notice; list, filters and cards work.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, closedPort, launchBrowser, newPage, getJson, waitReady, resultIds,
  eventually, assertNoProblems, showFilters, artefact, axeSeriousViolations, formatViolations, DESKTOP,
} from './lib/harness.mjs';

/** List, filter and card still work: the part of the page that needs no map. */
async function assertListWorks(page, base) {
  const all = (await getJson(base, '/api/services?limit=500')).features.map((f) => String(f.id)).sort();
  await eventually(async () => assert.deepEqual([...(await resultIds(page))].sort(), all, 'every service listed'));
  await showFilters(page);
  await page.check('input[name=category][value=health]');
  await page.waitForURL((u) => u.searchParams.get('category') === 'health');
  const health = (await getJson(base, '/api/services?category=health&limit=500')).features.map((f) => String(f.id)).sort();
  await eventually(async () => assert.deepEqual([...(await resultIds(page))].sort(), health, 'health only'));
  await page.locator('ol#results a.result-link').first().click();
  await page.locator('#card').waitFor({ state: 'visible' });
  assert.ok((await page.textContent('#card-title')).trim());
  // The card's details arrive after it opens: wait for the directions link.
  await page.locator('#card-directions').waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await page.getAttribute('#card-directions', 'href'), /^https:\/\//);
}

/**
 * The notice is shown. With WebGL but no base map the app falls back to its built-in blank
 * style and still draws the services (data-map=ready); without WebGL it is unavailable.
 */
async function assertMapNotice(page, states) {
  await page.waitForFunction((ok) => ok.includes(document.getElementById('map')?.dataset.map), states, { timeout: 30_000 });
  const notice = page.locator('#map-notice');
  await notice.waitFor({ state: 'visible' });
  assert.ok((await notice.textContent()).trim().length > 10, 'the notice says what happened');
  assert.ok(await page.locator('#attribution').isVisible(), 'attribution stays visible');
}

test('base map style unreachable: notice shown, list, filters and card work', { timeout: 90_000 }, async (t) => {
  const port = await closedPort();
  const style = `http://127.0.0.1:${port}/style.json`;
  const s = await suite({
    server: { mapStyle: style },
    // The one expected failure: the style on the closed port.
    allow: (u) => u.includes(`127.0.0.1:${port}`),
  });
  t.after(() => s.done());
  const cfg = await (await fetch(s.base + '/')).text();
  assert.ok(cfg.includes(style), 'the page is configured with the unreachable style');

  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  await assertMapNotice(page, ['ready', 'unavailable']);
  await page.screenshot({ path: await artefact('desktop-style-unreachable.png') });
  await assertListWorks(page, s.base);
  assertNoProblems(problems);
});

test('no WebGL in the browser: notice shown, list, filters and card work', { timeout: 90_000 }, async (t) => {
  const s = await suite();
  t.after(() => s.done());
  const browser = await launchBrowser({ webgl: false });
  t.after(() => browser.close());
  const { page, problems } = await newPage(browser, { viewport: DESKTOP });
  await page.goto(s.base + '/');
  await waitReady(page);
  await assertMapNotice(page, ['unavailable']);
  await page.screenshot({ path: await artefact('desktop-no-webgl.png') });
  const v = await axeSeriousViolations(page);
  assert.equal(v.length, 0, `no-map view: serious/critical axe violations:\n    ${formatViolations(v)}`);
  await assertListWorks(page, s.base);
  assertNoProblems(problems);
});
