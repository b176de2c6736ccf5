// esbuild plugins for scripts/bundle.mjs: start-up work the bundle can leave out without changing what any
// command does. Each was found with `node --cpu-prof` on the built CLI; the figures are CPU per run.
import {readFileSync} from 'node:fs'
import {createRequire, isBuiltin} from 'node:module'

/** An edit to oclif's `lib/<file>.js` that loads a default import on first use (its uses read `.default` then). */
function lazyDefault(file, name, spec) {
  return {
    file: new RegExp(`[\\\\/]@oclif[\\\\/]core[\\\\/]lib[\\\\/]${file}\\.js$`),
    from: `const ${name} = __importDefault(require("${spec}"));`,
    to: `const ${name} = {get default() { return __importDefault(require("${spec}")).default; }};`,
  }
}

/** The same for one named import, read as `name_1.<member>` at each use. */
function lazyNamed(file, name, spec, member) {
  return {
    file: new RegExp(`[\\\\/]@oclif[\\\\/]core[\\\\/]lib[\\\\/]${file}\\.js$`),
    from: `const ${name} = require("${spec}");`,
    to: `const ${name} = {get ${member}() { return require("${spec}").${member}; }};`,
  }
}

/**
 * Edits to @oclif/core's own files that leave its behaviour as it is, each found by its exact text: the build fails
 * when an oclif upgrade changes the text, so no edit is ever silently lost or misapplied.
 */
export const OCLIF_EDITS = [
  {
    // oclif warns when Node does not satisfy *its* package.json's engines, read relative to its own folder. In the
    // bundle that file is not there (the require throws and the warning is skipped), yet semver was loaded first
    // (~7 ms). bin/run.js checks claw-mesh's own engines before anything loads.
    file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]index\.js$/,
    from: '\ncheckNodeVersion();\n',
    to: '\n// checkNodeVersion(): dead in the bundle (see scripts/bundle-plugins.mjs)\n',
  },
  {
    // Whether this is WSL comes from is-wsl, which wsl-utils only re-exports (`export {default as isWsl} from
    // 'is-wsl'`): importing it directly skips wsl-utils' PowerShell helpers and their child_process, util and
    // fs/promises imports.
    file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]util[\\/]os\.js$/,
    from: "return (await import('wsl-utils')).isWsl ? 'wsl' : (0, node_os_1.platform)();",
    to: "return (await import('is-wsl')).default ? 'wsl' : (0, node_os_1.platform)();",
  },
  {
    // Each plugin's commands are sorted with localeCompare, whose first call initialises ICU's collator (~5 ms of
    // every start). Command ids made of lowercase letters, ':' and '-' sort the same by code unit (checked in
    // test/unit/bundle-plugins.test.ts); any other id still goes through localeCompare.
    file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/,
    from: '.sort((a, b) => a.id.localeCompare(b.id));',
    to: '.sort((a, b) => (/^[a-z:-]*$/.test(a.id) && /^[a-z:-]*$/.test(b.id) ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.id.localeCompare(b.id)));',
  },
  {
    // tinyglobby finds command files for oclif's "pattern" strategy; claw-mesh's explicit strategy never calls it,
    // yet loading it (with fdir and picomatch) cost ~3 ms of every start. It now loads on first use.
    file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/,
    from: 'const tinyglobby_1 = require("tinyglobby");',
    to: 'const tinyglobby_1 = {get glob() { return require("tinyglobby").glob; }};',
  },
  // EJS renders templates in help texts and update URLs, and cli-spinners draws a spinner: neither is used by most
  // runs, yet both loaded with oclif (~3 ms). Each now loads on first use, through the same __importDefault.
  ...['config[\\\\/]config', 'help[\\\\/]util'].map((file) => ({
    file: new RegExp(`[\\\\/]@oclif[\\\\/]core[\\\\/]lib[\\\\/]${file}\\.js$`),
    from: 'const ejs_1 = __importDefault(require("ejs"));',
    to: 'const ejs_1 = {get default() { return __importDefault(require("ejs")).default; }};',
  })),
  {
    // oclif's logger makes its debug functions with the debug package, which reads DEBUG once, when it loads: with
    // DEBUG unset every function it makes prints nothing. Loading it (with tty, util and supports-color) cost ~5 ms of
    // every start; without DEBUG the logger now gets functions that print nothing, as debug's would.
    file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]logger\.js$/,
    from: 'const debug_1 = __importDefault(require("debug"));',
    to: 'const debug_1 = process.env.DEBUG ? __importDefault(require("debug")) : {default: () => () => {}};',
  },
  // lilconfig looks for an oclif config file when package.json has none (claw-mesh's has one), minimatch matches
  // plugin patterns claw-mesh does not use, and the rest lay out an error or a help text: a run that prints neither
  // never calls them, yet loading them with oclif cost ~3 ms (with their own dependencies). They load on first use.
  lazyNamed('util[\\\\/]read-pjson', 'lilconfig_1', 'lilconfig', 'lilconfig'),
  lazyNamed('config[\\\\/]plugin-loader', 'minimatch_1', 'minimatch', 'minimatch'),
  lazyDefault('errors[\\\\/]handle', 'clean_stack_1', 'clean-stack'),
  ...['clean_stack_1:clean-stack', 'indent_string_1:indent-string', 'wrap_ansi_1:wrap-ansi'].map((v) =>
    lazyDefault('errors[\\\\/]errors[\\\\/]cli', ...v.split(':')),
  ),
  ...['indent_string_1:indent-string', 'wrap_ansi_1:wrap-ansi'].map((v) =>
    lazyDefault('errors[\\\\/]errors[\\\\/]pretty-print', ...v.split(':')),
  ),
  ...[
    'indent_string_1:indent-string',
    'string_width_1:string-width',
    'widest_line_1:widest-line',
    'wrap_ansi_1:wrap-ansi',
  ].map((v) => lazyDefault('help[\\\\/]formatter', ...v.split(':'))),
  {
    file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]ux[\\/]action[\\/]spinner\.js$/,
    from: 'const cli_spinners_1 = __importDefault(require("cli-spinners"));',
    to: 'const cli_spinners_1 = {get default() { return __importDefault(require("cli-spinners")).default; }};',
  },
]

export const oclifEdits = {
  name: 'oclif-edits',
  setup(build) {
    const applied = new Set()
    build.onLoad({filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/}, (args) => {
      const edits = OCLIF_EDITS.filter((e) => e.file.test(args.path))
      if (edits.length === 0) return undefined
      let text = readFileSync(args.path, 'utf8')
      for (const edit of edits) {
        if (!text.includes(edit.from))
          throw new Error(
            `bundle: @oclif/core changed: ${args.path} no longer has ${JSON.stringify(edit.from)} (review scripts/bundle-plugins.mjs)`,
          )
        text = text.replace(edit.from, edit.to)
        applied.add(edit)
      }
      return {contents: text, loader: 'js'}
    })
    build.onEnd((result) => {
      if (result.errors.length > 0) return
      const missed = OCLIF_EDITS.filter((e) => !applied.has(e))
      if (missed.length > 0)
        throw new Error(
          `bundle: no @oclif/core file matched ${missed.map((e) => e.file).join(', ')} (review scripts/bundle-plugins.mjs)`,
        )
    })
  },
}

/**
 * `import … from 'node:fs'` in an ES module makes Node build the module's ESM facade, which reads every export:
 * fs's lazy getters (ReadStream, promises) then load fs streams, fs/promises, readline and REPL history, ~3 ms of
 * every start whether or not they are used. Bundled imports of Node's own modules read them with
 * process.getBuiltinModule instead, as a CommonJS module. The modules below, which the bundle imports or oclif
 * requires for a function most runs never call (oclif's perf_hooks only with its performance debug on, child_process
 * only to ask PowerShell for the parent shell, readline only for args piped on stdin), load on first use: their
 * exports are the properties of a plain object (unlike events or stream, a class, or process, whose methods are
 * inherited), so an object whose getters load the module stands in for it. oclif's TypeScript-built CommonJS reads a
 * required module's property at each use (`(0, node_child_process_1.execSync)(…)`), so the getter is reached only
 * then. Other require() calls are left alone: they never build a facade.
 */
const LAZY_BUILTINS = new Set([
  'node:child_process',
  'node:crypto',
  'node:dns',
  'node:fs/promises',
  'node:http',
  'node:https',
  'node:net',
  'node:perf_hooks',
  'node:readline',
  'node:tls',
  'node:zlib',
])

export const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    const nodeRequire = createRequire(import.meta.url)
    // Static imports only: a dynamic import() of a CommonJS chunk would lose its named exports (Node's own import()
    // of a builtin is kept; it runs only where a rare path asks for it).
    build.onResolve({filter: /^node:/}, (args) =>
      args.kind === 'import-statement' || (args.kind === 'require-call' && LAZY_BUILTINS.has(args.path))
        ? {path: args.path, namespace: 'builtin-module'}
        : undefined,
    )
    // The same for a bare name (`import {randomUUID} from 'crypto'`, as listr2 writes them): its facade cost the
    // same, and more (util's loads parseArgs and assert's diff, crypto's all of WebCrypto), ~6 ms of every start.
    build.onResolve({filter: /^[a-z_]+(\/[a-z_]+)?$/}, (args) =>
      args.kind === 'import-statement' && isBuiltin(args.path)
        ? {path: `node:${args.path}`, namespace: 'builtin-module'}
        : undefined,
    )
    build.onLoad({filter: /.*/, namespace: 'builtin-module'}, (args) => {
      const spec = JSON.stringify(args.path)
      if (!LAZY_BUILTINS.has(args.path))
        return {contents: `module.exports = process.getBuiltinModule(${spec})`, loader: 'js'}
      const real = nodeRequire(args.path)
      if (Object.getPrototypeOf(real) !== Object.prototype)
        throw new Error(`bundle: ${args.path} is no longer a plain object: take it out of LAZY_BUILTINS`)
      return {
        contents: `let loaded
const load = () => (loaded ??= process.getBuiltinModule(${spec}))
for (const name of ${JSON.stringify(Object.keys(real))}) Object.defineProperty(module.exports, name, {enumerable: true, get: () => load()[name]})
`,
        loader: 'js',
      }
    })
  },
}

/**
 * Makes a bundled file pure ASCII. esbuild escapes non-ASCII characters in strings and identifiers, but leaves them in
 * comments it keeps and in regular expression literals (one `…` in a comment, one `—`, one U+009B in ansis' pattern).
 * One such character makes V8 hold the whole 2.4 MB source as a two-byte string, and Node's compile cache then
 * re-encodes all of it to UTF-8 on every start to check its hash: ~60 M instructions, 14% of `peer list`. In a
 * comment a character becomes `\uXXXX` text; in a regular expression literal the `\uXXXX` escape matches the same
 * code unit (a surrogate pair of escapes is one code point under the u and v flags). Anywhere else (a template's raw
 * text, an identifier) the build fails, naming the place: there an escape could change what the code does.
 */
export function asciiOnly(text, file, parse) {
  if (!/[^\0-\x7f]/.test(text)) return text
  const safe = [] // [start, end) ranges of comments and regular expression literals
  parse(text, {
    ecmaVersion: 'latest',
    sourceType: 'module',
    allowHashBang: true,
    onComment: (_block, _text, start, end) => safe.push([start, end]),
    onToken: (token) => {
      if (token.type.label === 'regexp') safe.push([token.start, token.end])
    },
  })
  safe.sort((a, b) => a[0] - b[0])
  let out = ''
  let last = 0
  let range = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    while (range < safe.length && safe[range][1] <= i) range++
    if (range >= safe.length || safe[range][0] > i) {
      const line = text.slice(0, i).split('\n').length
      throw new Error(`bundle: ${file}:${line}: a non-ASCII character outside a comment or a regular expression`)
    }
    out += `${text.slice(last, i)}\\u${code.toString(16).padStart(4, '0')}`
    last = i + 1
  }
  return out + text.slice(last)
}
