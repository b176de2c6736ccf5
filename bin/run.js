#!/usr/bin/env node
// Checked before anything else loads: on an older Node, oclif and its dependencies fail with thousands of lines of
// unrelated errors (`TEXT_ENCODINGS.union is not a function`) and then "… is not a claw-mesh command". One line
// naming the version needed belongs there instead, with exit code 3 (needs your action: install a runtime).
// The minimum comes from package.json's engines.node, the one place it is written.
// Node's own modules are read with process.getBuiltinModule where it exists (Node 22.3+): importing node:fs would
// build its ES module facade, which loads fs streams, fs/promises and readline (~3 ms) nothing here uses.
const builtin = (name) => process.getBuiltinModule?.(name) ?? import(name)
const {existsSync, mkdirSync, readFileSync} = await builtin('node:fs')
const {join} = await builtin('node:path')
const {fileURLToPath} = await builtin('node:url')

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const needed = /(\d+)\.(\d+)/.exec(pkg.engines.node)
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < Number(needed[1]) || (major === Number(needed[1]) && minor < Number(needed[2]))) {
  process.stderr.write(
    `claw-mesh needs Node.js ${needed[1]}.${needed[2]} or newer; this is Node.js ${process.versions.node} (${process.execPath}). Install Node 24 (e.g. nvm install 24) and run it again.\n`,
  )
  process.exit(3)
}

// `claw-mesh --version` is answered before oclif loads (it is what scripts and health checks call most);
// the text is exactly oclif's own.
const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`claw-mesh/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // Compiled code is cached across runs (Node 22.1+): most of start-up is compiling. The cache is this user's own
  // (Node's default, a shared /tmp folder, would let another local user plant compiled code). It is used once it
  // exists, and made only after a command succeeded for real: a dry run or a refused input changes nothing on disk.
  // NODE_COMPILE_CACHE, when set, is Node's and wins.
  const flagWords = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv
  const cacheDir =
    flagWords.includes('--dry-run') || process.env.NODE_COMPILE_CACHE || process.env.NODE_DISABLE_COMPILE_CACHE
      ? undefined
      : compileCacheDir(process.env, process.platform)
  const cacheReady = cacheDir !== undefined && existsSync(cacheDir)
  if (cacheReady) (await builtin('node:module')).enableCompileCache?.(cacheDir)
  // The root help (`claw-mesh --help`, or no arguments) is printed from the build's list of commands with oclif's
  // formatter, without oclif's Config and plugins; it declines (false) whenever oclif would read more (bin/root-help.js).
  const rootHelp =
    (argv.length === 0 || (argv.length === 1 && argv[0] === '--help')) &&
    (await (await import('./root-help.js')).printRootHelp(pkg))
  if (!rootHelp) {
    // The bundle (npm run build) holds oclif and the commands; oclif finds them there instead of scanning dist/commands.
    const {execute, COMMANDS} = await import('../dist/bundle/cli.js')
    const root = fileURLToPath(new URL('..', import.meta.url))
    const commands = {strategy: 'explicit', target: './dist/bundle/cli.js', identifier: 'COMMANDS'}
    // oclif's own plugins (help, autocomplete, "did you mean") are loaded only when no claw-mesh command is named:
    // a command (its --help included) needs none of them, and loading them is a third of oclif's start-up.
    const plugins = namesCommand(argv, COMMANDS) ? [] : pkg.oclif.plugins
    await execute({
      dir: import.meta.url,
      loadOptions: {root, pjson: {...pkg, oclif: {...pkg.oclif, commands, plugins}}},
    })
  }
  if (cacheDir !== undefined && !cacheReady && !process.exitCode) {
    try {
      mkdirSync(cacheDir, {recursive: true, mode: 0o700})
    } catch {
      // No cache then (a read-only home): every run compiles, nothing else changes.
    }
  }
}

/** Whether the words before the first flag name a claw-mesh command (`peer list` → `peer:list`). */
function namesCommand(words, ids) {
  const topics = []
  for (const word of words) {
    if (word.startsWith('-')) break
    topics.push(word)
    if (Object.hasOwn(ids, topics.join(':'))) return true
  }
  return false
}

/** The per-user cache folder each OS keeps for programs, with claw-mesh's own subfolder. */
function compileCacheDir(env, platform) {
  const home = env.HOME || env.USERPROFILE
  if (platform === 'win32')
    return env.LOCALAPPDATA ? join(env.LOCALAPPDATA, 'claw-mesh', 'node-compile-cache') : undefined
  if (platform === 'darwin')
    return home ? join(home, 'Library', 'Caches', 'claw-mesh', 'node-compile-cache') : undefined
  const cache = env.XDG_CACHE_HOME || (home ? join(home, '.cache') : undefined)
  return cache ? join(cache, 'claw-mesh', 'node-compile-cache') : undefined
}
