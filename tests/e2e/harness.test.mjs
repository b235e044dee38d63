// The harness's own helpers (no server, no browser).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDistance, queryOf } from './lib/harness.mjs';

test('distances read as the page writes them, in both languages', () => {
  assert.equal(parseDistance('350 m', 'it'), 350);
  assert.equal(parseDistance('0 m', 'it'), 0);
  assert.equal(parseDistance('1,2 km', 'it'), 1200);
  assert.equal(parseDistance('12,5\u00a0km', 'it'), 12500);
  assert.equal(parseDistance('1.2 km', 'en'), 1200);
  assert.equal(parseDistance('1,234 m', 'en'), 1234);
  assert.equal(parseDistance('a 850 m da qui', 'it'), 850);
  assert.ok(Number.isNaN(parseDistance('', 'it')));
  assert.ok(Number.isNaN(parseDistance(null, 'it')));
});

test('queryOf reads the URL query', () => {
  assert.deepEqual(queryOf('http://x/?near=43.3,11.3&category=a,b'), { near: '43.3,11.3', category: 'a,b' });
});
