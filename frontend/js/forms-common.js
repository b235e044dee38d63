// Small pieces shared by the submission, edit-link, moderation and admin pages.

import { has, t } from './i18n.js';

/** Categories and target groups, as lists of items ({slug, label_it, label_en, color, icon}). */
export async function loadTaxonomy(get) {
  const [c, g] = await Promise.all([get('/api/categories'), get('/api/target-groups')]);
  return { cats: (c && c.items) || [], targets: (g && g.items) || [] };
}

/** The message key (and vars) for a failed request that is not a per-field 422. */
export function failureMessage(err) {
  if (!err || err.status === 0) return { key: 'err.network' };
  if (err.status === 429) {
    const min = err.retryAfter ? Math.max(1, Math.ceil(err.retryAfter / 60)) : null;
    return min ? { key: 'err.rateLimitedWait', vars: { n: min } } : { key: 'err.rateLimited' };
  }
  if (err.status === 413) return { key: 'err.tooLarge' };
  if (err.status >= 500) return { key: 'err.server' };
  return { key: 'err.rejected', vars: { msg: err.message } };
}

/**
 * A server field problem (`{field, code, message, params}` of a 422's `fields`) as a message
 * in the page's language: `err.code.CODE.FIELD`, else `err.code.CODE`, with `params` as the
 * variables ({key, vars}). A code the page does not know yet keeps the server's own words
 * ({text}).
 */
export function fieldProblem(field, problem) {
  const p = problem || {};
  const vars = { detail: p.message || '', ...(p.params || {}) };
  if (p.code) {
    for (const k of [`err.code.${p.code}.${field}`, `err.code.${p.code}`]) if (has(k)) return { key: k, vars };
  }
  return { text: String(p.message || '') };
}

/** fieldProblem as text. */
export function fieldProblemText(field, problem) {
  const m = fieldProblem(field, problem);
  return m.key ? t(m.key, m.vars) : m.text;
}
