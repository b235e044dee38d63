// Small pieces shared by the submission, edit-link and moderation pages.

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
