// The web app's strings (no server, no browser): Italian and English have the same keys, and
// every key a page uses — in its HTML (`data-i18n`, `data-i18n-attr`) or in the JS modules it
// loads (`t('…')`, `tEl(tag, '…')`, `'data-i18n': '…'`, `key: '…'`, label tables) — exists in
// the string sets that page registers (the modules of frontend/js/strings/ its entry module
// imports, directly or through the modules it imports).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../frontend');
const js = path.join(root, 'js');

async function stringSet(file) {
  return (await import(pathToFileURL(file).href)).default;
}

/** Every module a module imports, itself included (relative imports only). */
function closure(entry) {
  const seen = new Set();
  const walk = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = fs.readFileSync(file, 'utf8');
    for (const m of src.matchAll(/^\s*import\s+(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      walk(path.resolve(path.dirname(file), m[1]));
    }
  };
  walk(entry);
  return [...seen];
}

/** The keys a JS module uses: literal keys, and the prefixes of keys built at run time. */
function keysInJs(src, known) {
  const literal = new Set();
  const prefixes = new Set();
  const patterns = [
    /\bt\(\s*'([^'\s]+)'/g,
    /\btEl\(\s*'[a-z0-9]+'\s*,\s*'([^'\s]+)'/g,
    /'data-i18n':\s*'([^'\s]+)'/g,
    /\bkey:\s*'([^'\s]+)'/g,
    /dataset\.i18n\s*=\s*'([^'\s]+)'/g,
  ];
  for (const re of patterns) for (const m of src.matchAll(re)) literal.add(m[1]);
  // Tables of label keys (`name: 'f.name'`) and keys chosen by a condition (`a ? 'x.y' : 'x.z'`):
  // any quoted dotted word whose first part names a family of keys.
  const families = new Set([...known].map((k) => k.split('.')[0]));
  for (const m of src.matchAll(/'([a-z][A-Za-z]*\.[A-Za-z0-9_.]+)'/g)) {
    const family = m[1].split('.')[0];
    if (families.has(family) && !/\.(js|css|json|html)$/.test(m[1])) literal.add(m[1]);
  }
  for (const m of src.matchAll(/\b(?:t|tEl\(\s*'[a-z0-9]+'\s*,)\(?\s*`([a-zA-Z.]+)\$\{/g)) prefixes.add(m[1]);
  for (const m of src.matchAll(/'data-i18n':\s*`([a-zA-Z.]+)\$\{/g)) prefixes.add(m[1]);
  return { literal, prefixes };
}

function keysInHtml(src) {
  const out = new Set();
  for (const m of src.matchAll(/data-i18n="([^"]+)"/g)) out.add(m[1]);
  for (const m of src.matchAll(/data-i18n-attr="([^"]+)"/g)) {
    for (const pair of m[1].split(';')) out.add(pair.split(':')[1]);
  }
  return out;
}

const setFiles = fs.readdirSync(path.join(js, 'strings')).filter((f) => f.endsWith('.js'));

test('every string set has the same keys in Italian and English', async () => {
  assert.ok(setFiles.length >= 2, 'frontend/js/strings/ holds the string sets');
  for (const f of setFiles) {
    const set = await stringSet(path.join(js, 'strings', f));
    const it = Object.keys(set.it);
    const en = Object.keys(set.en);
    assert.deepEqual(it.filter((k) => !(k in set.en)), [], `${f}: keys only in Italian`);
    assert.deepEqual(en.filter((k) => !(k in set.it)), [], `${f}: keys only in English`);
    for (const l of ['it', 'en']) {
      for (const [k, v] of Object.entries(set[l])) assert.equal(typeof v, 'string', `${f} ${l} ${k}`);
    }
  }
});

const pages = fs.readdirSync(root).filter((f) => f.endsWith('.html'));

for (const page of pages) {
  const html = fs.readFileSync(path.join(root, page), 'utf8');
  const entry = /<script type="module" src="%ASSETS%\/js\/([^"]+)"/.exec(html);
  test(`${page}: every key it uses exists in both languages`, { skip: !entry && 'no script' }, async () => {
    const modules = closure(path.join(js, entry[1]));
    const sets = modules.filter((m) => path.dirname(m) === path.join(js, 'strings'));
    assert.ok(sets.length, `${page} registers no strings`);
    const dict = { it: {}, en: {} };
    for (const s of sets) {
      const set = await stringSet(s);
      Object.assign(dict.it, set.it);
      Object.assign(dict.en, set.en);
    }
    const known = new Set(Object.keys(dict.it));
    const missing = [];
    for (const k of keysInHtml(html)) if (!(k in dict.it && k in dict.en)) missing.push(`${page}: ${k}`);
    for (const m of modules) {
      if (sets.includes(m)) continue;
      const { literal, prefixes } = keysInJs(fs.readFileSync(m, 'utf8'), known);
      const name = path.relative(js, m);
      for (const k of literal) if (!(k in dict.it && k in dict.en)) missing.push(`${name}: ${k}`);
      for (const p of prefixes) {
        if (![...known].some((k) => k.startsWith(p))) missing.push(`${name}: ${p}…`);
      }
    }
    assert.deepEqual(missing, [], `keys used by ${page} but missing from its strings`);
  });
}
