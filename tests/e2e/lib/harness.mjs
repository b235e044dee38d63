// Harness for MappaTU's end-to-end tests: the real `mappatu` binary on a fresh database,
// Debian's Chromium driven by playwright-core, and collectors that turn console errors,
// page errors, failed requests and requests leaving the machine into test failures.
//
// Nothing here downloads a browser: playwright-core is only the driver, and the browser is
// /usr/bin/chromium (or MAPPATU_CHROMIUM).

import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
// This folder (import.meta.dirname needs Node 20.11; this works on any Node 20).
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The repository's root (tests/e2e/lib -> ../../..). */
export const ROOT = path.resolve(HERE, '..', '..', '..');
/** Where tests write screenshots and other artefacts (gitignored under target/). */
export const ARTEFACTS = path.join(ROOT, 'target', 'e2e');
/** The binary under test: MAPPATU_BIN, else the debug build. */
export const BIN = process.env.MAPPATU_BIN || path.join(ROOT, 'target', 'debug', 'mappatu');
/** The browser: Debian's Chromium unless MAPPATU_CHROMIUM says otherwise. */
export const CHROMIUM = process.env.MAPPATU_CHROMIUM || '/usr/bin/chromium';

/** Desktop and phone viewports the issue asks for. */
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

// Every server and browser started by this process, so that a crash or an interrupted run
// still leaves nothing behind.
const live = new Set();
function killAllSync() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAllSync();
    process.exit(130);
  });
}

/** A TCP port that was free a moment ago and is now closed (nothing listens on it). */
export async function closedPort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// The environment of the binary: nothing from the caller's MappaTU settings leaks in.
function cleanEnv(dataDir, extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('MAPPATU_') || k === 'DATABASE_URL') delete env[k];
  }
  return { ...env, MAPPATU_DATA_DIR: dataDir, RUST_LOG: 'info', NO_COLOR: '1', ...extra };
}

let helpCache;
/** `mappatu serve --help`, read once: which optional flags this build has. */
export async function serveHelp() {
  if (!helpCache) {
    const { stdout } = await run(BIN, ['serve', '--help'], { env: cleanEnv(tmpdir()) });
    helpCache = stdout;
  }
  return helpCache;
}

/**
 * Starts `mappatu serve` on 127.0.0.1:0 with a fresh data directory (the demo data loads
 * into the empty database) and returns once it logs the address it listens on.
 *
 * @param {object} [opts]
 * @param {string} [opts.mapStyle] a style URL for `--map-style`; default `offline`, the
 *   built-in style that needs no network
 * @param {string[]} [opts.args] more `serve` flags (e.g. `--no-demo`)
 * @param {string} [opts.dataDir] an existing data directory (kept after stop)
 * @returns {Promise<{base: string, dataDir: string, log: () => string, stop: () => Promise<void>, cli: (args: string[]) => Promise<{stdout: string, stderr: string}>}>}
 */
export async function startServer(opts = {}) {
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'mappatu-e2e-')));
  const help = await serveHelp();
  const args = ['serve', '--listen', '127.0.0.1:0', ...(opts.args ?? [])];
  // The base map: the built-in offline style unless the test names another. Without the
  // flag the page would ask a tile server on the Internet, which these tests refuse.
  if (!help.includes('--map-style')) {
    throw new Error('this mappatu build has no --map-style flag (see `mappatu serve --help`)');
  }
  args.push('--map-style', opts.mapStyle ?? 'offline');
  // Front-end development: serve frontend/ from disk instead of the embedded copy.
  if (process.env.MAPPATU_FRONTEND_DIR) args.push('--frontend-dir', process.env.MAPPATU_FRONTEND_DIR);
  // Geocoding stays on this machine: the offline gazetteer, when the build can choose.
  if (help.includes('--geocoder')) args.push('--geocoder', 'offline');

  const child = spawn(BIN, args, {
    env: cleanEnv(dataDir),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  let log = '';
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mappatu did not start in 60 s:\n${log}`)), 60_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log += chunk;
      // eslint-disable-next-line no-control-regex
      const m = log.replace(/\x1b\[[0-9;]*m/g, '').match(/listening on (http:\/\/[0-9.]+:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then(({ code, sig }) => {
      clearTimeout(timer);
      reject(new Error(`mappatu exited (${code ?? sig}) before listening:\n${log}`));
    });
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const done = await Promise.race([exited, sleep(5000).then(() => null)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    live.delete(child);
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  };
  /** Runs another `mappatu` command on the same data directory. */
  const cli = (cliArgs) => run(BIN, cliArgs, { env: cleanEnv(dataDir), maxBuffer: 64 << 20 });
  return { base, dataDir, log: () => log, stop, cli };
}

/** GET a JSON document from the server (Node's fetch, not the browser). */
export async function getJson(base, pathAndQuery) {
  const res = await fetch(base + pathAndQuery);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${pathAndQuery}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/**
 * Launches Chromium headless with the flags the issue names. Playwright gives each launch a
 * fresh temporary profile (it refuses a `--user-data-dir` argument) and removes it on close.
 *
 * @param {object} [opts]
 * @param {boolean} [opts.webgl=true] false launches with WebGL disabled
 */
export async function launchBrowser({ webgl = true } = {}) {
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ];
  if (webgl) args.push('--use-angle=swiftshader', '--enable-unsafe-swiftshader');
  else args.push('--disable-webgl', '--disable-3d-apis');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 60_000 });
}

function isLocal(url) {
  if (/^(data|blob|about|chrome-extension):/.test(url)) return true;
  try {
    const h = new URL(url).hostname;
    return h === '127.0.0.1' || h === 'localhost' || h === '[::1]';
  } catch {
    return true;
  }
}

/**
 * A new context and page with problem collectors. Every console error, uncaught page
 * error, failed request, HTTP status >= 400 and request to a host other than this machine
 * is recorded in `problems`, unless `allow(url)` says it was expected.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {object} [opts]
 * @param {{width:number,height:number}} [opts.viewport]
 * @param {(url: string) => boolean} [opts.allow] expected failures (e.g. an unreachable style)
 * @param {string} [opts.locale] browser locale (default it-IT: the app's default language)
 * @param {boolean} [opts.isMobile] phone emulation (touch, meta viewport)
 * @param {object} [opts.context] more options for browser.newContext (geolocation, ...)
 */
export async function newPage(browser, opts = {}) {
  const allow = opts.allow ?? (() => false);
  const context = await browser.newContext({
    viewport: opts.viewport ?? DESKTOP,
    locale: opts.locale ?? 'it-IT',
    timezoneId: 'Europe/Rome',
    reducedMotion: 'reduce',
    isMobile: !!opts.isMobile,
    hasTouch: !!opts.isMobile,
    // Anything else a test needs (geolocation, permissions, ...).
    ...(opts.context ?? {}),
  });
  context.setDefaultTimeout(15_000);
  const problems = [];
  // Nothing may leave the machine: such a request is a problem and is cut.
  await context.route(
    (url) => !isLocal(url.href),
    (route) => {
      problems.push(`request off this machine: ${route.request().url()}`);
      return route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url ?? '';
    if (allow(where) || allow(msg.text())) return;
    problems.push(`console error: ${msg.text()} (${where})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.stack || err.message}`));
  context.on('requestfailed', (req) => {
    const failure = req.failure()?.errorText ?? '';
    // A navigation that replaced a still-running fetch aborts it: not a fault of the page.
    if (failure === 'net::ERR_ABORTED' || failure === 'net::ERR_BLOCKED_BY_CLIENT') return;
    if (allow(req.url())) return;
    problems.push(`request failed: ${req.method()} ${req.url()} ${failure}`);
  });
  context.on('response', (res) => {
    if (res.status() >= 400 && !allow(res.url())) {
      problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
    }
  });
  return { context, page, problems };
}

/** Fails with the list of problems, if any were collected. */
export function assertNoProblems(problems, what = 'page') {
  if (problems.length) {
    throw new Error(`${what} had ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }
}

/** Waits until the app says the list for the current state has rendered. */
export async function waitReady(page, timeout = 20_000) {
  await page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, {
    timeout,
  });
}

/** Waits until `#map` is `ready` (or the given state). */
export async function waitMap(page, state = 'ready', timeout = 30_000) {
  await page.waitForSelector(`#map[data-map="${state}"]`, { state: 'attached', timeout });
}

/**
 * Retries `check` (which throws while its condition does not hold) until it passes or
 * `timeout` ms elapse; then throws its last error. For state that settles after an action.
 */
export async function eventually(check, timeout = 10_000, interval = 100) {
  const until = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(interval);
    }
  }
}

/**
 * Unfolds the filters as a person would (a click on their summary) when they are folded:
 * the page folds them when none is on, so that the list is on the first screen.
 */
export async function showFilters(page) {
  const folded = await page.evaluate(() => {
    const d = document.querySelector('#filters')?.closest('details') ?? document.querySelector('#filters details');
    return d ? !d.open : false;
  });
  if (folded) {
    await page.locator('details:has(#filters) > summary, #filters details > summary').first().click();
    await page.locator('input[name=category]').first().waitFor({ state: 'visible' });
  }
}

/** The ids of `li.result` in list order. */
export async function resultIds(page) {
  return page.$$eval('ol#results > li.result', (lis) => lis.map((li) => li.dataset.id));
}

/** `.result-distance` texts in list order. */
export async function resultDistances(page) {
  return page.$$eval('ol#results > li.result', (lis) =>
    lis.map((li) => li.querySelector('.result-distance')?.textContent?.trim() ?? null),
  );
}

/**
 * Metres from a distance as the page shows it: "350 m", "1,2 km" (Italian) or "1.2 km"
 * (English); NaN when it is not one.
 */
export function parseDistance(text, lang = 'it') {
  const m = /([0-9][0-9.,\u00a0\u202f ]*)\s*(km|m)\b/.exec(text ?? '');
  if (!m) return NaN;
  let n = m[1].replace(/[\u00a0\u202f ]/g, '');
  n = lang === 'it' ? n.replace(/\./g, '').replace(',', '.') : n.replace(/,/g, '');
  const v = Number(n);
  return m[2] === 'km' ? v * 1000 : v;
}

/** The URL's query as a plain object. */
export function queryOf(url) {
  return Object.fromEntries(new URL(url).searchParams);
}

/** Path of an artefact under target/e2e/, creating the folder. */
export async function artefact(name) {
  await mkdir(ARTEFACTS, { recursive: true });
  return path.join(ARTEFACTS, name);
}

let axeSource;
/**
 * Runs axe-core in the page and returns its serious and critical violations. axe is
 * evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does
 * not govern, so the page is checked under its real policy.
 */
export async function axeSeriousViolations(page, context = 'document') {
  axeSource ??= await readFile(
    path.join(HERE, '..', 'node_modules', 'axe-core', 'axe.min.js'),
    'utf8',
  );
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(
    async (ctx) =>
      window.axe.run(ctx === 'document' ? document : ctx, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
        resultTypes: ['violations'],
      }),
    context,
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 3).join(' ')}`),
    }));
}

/** Formats axe violations for an assertion message. */
export function formatViolations(list) {
  return list
    .map((v) => `[${v.impact}] ${v.id}: ${v.help}\n      ${v.nodes.join('\n      ')}`)
    .join('\n    ');
}

/**
 * Starts a server and a browser for one test file, and gives `open()` for pages on it.
 * `done()` closes everything (call it in `after`).
 */
export async function suite({ server: serverOpts, browser: browserOpts, allow } = {}) {
  const server = await startServer(serverOpts);
  let browser;
  try {
    browser = await launchBrowser(browserOpts);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const contexts = [];
  return {
    server,
    browser,
    base: server.base,
    /** Opens `path` in a fresh context and waits for the list to be ready. */
    async open(pathAndQuery = '/', opts = {}) {
      const p = await newPage(browser, { allow, ...opts });
      contexts.push(p.context);
      await p.page.goto(server.base + pathAndQuery);
      if (opts.wait !== false) {
        try {
          await waitReady(p.page);
        } catch (err) {
          // Say why: what the page complained about, and what state it was left in.
          const state = await p.page
            .evaluate(() => `data-state=${document.documentElement.dataset.state} #map data-map=${document.getElementById('map')?.dataset.map}`)
            .catch(() => '?');
          throw new Error(
            `page never became ready (${state}) at ${p.page.url()}: ${err.message.split('\n')[0]}` +
              (p.problems.length ? `; problems:\n    ${p.problems.join('\n    ')}` : ''),
            { cause: err },
          );
        }
      }
      return p;
    },
    async done() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser?.close().catch(() => {});
      await server.stop();
    },
  };
}
