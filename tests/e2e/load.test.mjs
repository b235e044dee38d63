// The citizens' map loads cleanly on a desk PC and on a phone: no console errors, no failed
// requests, the demo services in the list, the map drawn, the attribution visible.
// Saves target/e2e/desktop-1280x800.png and target/e2e/phone-360x740.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, getJson, waitMap, resultIds, assertNoProblems, artefact, DESKTOP, PHONE,
} from './lib/harness.mjs';

let s;
before(async () => {
  s = await suite();
});
after(async () => s?.done());

test('desktop: loads with no errors and lists every demo service', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  await waitMap(page);

  assert.equal(await page.getAttribute('html', 'lang'), 'it', 'Italian is the default language');
  // The skip link is the first focusable element and points at the list.
  const first = await page.evaluate(() => {
    const el = document.querySelector('a, button, input, select, textarea, [tabindex]');
    return el && { cls: el.className, href: el.getAttribute('href') };
  });
  assert.ok(first?.cls.includes('skip-link') && first.href === '#results', `first focusable: ${JSON.stringify(first)}`);

  // Every published demo service is listed, each with its name as the link text.
  const health = await getJson(s.base, '/api/health');
  const all = await getJson(s.base, '/api/services?limit=500');
  assert.ok(health.demo_services >= 20, `demo data loaded: ${JSON.stringify(health)}`);
  const ids = await resultIds(page);
  assert.deepEqual(
    [...ids].sort(),
    all.features.map((f) => String(f.id)).sort(),
    'the list holds exactly the published services',
  );
  const links = await page.$$eval('ol#results a.result-link', (as) =>
    as.map((a) => ({ text: a.textContent.trim(), href: a.getAttribute('href') })),
  );
  const names = new Map(all.features.map((f) => [String(f.id), f.properties.name]));
  links.forEach((l, i) => {
    assert.ok(l.text.includes(names.get(ids[i])), `link ${i} shows ${names.get(ids[i])}: ${l.text}`);
    assert.match(l.href, new RegExp(`^\\?(.*&)?service=${ids[i]}(&|$)`), `link ${i} href`);
  });
  const count = await page.textContent('#results-count');
  assert.match(count, new RegExp(`\\b${ids.length}\\b`), `#results-count says ${ids.length}: "${count}"`);
  assert.ok(
    await page.$eval('#results-count', (el) => el.getAttribute('aria-live') === 'polite' || el.getAttribute('role') === 'status'),
    '#results-count is announced politely',
  );

  // The map and its attribution.
  const map = await page.$eval('#map', (el) => ({ role: el.getAttribute('role'), label: el.getAttribute('aria-label') }));
  assert.equal(map.role, 'region');
  assert.ok(map.label, '#map has an aria-label');
  assert.ok(await page.locator('#attribution').isVisible(), '#attribution is visible');
  assert.match(await page.textContent('#attribution'), /OpenStreetMap/);
  // No card open at start; no map notice when the map works.
  assert.equal(await page.locator('#card').isVisible(), false, 'no card open at start');
  assert.equal(await page.locator('#map-notice').isVisible().catch(() => false), false, 'no map notice');

  await page.screenshot({ path: await artefact('desktop-1280x800.png') });
  assertNoProblems(problems);
});

test('phone: the layout fits 360 px and the list is reachable', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: PHONE, isMobile: true });
  await waitMap(page);
  // Nothing wider than the screen (a horizontal scroll bar on a phone is a layout bug).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the 360px viewport`);
  assert.ok((await resultIds(page)).length > 0, 'results listed on the phone');
  const link = page.locator('ol#results a.result-link').first();
  await link.scrollIntoViewIfNeeded();
  assert.ok(await link.isVisible(), 'first result is visible after scrolling to it');
  const box = await link.boundingBox();
  assert.ok(box.height >= 24, `tap target of a result is ${box.height}px high (>= 24)`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: await artefact('phone-360x740.png') });
  await page.screenshot({ path: await artefact('phone-360x740-full.png'), fullPage: true });
  assertNoProblems(problems);
});
