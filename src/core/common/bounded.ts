/**
 * `fn` over every item, at most `limit` at a time; the answers come back in the items' order. Used where claw-mesh
 * asks many peers at once (cards, fleet proofs), so a large fleet is not hit all at the same instant.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({length: Math.min(Math.max(1, limit), items.length)}, worker))
  return out
}
