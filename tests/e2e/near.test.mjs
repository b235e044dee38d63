// "Near a clicked point": clicking the map (away from markers) sets the origin; the list is
// then ordered by distance, shows distances, and the URL says near=<lat>,<lon>.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, getJson, waitMap, waitReady, resultIds, resultDistances, parseDistance, queryOf,
  eventually, assertNoProblems, DESKTOP,
} from './lib/harness.mjs';

let s;
before(async () => {
  s = await suite();
});
after(async () => s?.done());

/**
 * Clicks the map canvas at candidate pixels until one sets an origin (`near=` in the URL)
 * rather than hitting a marker (which would open a card: closed again before the next try).
 */
async function clickEmptyMapSpot(page) {
  const box = await page.locator('#map canvas').first().boundingBox();
  assert.ok(box && box.width > 100 && box.height > 100, `map canvas is drawn: ${JSON.stringify(box)}`);
  // Left of the centre and low: away from the navigation control (top right), the
  // attribution (bottom right) and the centre where the demo services cluster.
  const candidates = [[0.3, 0.62], [0.22, 0.4], [0.7, 0.7], [0.4, 0.3], [0.6, 0.35]];
  for (const [fx, fy] of candidates) {
    const x = box.x + box.width * fx;
    const y = box.y + box.height * fy;
    // A DOM marker or control under the pointer is not an empty spot.
    const hit = await page.evaluate(([px, py]) => {
      const el = document.elementFromPoint(px, py);
      return el?.closest('.maplibregl-marker, .maplibregl-ctrl, button, a') ? el.outerHTML.slice(0, 80) : null;
    }, [x, y]);
    if (hit) continue;
    await page.mouse.click(x, y);
    try {
      await page.waitForURL((u) => u.searchParams.has('near'), { timeout: 3000 });
      return { x, y };
    } catch {
      if (await page.locator('#card').isVisible()) await page.click('#card-close');
    }
  }
  throw new Error('no click on the map set an origin (near= never appeared in the URL)');
}

test('a click on the map orders the list by distance from that point', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  await waitMap(page);
  const before = await resultIds(page);
  assert.ok(before.length > 0);

  await clickEmptyMapSpot(page);
  await waitReady(page);
  const q = queryOf(page.url());
  const [lat, lon] = q.near.split(',').map(Number);
  assert.ok(Number.isFinite(lat) && Number.isFinite(lon), `near=${q.near} is "<lat>,<lon>"`);
  assert.ok(lat > 42.7 && lat < 43.6 && lon > 10.9 && lon < 12.0, `near=${q.near} is in the province (lat first)`);

  const { ids, metres, texts } = await eventually(async () => {
    const texts = await resultDistances(page);
    assert.ok(texts.length > 0, 'results listed');
    assert.ok(texts.every((t) => t), `every result shows a .result-distance: ${JSON.stringify(texts)}`);
    const metres = texts.map((t) => parseDistance(t, 'it'));
    assert.ok(metres.every(Number.isFinite), `distances parse as "350 m" / "1,2 km": ${JSON.stringify(texts)}`);
    return { ids: await resultIds(page), metres, texts };
  });
  for (let i = 1; i < metres.length; i++) {
    assert.ok(metres[i - 1] <= metres[i], `ascending at ${i}: ${texts[i - 1]} then ${texts[i]} (${JSON.stringify(texts)})`);
  }
  // The server agrees on which service is nearest and how far it is.
  const nearest = await getJson(s.base, `/api/services/nearest?lat=${lat}&lon=${lon}&k=1`);
  const n0 = nearest.features[0];
  assert.equal(ids[0], String(n0.id), 'the first result is the nearest service by the API');
  const d = n0.properties.distance_m;
  assert.ok(Math.abs(metres[0] - d) <= Math.max(60, d * 0.06), `first distance ${texts[0]} ≈ ${Math.round(d)} m`);
  // The origin is shown and can be cleared.
  assert.ok(await page.locator('#origin').isVisible(), '#origin is shown');
  await page.click('#origin-clear');
  await page.waitForURL((u) => !u.searchParams.has('near'));
  await waitReady(page);
  await eventually(async () => {
    const texts = await resultDistances(page);
    assert.ok(texts.every((t) => !t), `no distances once the origin is cleared: ${JSON.stringify(texts)}`);
  });
  assertNoProblems(problems);
});

test('near= in the URL restores the origin and the order', { timeout: 60_000 }, async () => {
  // Piazza Matteotti, central Siena: the API's order is the oracle.
  const lat = 43.3215, lon = 11.3305;
  const { page, problems } = await s.open(`/?near=${lat},${lon}`, { viewport: DESKTOP });
  const api = await getJson(s.base, `/api/services/nearest?lat=${lat}&lon=${lon}&k=5`);
  await eventually(async () => {
    const ids = await resultIds(page);
    assert.deepEqual(ids.slice(0, 5), api.features.map((f) => String(f.id)), 'the five nearest, in order');
  });
  assert.ok(await page.locator('#origin').isVisible(), '#origin is shown');
  assertNoProblems(problems);
});

test('an address typed in the place search becomes the origin', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  // The server's offline gazetteer knows the square; the API is the oracle for its point.
  const geo = await getJson(s.base, '/api/geocode?q=Piazza%20del%20Campo&limit=5');
  assert.ok(geo.features.length > 0, 'the offline gazetteer knows Piazza del Campo');
  const [glon, glat] = geo.features[0].geometry.coordinates;
  await page.fill('#place', 'Piazza del Campo');
  await page.press('#place', 'Enter');
  const choice = page.locator('ul#place-results button.place-result').first();
  await choice.waitFor({ state: 'visible' });
  assert.match(await choice.textContent(), /Piazza del Campo/);
  await choice.click();
  await page.waitForURL((u) => u.searchParams.has('near'));
  const [lat, lon] = queryOf(page.url()).near.split(',').map(Number);
  assert.ok(Math.abs(lat - glat) < 1e-4 && Math.abs(lon - glon) < 1e-4, `near=${lat},${lon} is the square (${glat},${glon})`);
  const nearest = await getJson(s.base, `/api/services/nearest?lat=${lat}&lon=${lon}&k=3`);
  await eventually(async () => {
    assert.deepEqual((await resultIds(page)).slice(0, 3), nearest.features.map((f) => String(f.id)));
  });
  assert.match(await page.textContent('#origin'), /Piazza del Campo/, '#origin names the chosen place');
  assertNoProblems(problems);
});

test('"near me" uses the browser position; a refusal is explained', { timeout: 60_000 }, async () => {
  const here = { latitude: 43.3352, longitude: 11.3012 };
  const granted = await s.open('/', {
    viewport: DESKTOP,
    context: { geolocation: here, permissions: ['geolocation'] },
  });
  await granted.page.click('#near-me');
  await granted.page.waitForURL((u) => u.searchParams.has('near'));
  const [lat, lon] = queryOf(granted.page.url()).near.split(',').map(Number);
  assert.ok(Math.abs(lat - here.latitude) < 1e-3 && Math.abs(lon - here.longitude) < 1e-3, `near=${lat},${lon}`);
  const nearest = await getJson(s.base, `/api/services/nearest?lat=${lat}&lon=${lon}&k=1`);
  await eventually(async () => assert.equal((await resultIds(granted.page))[0], String(nearest.features[0].id)));
  assertNoProblems(granted.problems);

  // No permission: the page says so in #notice and sets no origin.
  const refused = await s.open('/', { viewport: DESKTOP, context: { permissions: [] } });
  await refused.page.click('#near-me');
  await eventually(async () => {
    const notice = (await refused.page.textContent('#notice')).trim();
    assert.ok(notice.length > 10, `#notice explains the refusal: "${notice}"`);
  });
  assert.ok(!new URL(refused.page.url()).searchParams.has('near'));
  assertNoProblems(refused.problems);
});
