// The page still works without a base map: with the style unreachable (a closed port) and
// in a browser without WebGL. The map says so in #map-notice; list, filters and cards work.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, closedPort, launchBrowser, newPage, getJson, waitReady, waitMap, resultIds,
  eventually, assertNoProblems, artefact, DESKTOP,
} from './lib/harness.mjs';

/** List, filter and card still work: the part of the page that needs no map. */
async function assertListWorks(page, base) {
  const all = (await getJson(base, '/api/services?limit=500')).features.map((f) => String(f.id)).sort();
  await eventually(async () => assert.deepEqual([...(await resultIds(page))].sort(), all, 'every service listed'));
  await page.check('input[name=category][value=health]');
  await page.waitForURL((u) => u.searchParams.get('category') === 'health');
  const health = (await getJson(base, '/api/services?category=health&limit=500')).features.map((f) => String(f.id)).sort();
  await eventually(async () => assert.deepEqual([...(await resultIds(page))].sort(), health, 'health only'));
  await page.locator('ol#results a.result-link').first().click();
  await page.locator('#card').waitFor({ state: 'visible' });
  assert.ok((await page.textContent('#card-title')).trim());
  assert.ok(await page.locator('#card-directions').isVisible(), 'directions link shown');
}

async function assertMapNotice(page) {
  await waitMap(page, 'unavailable');
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
  await assertMapNotice(page);
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
  await assertMapNotice(page);
  await page.screenshot({ path: await artefact('desktop-no-webgl.png') });
  await assertListWorks(page, s.base);
  assertNoProblems(problems);
});
