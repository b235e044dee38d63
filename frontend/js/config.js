// The settings block (`%CONFIG%`) every page carries, read once with the defaults of the
// Siena deployment so a page opened from disk or an old cache still starts.

import { $ } from './dom.js';

/** The `%CONFIG%` block, with defaults for what it lacks. */
export function readConfig() {
  const fallbackAssets = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
  let c = {};
  try {
    c = JSON.parse($('mappatu-config').textContent);
  } catch {
    c = {};
  }
  const assets = c.assets || fallbackAssets;
  return {
    map_style: c.map_style || `${assets}/styles/blank.json`,
    area: Array.isArray(c.area) && c.area.length === 4 ? c.area : [10.9, 42.78, 12.0, 43.56],
    centre: c.centre || [11.3308, 43.3188],
    // null: fit the area (a deployment other than Siena); absent: Siena's city view.
    zoom: c.zoom === undefined ? 13 : c.zoom,
    assets,
    version: c.version || '',
  };
}
