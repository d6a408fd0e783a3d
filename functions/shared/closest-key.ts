/**
 * The known key a mistyped one most likely meant, or undefined when none is
 * close: a typo is the usual cause of an unknown key, so an error that names
 * the intended key saves a trip to the documentation. Shared by the policy
 * file's checks and the deploy-time configuration's.
 *
 * A candidate counts when it differs only in case, or by at most about a
 * third of the key's length (at least 2) in edit distance.
 */
export const closestKey = (key: string, allowed: readonly string[]): string | undefined => {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of allowed) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
};

/** Levenshtein distance: insertions, deletions and substitutions of one character. */
const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
};
