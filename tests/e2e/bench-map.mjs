// Page speed benchmark of the citizens' map (a benchmark, not a test: it asserts nothing).
//
// Generates N synthetic published services into a fresh SQLite database, starts the release
// server on it with the built-in offline map style, and measures in headless Chromium, over
// R navigations each in a fresh browser context (cold HTTP cache, no storage):
//
//   markers  time from navigation start to the first map with markers drawn: the
//            performance mark `mappatu:markers` that the app sets when its services layer
//            has first been rendered with features; when the app sets no such mark, the
//            moment `#map` gets data-map="ready" (watched by a MutationObserver installed
//            before the page's own scripts run).
//   list     time from navigation start to `<html data-state="ready">` (list rendered).
//   bytes    the page's own transferred bytes: Resource Timing transferSize (headers +
//            encoded body) of the document and every resource it loaded (scripts, styles,
//            the map worker's script, API answers, icons), base-map tiles excluded (counted
//            apart; the offline style has none). Playwright's request list is checked
//            against it so that nothing goes uncounted.
//
//   node tests/e2e/bench-map.mjs [--count 10000] [--runs 5] [--viewport 1280x800]
//   scripts/e2e.sh --bench [same flags]       # builds the release binary first
//
// Targets (issue 3): markers <= 1.5 s, bytes < 1.5 MB.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServer, launchBrowser, ROOT } from './lib/harness.mjs';

const run = promisify(execFile);

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const COUNT = Number(flag('count', 10_000));
const RUNS = Number(flag('runs', 5));
const [VW, VH] = flag('viewport', '1280x800').split('x').map(Number);
const BIN = process.env.MAPPATU_BIN || path.join(ROOT, 'target', 'release', 'mappatu');
process.env.MAPPATU_BIN = BIN; // the harness starts this one

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

// Installed before any page script: records when #map becomes ready and when the list is.
const OBSERVER = `(() => {
  const marks = (window.__benchMarks = {});
  const check = () => {
    const map = document.getElementById('map');
    if (!marks.mapReady && map && map.dataset.map === 'ready') marks.mapReady = performance.now();
    if (!marks.mapUnavailable && map && map.dataset.map === 'unavailable') marks.mapUnavailable = performance.now();
    if (!marks.listReady && document.documentElement.dataset.state === 'ready') marks.listReady = performance.now();
  };
  new MutationObserver(check).observe(document, { attributes: true, subtree: true, childList: true,
    attributeFilter: ['data-map', 'data-state'] });
})();`;

const isTile = (url, base) =>
  !url.startsWith(base) || /\.(pbf|mvt)(\?|$)|\/tiles?\//.test(url);

async function measure(browser, base) {
  const context = await browser.newContext({ viewport: { width: VW, height: VH }, locale: 'it-IT' });
  await context.addInitScript(OBSERVER);
  const page = await context.newPage();
  // Every request Playwright sees, to check that Resource Timing missed none.
  const seen = new Set();
  context.on('requestfinished', (req) => seen.add(req.url()));
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + '/', { waitUntil: 'load', timeout: 60_000 });
  await page.waitForFunction(
    () => {
      const m = window.__benchMarks;
      return (
        m.mapUnavailable ||
        (m.listReady && (performance.getEntriesByName('mappatu:markers').length || m.mapReady))
      );
    },
    null,
    { timeout: 60_000, polling: 50 },
  );
  // Let late requests (the worker, fonts, the API) finish before adding bytes up.
  await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
  const t = await page.evaluate(() => {
    const mark = performance.getEntriesByName('mappatu:markers')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    // transferSize: response headers + encoded body, 0 when served from a cache (a fresh
    // context has none). The document's own Resource Timing includes the map worker's
    // script; requests made inside the worker would not be here (the app makes none: its
    // data is fetched by the page and handed to MapLibre).
    const entries = [nav, ...performance.getEntriesByType('resource')].map((e) => ({
      url: e.name,
      type: e.initiatorType,
      bytes: e.transferSize,
    }));
    // Where the time goes: the app's own marks and when key responses had arrived.
    const phases = {};
    for (const m of performance.getEntriesByType('mark')) {
      if (m.name.startsWith('mappatu:')) phases[m.name] ??= m.startTime;
    }
    for (const e of performance.getEntriesByType('resource')) {
      const key = /maplibre-gl-csp\.js$/.test(e.name) ? 'maplibre-gl-csp.js loaded'
        : /maplibre-gl-csp-worker\.js$/.test(e.name) ? 'worker script loaded'
        : /\/api\/services\/points/.test(e.name) ? 'points answer loaded' : null;
      if (key) phases[key] ??= e.responseEnd;
      if (key === 'points answer loaded') phases['points requested'] ??= e.requestStart || e.startTime;
    }
    return {
      ...window.__benchMarks,
      phases,
      markersMark: mark ? mark.startTime : null,
      domContentLoaded: nav?.domContentLoadedEventEnd,
      entries,
    };
  });
  await context.close();
  if (t.mapUnavailable) throw new Error(`the map was unavailable: ${errors.join('; ')}`);
  const all = t.entries;
  const timed = new Set(all.map((e) => e.url));
  const missed = [...seen].filter((u) => !timed.has(u) && !u.startsWith('data:'));
  if (missed.length) console.warn(`  not in Resource Timing (not counted): ${missed.join(', ')}`);
  const own = all.filter((r) => !isTile(r.url, base));
  const byType = {};
  for (const r of own) byType[r.type] = (byType[r.type] ?? 0) + r.bytes;
  const biggest = [...own].sort((a, b) => b.bytes - a.bytes).slice(0, 4)
    .map((r) => `${r.url.replace(base, '').slice(0, 70)} ${(r.bytes / 1024).toFixed(0)} KiB`);
  return {
    phases: t.phases,
    markers: t.markersMark ?? t.mapReady,
    source: t.markersMark != null ? 'mark mappatu:markers' : '#map[data-map=ready]',
    list: t.listReady,
    dcl: t.domContentLoaded,
    bytes: own.reduce((a, r) => a + r.bytes, 0),
    tiles: all.length - own.length,
    requests: own.length,
    byType,
    biggest,
  };
}

async function main() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mappatu-bench-map-'));
  let server;
  let browser;
  try {
    const env = { ...process.env, MAPPATU_DATA_DIR: dataDir, RUST_LOG: 'warn' };
    delete env.DATABASE_URL;
    delete env.MAPPATU_CONFIG;
    const t0 = Date.now();
    await run(BIN, ['generate', '--count', String(COUNT)], { env });
    console.log(`generated ${COUNT} services in ${((Date.now() - t0) / 1000).toFixed(1)} s into ${dataDir}`);
    server = await startServer({ dataDir, args: ['--no-demo'] });
    const health = await (await fetch(server.base + '/api/health')).json();
    console.log(`server ${BIN} on ${server.base}: ${health.published_services} published services`);
    browser = await launchBrowser();
    console.log(`Chromium ${browser.version()}, viewport ${VW}x${VH}, ${cpus().length} cores, ${RUNS} fresh-context navigations`);
    // One unmeasured navigation: the server's and the OS's caches warm, not the browser's.
    await measure(browser, server.base);
    const results = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await measure(browser, server.base);
      results.push(r);
      console.log(
        `run ${i + 1}: markers ${r.markers.toFixed(0)} ms (${r.source}), list ${r.list.toFixed(0)} ms, ` +
          `DOMContentLoaded ${r.dcl.toFixed(0)} ms, ${(r.bytes / 1e6).toFixed(3)} MB in ${r.requests} requests` +
          (r.tiles ? `, ${r.tiles} tile requests excluded` : ''),
      );
    }
    const m = stats(results.map((r) => r.markers));
    const l = stats(results.map((r) => r.list));
    const b = stats(results.map((r) => r.bytes));
    const fmt = (s, unit, scale = 1, digits = 0) =>
      `median ${(s.median / scale).toFixed(digits)} ${unit} (min ${(s.min / scale).toFixed(digits)}, max ${(s.max / scale).toFixed(digits)})`;
    console.log('\n--- page speed, citizens\' map ---');
    console.log(`services:               ${COUNT} (synthetic, published)`);
    console.log(`first map with markers: ${fmt(m, 'ms')}   target <= 1500 ms  ${m.median <= 1500 ? 'OK' : 'OVER'}`);
    console.log(`list rendered:          ${fmt(l, 'ms')}`);
    console.log(`transferred (own):      ${fmt(b, 'MB', 1e6, 3)}   target < 1.5 MB  ${b.median < 1.5e6 ? 'OK' : 'OVER'}`);
    const names = [...new Set(results.flatMap((r) => Object.keys(r.phases)))];
    const phaseMedians = names
      .map((n) => [n, median(results.map((r) => r.phases[n]).filter((x) => x != null))])
      .sort((a, b) => a[1] - b[1]);
    console.log(`phases (median ms):     ${phaseMedians.map(([n, v]) => `${n.replace('mappatu:', '')} ${v.toFixed(0)}`).join(', ')}`);
    console.log(`by type (last run):     ${Object.entries(results.at(-1).byType).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KiB`).join(', ')}`);
    console.log(`largest (last run):     ${results.at(-1).biggest.join('; ')}`);
    console.log(`markers measured by:    ${results[0].source}`);
    console.log(`load average:           ${loadavg().map((x) => x.toFixed(1)).join(' ')} (1/5/15 min; other work on the machine slows the page)`);
    console.log(`command:                node tests/e2e/bench-map.mjs --count ${COUNT} --runs ${RUNS} --viewport ${VW}x${VH}  (MAPPATU_BIN=${path.relative(ROOT, BIN)})`);
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
