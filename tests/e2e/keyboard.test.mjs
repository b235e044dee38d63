// Keyboard only, after the page has loaded: Tab to the skip link, Enter to the results,
// Tab to the first service, Enter opens its card with focus on the title, Escape closes it
// and gives focus back to the link.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { suite, waitReady, assertNoProblems, DESKTOP } from './lib/harness.mjs';

let s;
before(async () => {
  s = await suite();
});
after(async () => s?.done());

const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body' };
    const cs = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      cls: el.className,
      href: el.getAttribute('href'),
      inResults: !!el.closest('#results'),
      resultId: el.closest('li.result')?.dataset.id ?? null,
      // A visible focus indicator: an outline or a box shadow (WCAG 2.4.7).
      indicator: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none',
      visible: !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length),
    };
  });

test('skip link, results, card and back, with the keyboard only', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });

  await page.keyboard.press('Tab');
  let f = await focused(page);
  assert.ok(String(f.cls).includes('skip-link') && f.href === '#results', `first Tab reaches the skip link: ${JSON.stringify(f)}`);
  assert.ok(f.visible, 'the skip link is visible when focused');

  await page.keyboard.press('Enter');
  f = await focused(page);
  // The skip link lands on the list (or inside it); at most two more Tabs to the first link.
  for (let i = 0; i < 2 && !(f.tag === 'a' && f.cls.includes('result-link')); i++) {
    assert.ok(f.inResults || f.id === 'results', `after the skip link focus is in the results: ${JSON.stringify(f)}`);
    await page.keyboard.press('Tab');
    f = await focused(page);
  }
  const firstId = await page.locator('ol#results > li.result').first().getAttribute('data-id');
  assert.ok(f.tag === 'a' && f.cls.includes('result-link'), `focus on a result link: ${JSON.stringify(f)}`);
  assert.equal(f.resultId, firstId, 'it is the first result');
  assert.ok(f.indicator, 'the focused link shows a focus indicator');

  await page.keyboard.press('Enter');
  await page.locator('#card').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.activeElement?.id === 'card-title');
  assert.ok((await page.textContent('#card-title')).trim().length > 0);
  assert.equal(await page.getAttribute('#card', 'aria-labelledby'), 'card-title');

  // Tab from the title stays in reach of the card's controls.
  await page.keyboard.press('Tab');
  f = await focused(page);
  assert.ok(await page.evaluate(() => !!document.activeElement.closest('#card')), `Tab from the title stays in the card: ${JSON.stringify(f)}`);

  await page.keyboard.press('Escape');
  await page.locator('#card').waitFor({ state: 'hidden' });
  await page.waitForFunction(() => document.activeElement?.classList.contains('result-link'));
  f = await focused(page);
  assert.equal(f.resultId, firstId, 'focus is back on the link that opened the card');
  assert.ok(!new URL(page.url()).searchParams.has('service'), 'the URL no longer names the service');
  await waitReady(page);
  assertNoProblems(problems);
});
