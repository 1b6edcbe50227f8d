/** The candidate closest to `word` when it is a plausible typo of it (a did-you-mean), else undefined. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === lower) return candidate
    const distance = editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best === undefined) return undefined
  const allowed = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3))
  return bestDistance <= allowed ? best : undefined
}

/**
 * Levenshtein distance with adjacent transpositions counted as one edit. The table is filled a row
 * at a time (row i: the distances from the first i characters of `a`), keeping the two rows above.
 */
function editDistance(a: string, b: string): number {
  let twoUp: number[] = []
  let up = Array.from({length: b.length + 1}, (_, j) => j)
  // The last cell of the row filled last: the distance from all of `a` (to all of `b`).
  let distance = b.length
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    let diagonal = i - 1
    let left = i
    for (const [k, above] of up.slice(1).entries()) {
      const j = k + 1
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min(above + 1, left + 1, diagonal + cost)
      // Two rows and two columns back: there only once both strings have two characters to swap.
      const beforeSwap = twoUp[j - 2]
      if (beforeSwap !== undefined && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, beforeSwap + 1)
      row.push(value)
      diagonal = above
      left = value
    }
    twoUp = up
    up = row
    distance = left
  }
  return distance
}
