import path from 'node:path'

/**
 * `file:~/ts-authkey` → `$HOME/ts-authkey`. The shell expands `~` only at the start of a word, so after `file:`
 * it reaches claw-mesh literally; the README's quick start writes it that way, so claw-mesh expands it.
 * Only `~` and `~/…` (the user's own home): `~other/` stays as written.
 */
export function expandHome(file: string, home: string): string {
  if (file === '~') return home
  if (file.startsWith('~/') || file.startsWith('~\\')) return path.join(home, file.slice(2))
  return file
}
