/** "Did you mean …?" suggestions for misspelt names. */

/**
 * Case-insensitive Damerau-Levenshtein distance (optimal string alignment: each substring
 * is edited at most once).
 * @param a first string
 * @param b second string
 * @returns the number of insertions, deletions, substitutions and adjacent swaps from a to b
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // d[i][j] = distance between s[0, i) and t[0, j)
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[s.length][t.length];
}

/** Lower case without underscores, hyphens or spaces: "EOY_Score" → "eoyscore". */
function squash(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, "");
}

/**
 * Names longer than this get no suggestion: nobody misspells a name that long, and comparing
 * costs the product of the lengths.
 */
const MAX_SUGGESTED_LENGTH = 64;

/**
 * The closest known name to a misspelt one.
 * @param name the name as written
 * @param candidates the names in scope, in preference order (earlier wins ties)
 * @returns the best candidate within distance max(1, floor(name.length / 3)), or one that
 *   differs only in case or underscores; undefined when none is close, name is itself a
 *   candidate, or name is longer than 64 characters
 */
export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  if (name.length > MAX_SUGGESTED_LENGTH || candidates.includes(name)) return undefined;
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // the distance is at least the difference in length: a candidate that far off is not compared
    if (Math.abs(c.length - name.length) > limit && squash(c) !== squash(name)) continue;
    const dist = squash(c) === squash(name) ? 0 : editDistance(name, c);
    if (dist <= limit && dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}
