// The admins' audit log shows imports: the demo data loaded at first start (by `system`)
// and a file imported with `mappatu import` (by `cli`, as the OS user), each as an import
// with its number, its file and its counts, and no listing to link to. Text from the file
// stays text. Plus axe-core on the page, in Italian and English.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  suite, eventually, assertNoProblems, axeSeriousViolations, formatViolations, artefact, DESKTOP,
} from './lib/harness.mjs';
import { addUser } from './lib/forms.mjs';

let s;
const allow = (url) => /\/api\/auth\/me$/.test(url);
const PASSWORD = 'amministrazione-e2e-password';

before(async () => {
  s = await suite({ allow });
  await addUser(s.server, 'capo', 'admin', PASSWORD);
});
after(async () => s?.done());

test('imports are in the audit log: their number, file and counts, no listing link', { timeout: 90_000 }, async () => {
  const file = path.join(s.server.dataDir, 'biblioteche <b>e2e.csv');
  await writeFile(file, [
    'codice;denominazione;latitudine;longitudine',
    'E2E-1;Biblioteca <i>uno</i>;43,3200;11,3300',
    'E2E-2;Biblioteca due;43,3100;11,3400',
    'E2E-3;Senza coordinate;;',
    '',
  ].join('\n'));
  const { stdout } = await s.server.cli(['import', file, '--category', 'education-culture', '--id-col', 'codice']);
  assert.match(stdout, /recorded in the audit log as entry \d+ \(import\.file, by cli/);

  const { page, problems } = await s.open('/admin', { viewport: DESKTOP });
  await page.locator('#login-view').waitFor({ state: 'visible' });
  await page.fill('#login-username', 'capo');
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.locator('#admin-view').waitFor({ state: 'visible' });
  const rows = page.locator('#audit-body tr');
  await eventually(async () => assert.ok((await rows.count()) >= 3));

  const row = (action) => page.locator('#audit-body tr', { has: page.locator(`td.mono:text-is("${action}")`) });
  const imported = row('import.file');
  assert.equal(await imported.count(), 1);
  const cells = imported.locator('td');
  assert.match(await cells.nth(1).textContent(), /^cli/);
  const subject = cells.nth(3);
  assert.match(await subject.textContent(), /importazione n\. \d+/);
  assert.equal(await subject.locator('.audit-file').textContent(), 'biblioteche <b>e2e.csv', 'the name is text');
  assert.equal(await subject.locator('.audit-counts').textContent(), '3 letti: 2 nuovi, 0 aggiornati, 1 scartati');
  assert.equal(await imported.locator('a, b').count(), 0, 'no link to a listing, no markup from the file');
  assert.match(await cells.nth(5).textContent(), /"sha256": "[0-9a-f]{64}"/);

  const demo = row('import.demo');
  assert.equal(await demo.count(), 1);
  assert.match(await demo.locator('td').nth(1).textContent(), /^system$/);
  assert.match(await demo.locator('td').nth(3).textContent(), /siena\.geojson/);

  // Filtered by action, only the file's import is left.
  await page.selectOption('#a-action', 'import.file');
  await page.click('#audit-form button[type=submit]');
  await eventually(async () => assert.equal(await rows.count(), 1));

  const v = await axeSeriousViolations(page);
  assert.equal(v.length, 0, `admin audit log: serious/critical axe violations:\n    ${formatViolations(v)}`);
  await page.screenshot({ path: await artefact('admin-audit-import.png'), fullPage: true });

  await page.click('#lang-switch');
  await eventually(async () => assert.match(await rows.first().locator('td').nth(3).textContent(), /import no\. \d+.*3 read: 2 new, 0 updated, 1 skipped/));
  assertNoProblems(problems);
});
