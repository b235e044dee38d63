// Search by need on the map page (issue 17 item 4): the box sends the sentence to
// /api/search, the list follows the answer's order (with distances when a place was named),
// the interpretation shows as removable chips, suggestions come as an accessible combobox,
// and "nothing found" says what was let go or offers ways out; Italian and English; axe at
// 0 serious/critical with the suggestions open and with chips shown. The server's own
// answers (/api/search, /api/search/suggest) are the oracle: the test checks that the page
// shows what the server said, the way a citizen would notice it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, getJson, waitReady, waitMap, resultIds, resultDistances, parseDistance, queryOf, eventually,
  assertNoProblems, axeSeriousViolations, formatViolations, artefact, DESKTOP, PHONE,
} from './lib/harness.mjs';

let s;
let categories;
let targets;
before(async () => {
  s = await suite();
  categories = (await getJson(s.base, '/api/categories')).items;
  targets = (await getJson(s.base, '/api/target-groups')).items;
});
after(async () => s?.done());

const apiSearch = (q, lang = 'it') =>
  getJson(s.base, `/api/search?${new URLSearchParams({ q, lang, k: '100' })}`);
const apiSuggest = (q, lang = 'it') =>
  getJson(s.base, `/api/search/suggest?${new URLSearchParams({ q, lang })}`);
const answerIds = (a) => a.features.map((f) => String(f.properties.id ?? f.id));

/** The label the page should show for a taxonomy slug (category or target group). */
function taxonomyLabel(slug, lang) {
  const item = categories.find((c) => c.slug === slug) ?? targets.find((g) => g.slug === slug);
  return item ? (lang === 'en' ? item.label_en : item.label_it) : slug;
}

/** Types into the search box as a person would and presses Enter (no suggestion chosen). */
async function search(page, text) {
  await page.fill('#q', '');
  await page.locator('#q').pressSequentially(text, { delay: 10 });
  // Enter with no suggestion chosen closes the suggestions and searches what was typed.
  await page.press('#q', 'Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === text);
  await waitReady(page);
}

/** The chips' visible texts and accessible names. */
async function chips(page) {
  return page.$$eval('#q-chips:not([hidden]) #q-chips-list button', (bs) =>
    bs.map((b) => ({ text: b.textContent.trim(), name: b.getAttribute('aria-label') })));
}

async function assertAxe(page, view) {
  const v = await axeSeriousViolations(page);
  assert.equal(v.length, 0, `${view}: serious/critical axe violations:\n    ${formatViolations(v)}`);
}

test('"pasti" finds the hot meal, in the answer\'s order', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  const answer = await apiSearch('pasti');
  assert.ok(answer.features.length > 0, 'the server finds something for "pasti"');
  // The service that serves "Pasto caldo gratuito": its description says so.
  const all = await getJson(s.base, '/api/services?limit=500');
  let meal = null;
  for (const f of all.features) {
    const d = f.properties.description_it
      ?? (await getJson(s.base, `/api/services/${f.properties.id ?? f.id}`)).properties.description_it;
    if (/pasto caldo/i.test(d ?? '')) {
      meal = String(f.properties.id ?? f.id);
      break;
    }
  }
  assert.ok(meal, 'the demo data has a service offering "Pasto caldo"');

  await search(page, 'pasti');
  await eventually(async () => {
    const ids = await resultIds(page);
    assert.deepEqual(ids, answerIds(answer).slice(0, ids.length), 'the list is in the answer\'s order');
    assert.ok(ids.length > 0);
    assert.ok(ids.includes(meal), `the "Pasto caldo" service (#${meal}) is listed: ${ids}`);
  });
  assert.match(await page.textContent('#results-count'), /\b\d+\b/);
  // The card of a result opens as before.
  await page.locator(`ol#results li.result[data-id="${meal}"] a.result-link`).click();
  await page.locator('#card').waitFor({ state: 'visible' });
  assert.equal(queryOf(page.url()).service, meal);
  assertNoProblems(problems);
});

test('a need and a place become chips; results come with distances; a chip can be removed',
  { timeout: 90_000 }, async () => {
    const { page, problems } = await s.open('/', { viewport: DESKTOP });
    await waitMap(page);
    const q = 'anziani vicino a Piazza del Campo';
    const answer = await apiSearch(q);
    const it = answer.interpretation;
    assert.ok(it.place && /campo/i.test(it.place.label), `the server recognises the square: ${JSON.stringify(it.place)}`);
    assert.ok([...it.categories, ...it.target_groups].includes('elderly'), `and the need: ${JSON.stringify(it)}`);

    await search(page, q);
    const elderly = taxonomyLabel('elderly', 'it');
    const shown = await eventually(async () => {
      const c = await chips(page);
      assert.ok(c.some((x) => x.text.includes(elderly)), `a chip for the need "${elderly}": ${JSON.stringify(c)}`);
      assert.ok(c.some((x) => /vicino a .*Campo/i.test(x.text)), `a chip for the place: ${JSON.stringify(c)}`);
      for (const x of c) assert.equal(x.name, `Rimuovi: ${x.text}`, 'each chip is a button named "Rimuovi: …"');
      return c;
    });
    // Results in the answer's order, each with its distance, nearest first.
    await eventually(async () => {
      const ids = await resultIds(page);
      assert.ok(ids.length > 0, 'results listed');
      assert.deepEqual(ids, answerIds(answer).slice(0, ids.length));
      const texts = await resultDistances(page);
      assert.ok(texts.every((t) => t), `every result shows a distance: ${JSON.stringify(texts)}`);
      const m = texts.map((t) => parseDistance(t, 'it'));
      for (let i = 1; i < m.length; i++) assert.ok(m[i - 1] <= m[i], `nearest first: ${JSON.stringify(texts)}`);
      const d0 = answer.features[0].properties.distance_m;
      assert.ok(Math.abs(m[0] - d0) <= Math.max(60, d0 * 0.06), `first distance ${texts[0]} ≈ ${Math.round(d0)} m`);
    });
    await page.screenshot({ path: await artefact('search-chips-desktop.png') });
    await assertAxe(page, 'chips shown (it, desktop)');

    // Removing the place chip searches again without the place: no distances any more.
    const place = shown.find((x) => /Campo/.test(x.text));
    await page.getByRole('button', { name: place.name }).click();
    await page.waitForURL((u) => !/campo/i.test(u.searchParams.get('q') ?? ''));
    const rest = queryOf(page.url()).q ?? '';
    assert.match(rest, /anziani/i, `the need stays in the query: "${rest}"`);
    assert.doesNotMatch(rest, /vicino/i, `no dangling "vicino a": "${rest}"`);
    await waitReady(page);
    const without = await apiSearch(rest);
    await eventually(async () => {
      const c = await chips(page);
      assert.ok(!c.some((x) => /Campo/.test(x.text)), `the place chip is gone: ${JSON.stringify(c)}`);
      assert.ok(c.some((x) => x.text.includes(elderly)), 'the need chip stays');
      const ids = await resultIds(page);
      assert.deepEqual(ids, answerIds(without).slice(0, ids.length), 'the list is the new answer');
      if (!without.features.some((f) => Number.isFinite(f.properties.distance_m))) {
        assert.ok((await resultDistances(page)).every((t) => !t), 'no distances without a place');
      }
    });
    // The focus is back in the search box, not lost with the removed button.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'q');
    assertNoProblems(problems);
  });

test('with a starting point set, the search sends it and lists nearest first', { timeout: 60_000 }, async () => {
  // Piazza Matteotti, central Siena, as "near me" or a click on the map would set it.
  const lat = 43.3215, lon = 11.3305;
  const { page, problems } = await s.open(`/?near=${lat},${lon}`, { viewport: DESKTOP });
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/api/search?')) requests.push(new URL(r.url())); });
  await search(page, 'pasti');
  await eventually(() => assert.ok(requests.length > 0, 'the page asked /api/search'));
  const sent = requests.at(-1).searchParams;
  assert.equal(sent.get('lang'), 'it');
  assert.ok(Math.abs(Number(sent.get('lat')) - lat) < 1e-5 && Math.abs(Number(sent.get('lon')) - lon) < 1e-5,
    `lat/lon sent: ${sent}`);
  const answer = await getJson(s.base, `/api/search?q=pasti&lang=it&lat=${lat}&lon=${lon}&k=100`);
  await eventually(async () => {
    const ids = await resultIds(page);
    assert.ok(ids.length > 0);
    assert.deepEqual(ids, answerIds(answer).slice(0, ids.length));
    const texts = await resultDistances(page);
    assert.ok(texts.every((t) => t), `distances shown: ${JSON.stringify(texts)}`);
  });
  assertNoProblems(problems);
});

test('bonuses and contributions in the answer show above the services', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  const q = 'bonus bollette';
  const answer = await apiSearch(q);
  await search(page, q);
  const benefits = Array.isArray(answer.benefits) ? answer.benefits : [];
  await eventually(async () => {
    const ids = await resultIds(page);
    assert.deepEqual(ids, answerIds(answer).slice(0, ids.length));
    assert.equal(await page.locator('#benefits').isVisible(), benefits.length > 0, 'the list shows only when the answer has some');
  });
  if (benefits.length) {
    assert.equal((await page.textContent('#benefits-heading')).trim(), 'Bonus e contributi');
    const names = await page.locator('#benefits-list .benefit-name').allTextContents();
    assert.equal(names.length, benefits.length);
    // Each named as the answer names it (a demo one is marked so after its name).
    benefits.forEach((b, i) => assert.ok(names[i].startsWith(b.name_it), `"${names[i]}" is ${b.name_it}`));
    // Above the services, in reading order.
    const above = await page.evaluate(() =>
      !!(document.getElementById('benefits').compareDocumentPosition(document.getElementById('results'))
        & Node.DOCUMENT_POSITION_FOLLOWING));
    assert.ok(above);
    // A desk where it is asked for opens its card.
    const where = page.locator('#benefits-list a.benefit-service').first();
    if (await where.count()) {
      const id = await where.getAttribute('data-id');
      await where.click();
      await page.waitForURL((u) => u.searchParams.get('service') === id);
      await page.locator('#card').waitFor({ state: 'visible' });
    }
    await assertAxe(page, 'bonuses shown (it, desktop)');
  }
  assertNoProblems(problems);
});

test('suggestions while typing: a combobox that works with the keyboard', { timeout: 90_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  const expected = (await apiSuggest('bol')).suggestions;
  assert.ok(expected.length > 0, 'the server suggests something for "bol"');

  const box = page.locator('#q');
  assert.equal(await box.getAttribute('role'), 'combobox');
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  const listId = await box.getAttribute('aria-controls');
  assert.equal(await page.getAttribute(`#${listId}`, 'role'), 'listbox');

  // One character asks nothing; two or more do.
  await box.focus();
  await box.pressSequentially('b');
  await page.waitForTimeout(400);
  assert.equal(await box.getAttribute('aria-expanded'), 'false', 'no suggestions for one letter');
  await box.pressSequentially('ol', { delay: 20 });
  const options = page.locator(`#${listId} [role=option]`);
  await eventually(async () => {
    assert.equal(await box.getAttribute('aria-expanded'), 'true');
    assert.equal(await options.count(), expected.length);
  });
  const texts = await options.allTextContents();
  texts.forEach((t, i) => assert.ok(t.includes(expected[i].label), `option ${i} shows "${expected[i].label}": "${t}"`));
  // Each option says its kind; screen readers hear how many there are.
  const kinds = { need: 'bisogno', category: 'tipo di servizio', target_group: 'per chi', service: 'servizio', place: 'luogo', benefit: 'bonus' };
  texts.forEach((t, i) => assert.ok(t.includes(kinds[expected[i].kind]), `option ${i} says its kind: "${t}"`));
  await eventually(async () => {
    assert.match(await page.textContent('#q-suggest-status'), new RegExp(`\\b${expected.length}\\b`));
  });
  await page.screenshot({ path: await artefact('search-suggestions-desktop.png') });
  await assertAxe(page, 'suggestions open (it, desktop)');

  // Down, Up wrap around; aria-activedescendant follows.
  await box.press('ArrowDown');
  const first = await options.nth(0).getAttribute('id');
  assert.equal(await box.getAttribute('aria-activedescendant'), first);
  assert.equal(await options.nth(0).getAttribute('aria-selected'), 'true');
  if (expected.length > 1) {
    await box.press('ArrowUp');
    assert.equal(await box.getAttribute('aria-activedescendant'), await options.nth(expected.length - 1).getAttribute('id'));
    await box.press('ArrowDown');
  }
  // Escape closes without searching; Down opens the same suggestions again.
  await box.press('Escape');
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  assert.equal(await box.getAttribute('aria-activedescendant'), null);
  assert.equal(queryOf(page.url()).q, undefined, 'Escape searched nothing');
  await box.press('ArrowDown');
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  assert.equal(await box.getAttribute('aria-activedescendant'), first);

  // Enter picks it: a service opens its card, anything else is searched.
  const chosen = expected[0];
  await box.press('Enter');
  if (chosen.kind === 'service') {
    await page.waitForURL((u) => u.searchParams.get('service') === String(chosen.id));
    await page.locator('#card').waitFor({ state: 'visible' });
  } else {
    await page.waitForURL((u) => u.searchParams.get('q') === chosen.text);
    await waitReady(page);
    const answer = await apiSearch(chosen.text);
    await eventually(async () => {
      const ids = await resultIds(page);
      assert.deepEqual(ids, answerIds(answer).slice(0, ids.length));
      assert.equal(await box.inputValue(), chosen.text);
    });
  }
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  assertNoProblems(problems);
});

/** Queries that may not match exactly; the first the server had to relax is used. */
const RELAX_CANDIDATES = [
  'pasti zzzqqq',
  'anziani aperto adesso accessibile in sedia a rotelle',
  'dormire stanotte vicino a Piazza del Campo aperto adesso',
  'centro anziani a Poggibonsi',
  'doposcuola accessibile in carrozzina aperto adesso',
  'caritas per anziani aperto adesso',
];

test('nothing found exactly: the page says what was let go, above the alternatives', { timeout: 90_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  let q = null;
  let answer = null;
  for (const c of RELAX_CANDIDATES) {
    const a = await apiSearch(c);
    if (a.relaxed.length && a.features.length) {
      q = c;
      answer = a;
      break;
    }
  }
  assert.ok(q, 'one of the candidate queries needed relaxing');
  await search(page, q);
  await eventually(async () => {
    const note = (await page.textContent('#search-note')).trim();
    assert.ok(note.length > 20, `the relaxed message is shown above the results: "${note}"`);
    assert.ok(await page.locator('#search-note').isVisible());
    if (answer.relaxed.includes('open_now')) assert.match(note, /aperto adesso/i);
    if (answer.relaxed.includes('wheelchair')) assert.match(note, /sedia a rotelle/i);
    if (answer.relaxed.includes('place')) assert.match(note, /vicino a/i);
    if (answer.relaxed.includes('terms')) {
      for (const term of answer.interpretation.terms) assert.ok(note.includes(`«${term}»`), `names «${term}»: "${note}"`);
    }
    assert.ok((await resultIds(page)).length > 0, 'with the alternatives listed');
  });

  assertNoProblems(problems);
});

test('an answer with no service at all offers ways out, never a dead end', { timeout: 90_000 }, async () => {
  // The search lets go of words and needs, but never of the filters ticked in the form:
  // a form filter no service meets empties the answer.
  let found = null;
  for (const [category, target] of [['violence-support', 'elderly'], ['shelter', 'young-people'], ['transport', 'women']]) {
    const params = new URLSearchParams({ q: 'xqzw kvvj', lang: 'it', category, target });
    const a = await getJson(s.base, `/api/search?${params}`);
    if (a.features.length === 0) {
      found = { category, target, answer: a };
      break;
    }
  }
  assert.ok(found, 'a filter combination no service meets');
  const { page, problems } = await s.open(`/?q=xqzw%20kvvj&category=${found.category}&target=${found.target}`, { viewport: DESKTOP });
  const el = page.locator('#results-empty');
  await eventually(async () => {
    assert.deepEqual(await resultIds(page), []);
    assert.ok(await el.isVisible());
    const text = await el.textContent();
    assert.match(text, /Nessun servizio trovato per «xqzw kvvj»/);
    assert.match(text, /Cerca senza «xqzw»/, 'search without a chip');
    assert.match(text, /Cerca senza gli altri filtri/, 'search without the form\'s filters');
    assert.match(text, /Sportello Famiglia/, 'the Sportello Famiglia');
  });
  for (const slug of found.answer.related_categories) {
    const cat = categories.find((c) => c.slug === slug);
    assert.match(await el.textContent(), new RegExp(`Vedi tutti: ${cat.label_it}`), `browse ${slug}`);
  }
  const call = page.locator('#results-empty a[href^="tel:"]');
  await eventually(async () => assert.equal(await call.count(), 1, 'a tel: link to the Sportello Famiglia'));
  assert.match(await call.getAttribute('href'), /^tel:\+?\d+$/);
  await assertAxe(page, 'empty answer (it, desktop)');

  // Without the other filters the same words find something (the desks, at least).
  await page.locator('#results-empty button', { hasText: 'Cerca senza gli altri filtri' }).click();
  await page.waitForURL((u) => !u.searchParams.has('category') && !u.searchParams.has('target'));
  assert.equal(queryOf(page.url()).q, 'xqzw kvvj', 'the words stay');
  await waitReady(page);
  await eventually(async () => {
    assert.ok((await resultIds(page)).length > 0, 'services listed');
    assert.ok((await page.textContent('#search-note')).trim().length > 10, 'and what was let go is said');
  });
  // Back: the empty answer again; its Sportello Famiglia button opens the desk's card.
  await page.goBack();
  await page.waitForURL((u) => u.searchParams.has('category'));
  await page.locator('#results-empty button', { hasText: 'scheda dello Sportello Famiglia' }).click();
  await page.locator('#card').waitFor({ state: 'visible' });
  // The card shows "Caricamento…" until the desk's record arrives.
  await eventually(async () => assert.match(await page.textContent('#card-title'), /Sportello Famiglia/));
  assertNoProblems(problems);
});

test('English page: English chips, suggestions and messages', { timeout: 90_000 }, async () => {
  const { page, problems } = await s.open('/?lang=en', { viewport: DESKTOP });
  assert.match(await page.textContent('#q-help'), /your own words/);
  const q = 'elderly near Piazza del Campo';
  const answer = await apiSearch(q, 'en');
  await search(page, q);
  const elderly = taxonomyLabel('elderly', 'en');
  await eventually(async () => {
    const c = await chips(page);
    assert.ok(c.some((x) => x.text.includes(elderly)), `an English chip "${elderly}": ${JSON.stringify(c)}`);
    if (answer.interpretation.place) assert.ok(c.some((x) => /^near /.test(x.text)), `"near …" chip: ${JSON.stringify(c)}`);
    for (const x of c) assert.equal(x.name, `Remove: ${x.text}`);
    const ids = await resultIds(page);
    assert.deepEqual(ids, answerIds(answer).slice(0, ids.length));
  });
  // Suggestions say their kind in English.
  const expected = (await apiSuggest('bol', 'en')).suggestions;
  await page.fill('#q', '');
  await page.locator('#q').pressSequentially('bol', { delay: 20 });
  if (expected.length) {
    const kinds = { need: 'need', category: 'type of service', target_group: 'for whom', service: 'service', place: 'place', benefit: 'benefit' };
    await eventually(async () => {
      const texts = await page.locator('#q-suggestions [role=option]').allTextContents();
      assert.equal(texts.length, expected.length);
      texts.forEach((t, i) => assert.ok(t.includes(kinds[expected[i].kind]), `"${t}" says ${expected[i].kind}`));
      assert.match(await page.textContent('#q-suggest-status'), /suggestion/);
    });
    await assertAxe(page, 'suggestions open (en, desktop)');
    await page.press('#q', 'Escape');
  }
  // A relaxed answer is explained in English.
  for (const c of ['elderly open now wheelchair accessible', 'shelter tonight open now near Piazza del Campo', 'food bank open now wheelchair']) {
    const a = await apiSearch(c, 'en');
    if (!a.relaxed.length || !a.features.length) continue;
    await search(page, c);
    await eventually(async () => {
      const note = (await page.textContent('#search-note')).trim();
      assert.ok(note.length > 20, `English relaxed message: "${note}"`);
      assert.match(note, /^No /);
    });
    break;
  }
  assertNoProblems(problems);
});

test('on a phone, with the keyboard only: search, chips, no sideways scrolling', { timeout: 90_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: PHONE, isMobile: true });
  await page.locator('#q').focus();
  await page.keyboard.type('anziani vicino a Piazza del Campo', { delay: 5 });
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === 'anziani vicino a Piazza del Campo');
  await waitReady(page);
  const c = await eventually(async () => {
    const list = await chips(page);
    assert.ok(list.length >= 2, `chips shown: ${JSON.stringify(list)}`);
    return list;
  });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling on a phone (${overflow}px)`);
  // Tab reaches a chip; Enter removes it.
  const firstChip = page.locator('#q-chips-list button').first();
  for (let i = 0; i < 4 && !(await firstChip.evaluate((b) => b === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  assert.ok(await firstChip.evaluate((b) => b === document.activeElement), 'Tab reaches the first chip');
  const before = queryOf(page.url()).q;
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('q') !== before);
  await eventually(async () => {
    const now = await chips(page);
    assert.ok(now.length < c.length || now.every((x) => x.text !== c[0].text), 'the chip went away');
  });
  await page.screenshot({ path: await artefact('search-chips-phone.png') });
  await assertAxe(page, 'chips (it, phone)');
  assertNoProblems(problems);
});

test('bad input is explained, not hidden: a 200-character query is the limit', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  // The box stops at 200 characters, the server's limit, so a long sentence still searches.
  await page.fill('#q', 'pasti '.repeat(50));
  assert.equal((await page.inputValue('#q')).length, 200);
  await page.press('#q', 'Enter');
  await page.waitForURL((u) => (u.searchParams.get('q') ?? '').length > 0);
  await waitReady(page);
  assert.match(await page.textContent('#results-count'), /\b\d+\b/);
  assertNoProblems(problems);
});
