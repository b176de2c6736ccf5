/**
 * Which node path claw-mesh may bake into long-lived files (the gateway's secret launcher, the watchdog job, the
 * agent skill). Node reports its realpath: under Homebrew that is the versioned Cellar directory
 * (`/opt/homebrew/Cellar/node/24.4.1/bin/node`), which `brew upgrade node` deletes. OpenClaw solves the same for its
 * own LaunchAgent (src/infra/stable-node-path.ts, `stableHomebrewNodePathCandidates`); this is the same rule, kept in
 * step by a contract test against OpenClaw's function. Pure: the caller says which paths exist.
 */

const CELLAR_NODE = /^(.+?)[\\/]Cellar[\\/]([^\\/]+)[\\/][^\\/]+[\\/]bin[\\/]node$/

/** The upgrade-proof paths for a Cellar node, best first (none for any other path). */
export function stableHomebrewNodePathCandidates(nodePath: string): string[] {
  const m = CELLAR_NODE.exec(nodePath)
  if (!m) return []
  const [, prefix, formula] = m as unknown as [string, string, string]
  const sep = nodePath.includes('\\') ? '\\' : '/'
  const join = (...parts: string[]) => parts.join(sep)
  // <prefix>/opt/<formula> follows every upgrade (keg-only node@24 included); <prefix>/bin/node only for "node".
  const candidates = [join(prefix, 'opt', formula, 'bin', 'node')]
  if (formula === 'node') candidates.push(join(prefix, 'bin', 'node'))
  return candidates
}

/** The path to bake: the first stable candidate that exists, else the path itself. */
export function stableNodePath(nodePath: string, exists: (p: string) => boolean): string {
  return stableHomebrewNodePathCandidates(nodePath).find((p) => exists(p)) ?? nodePath
}

// The directories version managers install per-version nodes into (OpenClaw's COMMON_VERSION_MANAGER_MARKERS, plus
// mise): `nvm uninstall` or a new default version removes or strands the path.
const VERSION_MANAGERS: [string, string][] = [
  ['nvm', '/.nvm/'],
  ['fnm', '/.fnm/'],
  ['fnm', '/.local/share/fnm/'],
  ['fnm', '/library/application support/fnm/'],
  ['volta', '/.volta/'],
  ['asdf', '/.asdf/'],
  ['n', '/.n/'],
  ['nodenv', '/.nodenv/'],
  ['nodebrew', '/.nodebrew/'],
  ['nvs', '/nvs/'],
  ['mise', '/.local/share/mise/'],
]

/** The version manager a node path belongs to (`nvm`, `fnm`, `volta`, `asdf`…), or undefined for a system node. */
export function versionManagerOf(nodePath: string): string | undefined {
  const normalized = nodePath.replaceAll('\\', '/').toLowerCase()
  return VERSION_MANAGERS.find(([, marker]) => normalized.includes(marker))?.[0]
}

/** The warning for a node path that a version manager may remove, or undefined. `what` names the file baked. */
export function versionManagerWarning(nodePath: string, what: string): string | undefined {
  const manager = versionManagerOf(nodePath)
  if (!manager) return undefined
  return (
    `${what} runs node from ${manager} (${nodePath}): removing or replacing that version (${manager} uninstall, a new default) breaks it. ` +
    'Install a system Node 24 (Homebrew, the nodejs.org installer, or your package manager) and re-run this command with it, or re-run it after each change of version.'
  )
}
