// A citizen reports an error from a service's card; the report is checked in the store
// independently of the web page, through `mappatu reports --json` on the same data dir.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { suite, eventually, assertNoProblems, DESKTOP } from './lib/harness.mjs';

let s;
before(async () => {
  s = await suite();
});
after(async () => s?.done());

/** Open reports in the store, as the CLI prints them (one JSON object per line). */
async function storedReports() {
  const { stdout } = await s.server.cli(['reports', '--json']);
  return stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

async function openFirstCard(page) {
  const link = page.locator('ol#results a.result-link').first();
  const id = await page.locator('ol#results > li.result').first().getAttribute('data-id');
  await link.click();
  await page.locator('#card').waitFor({ state: 'visible' });
  return Number(id);
}

test('a report sent from the card is stored with its kind and message', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP });
  const id = await openFirstCard(page);
  assert.deepEqual(await storedReports(), [], 'no report before');

  await page.click('#report-open');
  await page.locator('form#report-form').waitFor({ state: 'visible' });
  const kinds = await page.$$eval('input[name=report-kind]', (els) => els.map((e) => e.value).sort());
  assert.deepEqual(kinds, ['closed', 'other', 'wrong_address', 'wrong_hours']);
  // Every radio has a visible label (a person must know what each means).
  const unlabelled = await page.$$eval('input[name=report-kind]', (els) =>
    els.filter((e) => !(e.labels?.[0]?.textContent.trim())).map((e) => e.value),
  );
  assert.deepEqual(unlabelled, [], 'report kinds without a label');

  const message = `L'orario è cambiato: ora aprono alle 9 <b>non</b> alle 10 — e2e ${Date.now()}`;
  await page.check('input[name=report-kind][value=wrong_hours]');
  await page.fill('#report-message', message);
  await page.locator('form#report-form [type=submit]').click();

  // The page says it was received (role=status, so screen readers hear it).
  await eventually(async () => {
    const status = (await page.textContent('#report-status')).trim();
    assert.ok(status.length > 0, '#report-status says something');
    assert.doesNotMatch(status, /errore|error|non è stato|riprova/i, `success message: "${status}"`);
  });
  assert.equal(await page.getAttribute('#report-status', 'role'), 'status');

  const reports = await storedReports();
  assert.equal(reports.length, 1, `one report stored: ${JSON.stringify(reports)}`);
  const r = reports[0];
  assert.equal(r.service_id, id);
  assert.equal(r.kind, 'wrong_hours');
  assert.equal(r.message, message, 'the message is stored as typed (text, not HTML)');
  assert.equal(r.status, 'open');
  assertNoProblems(problems);
});

test('"other" with no message is refused in the page and nothing is stored', { timeout: 60_000 }, async () => {
  const { page, problems } = await s.open('/', { viewport: DESKTOP, allow: (u) => /\/reports(\?|$)/.test(u) });
  await openFirstCard(page);
  const before = (await storedReports()).length;
  await page.click('#report-open');
  await page.check('input[name=report-kind][value=other]');
  await page.fill('#report-message', '');
  await page.locator('form#report-form [type=submit]').click();
  // Either the browser's own validation (required) or the server's 400 shown in
  // #report-status; in both cases the citizen is told and nothing is stored.
  await eventually(async () => {
    const invalid = await page.$eval('#report-message', (el) => !el.validity.valid);
    const status = (await page.textContent('#report-status')).trim();
    assert.ok(invalid || status.length > 0, 'the empty message is flagged');
  });
  assert.equal((await storedReports()).length, before, 'nothing stored');
  assertNoProblems(problems);
});
