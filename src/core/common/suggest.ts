/** Edit distance (insertions, deletions, substitutions, and a swap of two neighbours: the commonest typo). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}

/**
 * The candidate closest to what was typed, when it is close enough to be what was meant (at most a third of the
 * word's letters off, and never more than 3); undefined otherwise — a wild guess is worse than none.
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)))
  let best: {word: string; distance: number} | undefined
  for (const word of candidates) {
    const distance = editDistance(typed, word)
    if (distance <= limit && (!best || distance < best.distance)) best = {word, distance}
  }
  return best?.word
}
