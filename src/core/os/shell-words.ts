/**
 * A command line as a person would type it into sh: words with shell syntax in them (`|`, spaces, `$`…) are
 * single-quoted, so `sh -c 'curl … | sh'` is not shown as `sh -c curl … | sh`, which means something else.
 */
export function shellWords(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)).join(' ')
}
