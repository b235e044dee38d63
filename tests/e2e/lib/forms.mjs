// Helpers for the submission and moderation pages' tests: accounts made through the CLI,
// the "Segnala il tuo servizio" form filled like a person would, API calls as a moderator.

import { spawn } from 'node:child_process';
import { BIN } from './harness.mjs';

/** `mappatu user add NAME --role ROLE` on the server's data dir, password on stdin. */
export function addUser(server, name, role, password) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, MAPPATU_DATA_DIR: server.dataDir, NO_COLOR: '1' };
    for (const k of Object.keys(env)) if (k === 'DATABASE_URL') delete env[k];
    const child = spawn(BIN, ['user', 'add', name, '--role', role], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`user add ${name}: ${code}\n${out}`))));
    child.stdin.end(`${password}\n`);
  });
}

/** Logs in over HTTP; returns {cookie, csrf} for `api()`. */
export async function apiLogin(base, username, password) {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await res.json();
  return { cookie, csrf };
}

/** A JSON request (with a session from `apiLogin`, when given). */
export async function api(base, method, path, body, session) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (session) {
    headers.Cookie = session.cookie;
    headers['X-CSRF-Token'] = session.csrf;
  }
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Sets `[from, to]` intervals for the day (0 = Monday) in the weekly hours editor. */
export async function setDay(page, day, intervals) {
  for (let i = 0; i < intervals.length; i++) {
    await page.click(`#f-hours-${day}-add`);
    await page.fill(`#f-hours-${day}-${i}-from`, intervals[i][0]);
    await page.fill(`#f-hours-${day}-${i}-to`, intervals[i][1]);
  }
}

/**
 * Drags the pin of the form's map by (dx, dy) pixels with the mouse; returns the
 * coordinates the form holds before and after.
 */
export async function dragPin(page, dx, dy) {
  const pin = page.locator('#f-pin-map .pin-marker');
  await pin.scrollIntoViewIfNeeded();
  const before = { lat: Number(await page.inputValue('#f-lat')), lon: Number(await page.inputValue('#f-lon')) };
  const box = await pin.boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 5 });
  await page.mouse.move(x + dx, y + dy, { steps: 5 });
  await page.mouse.up();
  const after = { lat: Number(await page.inputValue('#f-lat')), lon: Number(await page.inputValue('#f-lon')) };
  return { before, after };
}
