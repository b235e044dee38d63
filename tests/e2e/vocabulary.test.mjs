// The admins' vocabulary of needs, end to end: the built-in phrases are listed and
// filtered; a phrase added with its categories and target groups shows at once, as text,
// and in the audit log; a phrase of function words only is refused on its field; an added
// phrase is deleted. The section passes axe-core in Italian and English.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, eventually, assertNoProblems, axeSeriousViolations, formatViolations, artefact, DESKTOP,
} from './lib/harness.mjs';
import { addUser } from './lib/forms.mjs';

let s;
// A refused phrase is answered 400 on purpose.
const allow = (url) => /\/api\/auth\/me$|\/api\/admin\/vocabulary$/.test(url);
const PASSWORD = 'amministrazione-e2e-password';

before(async () => {
  s = await suite({ allow });
  await addUser(s.server, 'capo', 'admin', PASSWORD);
});
after(async () => s?.done());

test('an admin reads, extends and prunes the vocabulary of needs', { timeout: 90_000 }, async () => {
  const { page, problems } = await s.open('/admin', { viewport: DESKTOP });
  page.on('dialog', (d) => d.accept());
  await page.locator('#login-view').waitFor({ state: 'visible' });
  await page.fill('#login-username', 'capo');
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.locator('#admin-view').waitFor({ state: 'visible' });

  const rows = page.locator('#voc-body tr');
  await eventually(async () => assert.equal(await rows.count(), 200));
  assert.match(await page.textContent('#voc-count'), /ne sono mostrate 200/);
  await page.fill('#voc-filter', 'bollette');
  const bills = page.locator('#voc-body tr').filter({ has: page.locator('th', { hasText: /^bollette$/ }) });
  await eventually(async () => assert.equal(await bills.count(), 1));
  assert.match(await bills.textContent(), /Casa e utenze.*predefinita/);
  assert.equal(await bills.locator('button').count(), 0, 'built-in phrases cannot be deleted');

  // Only function words: refused on the phrase's field, nothing added.
  await page.fill('#voc-phrase', 'di la');
  await page.check('#voc-categories-list-food-aid');
  await page.click('#voc-add button[type=submit]');
  await eventually(async () => assert.equal(await page.isVisible('#voc-phrase-error'), true));
  assert.match(await page.textContent('#voc-phrase-error'), /function words/);
  assert.equal(await page.getAttribute('#voc-phrase', 'aria-invalid'), 'true');

  // Added, shown as text, audited.
  await page.fill('#voc-phrase', '<b>ribollita</b> solidale');
  await page.check('#voc-targets-list-low-income');
  await page.click('#voc-add button[type=submit]');
  await eventually(async () => assert.match(await page.textContent('#mod-notice'), /aggiunta al vocabolario/));
  const mine = page.locator('#voc-body tr').filter({ hasText: 'ribollita' });
  await eventually(async () => assert.equal(await mine.count(), 1));
  assert.equal(await mine.locator('th').textContent(), '<b>ribollita</b> solidale');
  assert.equal(await page.locator('#voc-body b').count(), 0, 'a phrase is text, never markup');
  assert.match(await mine.textContent(), /Aiuti alimentari.*Persone in difficoltà economica.*aggiunta \(capo\)/);
  assert.equal(await page.isVisible('#voc-phrase-error'), false);
  await eventually(async () => assert.equal(
    await page.locator('#audit-body td.mono:text-is("vocabulary.add")').count(), 1));

  const v = await axeSeriousViolations(page, '#vocabulary');
  assert.equal(v.length, 0, `vocabulary: serious/critical axe violations:\n    ${formatViolations(v)}`);
  await page.screenshot({ path: await artefact('admin-vocabulary-1280.png'), fullPage: true });

  await page.click('#lang-switch');
  await eventually(async () => assert.match(await page.textContent('#voc-title'), /Needs vocabulary/));
  assert.match(await mine.textContent(), /Food aid.*People on a low income.*added \(capo\)/);
  const en = await axeSeriousViolations(page, '#vocabulary');
  assert.equal(en.length, 0, `vocabulary (en): serious/critical axe violations:\n    ${formatViolations(en)}`);

  // Deleted.
  await mine.locator('button').click();
  await eventually(async () => assert.match(await page.textContent('#mod-notice'), /deleted from the vocabulary/));
  await eventually(async () => assert.equal(await mine.count(), 0));
  await eventually(async () => assert.equal(
    await page.locator('#audit-body td.mono:text-is("vocabulary.delete")').count(), 1));
  assertNoProblems(problems);
});
